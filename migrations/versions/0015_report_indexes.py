"""report indexes

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23 20:19:03.237196
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:

    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consent_records_kind_state",
            ["kind", "deleted_at", "survivor_id", "given_on", "expires_on", "withdrawn_on"],
            unique=False,
        )

    with op.batch_alter_table("counseling_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_counseling_sessions_report",
            ["held_on", "attendance", "deleted_at", "case_id"],
            unique=False,
        )

    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referrals_referred_on"), ["referred_on"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referrals_referred_on"))

    with op.batch_alter_table("counseling_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_counseling_sessions_report")

    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_records_kind_state")
