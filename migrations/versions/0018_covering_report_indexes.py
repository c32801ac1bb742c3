"""covering indexes for the exports' referral and legal aid reads

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-23 22:55:00
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referrals_report",
            ["referred_on", "deleted_at", "case_id", "category", "status"],
            unique=False,
        )
        batch_op.drop_index("ix_referrals_referred_on")

    with op.batch_alter_table("legal_matters", schema=None) as batch_op:
        batch_op.create_index("ix_legal_matters_case", ["case_id", "deleted_at"], unique=False)
        batch_op.drop_index("ix_legal_matters_case_id")


def downgrade() -> None:
    with op.batch_alter_table("legal_matters", schema=None) as batch_op:
        batch_op.create_index("ix_legal_matters_case_id", ["case_id"], unique=False)
        batch_op.drop_index("ix_legal_matters_case")

    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index("ix_referrals_referred_on", ["referred_on"], unique=False)
        batch_op.drop_index("ix_referrals_report")
