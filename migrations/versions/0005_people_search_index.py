"""people search index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 17:45:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The migration keeps its own copy of the table's definition: later code may change.
CREATE = (
    "CREATE VIRTUAL TABLE people_fts USING fts5("
    "content, case_id UNINDEXED, tokenize = 'trigram remove_diacritics 1')"
)


def upgrade() -> None:
    op.execute(CREATE)
    op.execute("INSERT INTO people_fts(people_fts, rank) VALUES ('secure-delete', 1)")
    # Existing cases, with the same content the services write (phone reduced to digits).
    op.execute(
        "INSERT INTO people_fts(content, case_id) "
        "SELECT trim(s.first_name || ' ' || s.middle_name || ' ' || s.last_name) || ' | ' "
        "|| coalesce((SELECT group_concat(value, ' ; ') FROM json_each(s.aliases)), '') || ' | ' "
        "|| c.reference || ' | ' "
        "|| replace(replace(replace(replace(replace(replace(s.phone, ' ', ''), '-', ''), '+', ''),"
        " '(', ''), ')', ''), '.', ''), c.id "
        "FROM cases c JOIN survivors s ON s.id = c.survivor_id WHERE c.deleted_at IS NULL"
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS people_fts")
