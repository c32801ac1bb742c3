"""Schema versions: Alembic over a live, keyed connection; a backup before every upgrade."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from casework.errors import MigrationFailed, VaultTooNew

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    _migrate(engine, command.upgrade, "head")


def downgrade_to(engine: Engine, revision: str) -> None:
    """For tests and recovery tools: take the schema back to ``revision``."""
    _migrate(engine, command.downgrade, revision)


def _migrate(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    """Run migrations in one transaction. Foreign keys are off while batch migrations copy
    tables (SQLite ignores the pragma inside a transaction, so it is set on the driver's
    connection first) and are checked as a whole before the transaction commits."""
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys = OFF")
        try:
            with connection.begin():
                step(alembic_config(connection), revision)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration broke {len(broken)} foreign key(s)")
        finally:
            driver.execute("PRAGMA foreign_keys = ON")


def ensure_current(engine: Engine, backup: Callable[[str], Path]) -> None:
    """Bring the vault's schema to this version's head.

    A vault from a newer version is refused untouched. An older one is backed up first
    (``backup`` takes a label and returns the backup's path); if the upgrade fails the backup
    is put back, so the old version keeps working.
    """
    script = ScriptDirectory.from_config(alembic_config())
    current = current_revision(engine)
    head = script.get_current_head()
    if current == head:
        return
    if current is not None:
        try:
            script.get_revision(current)
        except Exception as exc:
            raise VaultTooNew() from exc
    backup_path = backup(f"before-upgrade-{current or 'empty'}-to-{head}")
    try:
        upgrade_to_head(engine)
    except Exception as exc:
        log.exception("schema upgrade from %s failed; the pre-upgrade backup is kept", current)
        raise MigrationFailed(
            "The vault could not be upgraded to this version of Safehold. It has not been "
            f"changed; a copy taken before the attempt is in {backup_path.name}."
        ) from exc
