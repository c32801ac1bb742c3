"""tasks indexed by case with their state, for the overdue filter's first page

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-23 23:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tasks_case_open", ["case_id", "status", "deleted_at", "due_on"], unique=False
        )
        batch_op.drop_index("ix_tasks_case_id")


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index("ix_tasks_case_id", ["case_id"], unique=False)
        batch_op.drop_index("ix_tasks_case_open")
