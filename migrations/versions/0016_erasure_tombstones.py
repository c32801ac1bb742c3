"""erasure tombstones

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-23 20:34:53.843473
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "erasures",
        sa.Column("survivor_id", sa.String(length=36), nullable=False),
        sa.Column("case_ids", sa.JSON(), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("updated_by", sa.String(length=36), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasures")),
    )
    with op.batch_alter_table("erasures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_erasures_survivor_id"), ["survivor_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("erasures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erasures_survivor_id"))

    op.drop_table("erasures")
