"""record changes: a survivor's record corrected after intake, field by field

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 03:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_changes",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("survivor_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=True),
        sa.Column("new_value", sa.JSON(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("updated_by", sa.String(length=36), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_record_changes_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["survivor_id"], ["survivors.id"], name=op.f("fk_record_changes_survivor_id_survivors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_changes")),
    )
    op.create_index(op.f("ix_record_changes_case_id"), "record_changes", ["case_id"], unique=False)
    op.create_index(
        op.f("ix_record_changes_survivor_id"), "record_changes", ["survivor_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_record_changes_survivor_id"), table_name="record_changes")
    op.drop_index(op.f("ix_record_changes_case_id"), table_name="record_changes")
    op.drop_table("record_changes")
