"""covering indexes for the caseload's overdue-task and no-contact filters

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-23 23:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tasks_open_due", ["status", "deleted_at", "due_on", "case_id"], unique=False
        )

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cases_last_contact", ["last_contact_date", "deleted_at"], unique=False
        )
        batch_op.drop_index("ix_cases_last_contact_date")


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_last_contact_date", ["last_contact_date"], unique=False)
        batch_op.drop_index("ix_cases_last_contact")

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_open_due")
