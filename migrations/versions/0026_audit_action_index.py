"""audit_events: an index on (action, seq), so the rows of one action are found newest first
without reading the whole trail (the audit view's action filter; the list of past exports)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 19:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_events_action_seq", "audit_events", ["action", "seq"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_action_seq", table_name="audit_events")
