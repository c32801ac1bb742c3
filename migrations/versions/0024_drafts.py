"""drafts: what a user typed and has not saved yet (an intake, a note), kept in the vault

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 05:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("updated_by", sa.String(length=36), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_drafts_owner_id_users")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_drafts_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
    )
    op.create_index(op.f("ix_drafts_owner_id"), "drafts", ["owner_id"], unique=False)
    op.create_index(op.f("ix_drafts_case_id"), "drafts", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_drafts_case_id"), table_name="drafts")
    op.drop_index(op.f("ix_drafts_owner_id"), table_name="drafts")
    op.drop_table("drafts")
