"""Alembic environment: always online, over a connection the caller has already keyed."""

from __future__ import annotations

import sqlcipher3
from alembic import context
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine

from casework.model import Base
from casework.model.base import UTCDateTime

config = context.config


def scratch_connection_at_head() -> Connection:
    """An in-memory database migrated to head by the real revision scripts, for `alembic check`
    and autogenerate: the comparison is then between the models and what the migrations build."""
    # sqlcipher3's SQLite (not the system one), so FTS5 options match the app's.
    connection = create_engine("sqlite://", module=sqlcipher3).connect()
    script = ScriptDirectory.from_config(config)
    migration = MigrationContext.configure(connection, opts={"render_as_batch": True})
    with Operations.context(migration):
        for revision in reversed(list(script.walk_revisions("base", "heads"))):
            revision.module.upgrade()
    migration.stamp(script, "heads")
    connection.commit()
    return connection


def render_item(kind: str, item: object, autogen_context: object) -> str | bool:
    """Migrations name plain SQLAlchemy types, so they never break when model code moves."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime()"
    return False


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """The full-text indexes (virtual tables and their shadow tables) are managed by hand."""
    return not (
        type_ == "table" and name is not None and name.startswith(("notes_fts", "people_fts"))
    )


def run() -> None:
    connection = config.attributes.get("connection")
    scratch = connection is None
    if scratch:
        connection = scratch_connection_at_head()
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
        include_name=include_name,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()
    if scratch:
        connection.close()


if context.is_offline_mode():
    raise SystemExit("Safehold's migrations run online only, over a keyed connection.")
run()
