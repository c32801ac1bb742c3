"""stays overlapping a period read from one covering index

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-24 01:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stays", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stays_open",
            ["discharged_on", "admitted_on", "deleted_at", "case_id", "bed_id"],
            unique=False,
        )
        batch_op.drop_index("ix_stays_discharged_on")


def downgrade() -> None:
    with op.batch_alter_table("stays", schema=None) as batch_op:
        batch_op.create_index("ix_stays_discharged_on", ["discharged_on"], unique=False)
        batch_op.drop_index("ix_stays_open")
