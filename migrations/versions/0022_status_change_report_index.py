"""reopenings in a period read from one covering index

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-24 03:55:00
"""

from __future__ import annotations

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_status_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_status_changes_report",
            ["to_status", "created_at", "from_status", "case_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("case_status_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_case_status_changes_report")
