"""SQLAlchemy engines over SQLCipher, every connection set up as security.md prescribes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3

from casework.errors import VaultDamaged, from_database_error

if TYPE_CHECKING:
    from sqlalchemy import Engine

# 64 MiB of decrypted pages: every page read from disk costs a decryption.
CACHE_SIZE_KIB = 64 * 1024


def key_pragma(database_key: bytes) -> str:
    if len(database_key) != 32:
        raise ValueError("the database key must be 32 bytes")
    return f"PRAGMA key = \"x'{database_key.hex()}'\""


# How long a statement waits for another connection's write (another Safehold process on the
# same vault; within one process the vault's writer lock serialises writes) before VaultBusy.
BUSY_TIMEOUT_MS = 10_000

READ_WRITE_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA secure_delete = ON",
    "PRAGMA temp_store = MEMORY",
    f"PRAGMA cache_size = -{CACHE_SIZE_KIB}",
)
# A read-only connection (checking a vault that may be damaged) sets nothing that writes: the
# journal mode stays as the file has it, and SQLite refuses any write (query_only).
READ_ONLY_PRAGMAS = (
    "PRAGMA query_only = ON",
    "PRAGMA temp_store = MEMORY",
    f"PRAGMA cache_size = -{CACHE_SIZE_KIB}",
)


def configure_connection(
    dbapi_connection: Any, database_key: bytes, *, read_only: bool = False
) -> None:
    """Key first; a read of sqlite_master then fails cleanly on a wrong key or a foreign file.

    Only the log level precedes the key: it touches no database and keeps SQLCipher's
    decryption errors for a damaged file off standard error.
    """
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA cipher_log_level = NONE")
        cursor.execute(key_pragma(database_key))
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")  # before the first read
        cursor.execute("SELECT count(*) FROM sqlite_master")
        cursor.fetchall()
        for pragma in READ_ONLY_PRAGMAS if read_only else READ_WRITE_PRAGMAS:
            cursor.execute(pragma)
            cursor.fetchall()
    finally:
        cursor.close()


def read_only_uri(path: Path) -> str:
    """SQLite's URI for ``path`` opened read-only: nothing can be written to the file."""
    return f"{Path(path).resolve().as_uri()}?mode=ro"


# The execution option that marks a connection as the writer's (see OpenVault.transaction).
WRITE_OPTION = "safehold_write"


def refuse_empty(path: Path) -> None:
    """An empty file where the database should be (a crash while it was first written, a copy
    cut short) is damage: SQLite would quietly make a new, empty database of it."""
    try:
        empty = path.stat().st_size == 0
    except OSError:
        return  # let the open say what is wrong
    if empty:
        raise VaultDamaged(
            "The vault's database file is empty (0 bytes). It has been left as it is; restore "
            "it from a backup."
        )


def open_engine(
    path: Path, database_key: bytes, *, create: bool = False, read_only: bool = False
) -> Engine:
    """An engine over the encrypted file at ``path``; raises VaultDamaged if it cannot be read.

    Unless ``create`` is set, a missing file is an error: SQLite would otherwise create a new,
    empty database where the vault's file should be. With ``read_only``, SQLite opens the file
    read-only and refuses every write (for checking a vault that may be damaged).
    """
    if not create and not path.is_file():
        raise VaultDamaged("The vault's database file is missing. Restore it from a backup.")
    if not create:
        refuse_empty(path)
    from sqlalchemy import create_engine, event  # loaded when a vault opens, not at start-up

    def connect() -> Any:
        return sqlcipher3.connect(read_only_uri(path), uri=True, check_same_thread=False)

    engine = create_engine(
        "sqlite+pysqlite://" if read_only else f"sqlite+pysqlite:///{path}",
        module=sqlcipher3,
        connect_args={"check_same_thread": False},
        **({"creator": connect} if read_only else {}),
        hide_parameters=True,
        json_serializer=lambda value: json.dumps(
            value, ensure_ascii=False
        ),  # exception texts must never carry survivor data
    )

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        configure_connection(dbapi_connection, database_key, read_only=read_only)
        # The driver's own implicit transactions skip DDL; SQLAlchemy's BEGIN below makes every
        # transaction, schema migrations included, all-or-nothing.
        dbapi_connection.isolation_level = None

    def on_begin(connection: Any) -> None:
        # A write transaction takes SQLite's write lock at once (waiting up to the busy timeout):
        # a deferred one that had read first could not wait for it, and failed at its first
        # write whenever another connection was writing.
        writes = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    event.listen(engine, "connect", on_connect, insert=True)
    event.listen(engine, "begin", on_begin)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except Exception as exc:
        engine.dispose()
        raise opening_error(exc) from exc
    return engine


def opening_error(error: Exception) -> Exception:
    """What a failure to open the database means, by SQLite's result code: in use, not
    readable, full, or damaged (a wrong key reads as "not a database"). A vault merely in use
    must never be called damaged: damage offers to replace it from a backup."""
    return from_database_error(error, opening=True) or VaultDamaged()


def raw_connection(path: Path, database_key: bytes, *, read_only: bool = False) -> Any:
    """A plain DB-API connection, keyed and configured, for rekey and export; with
    ``read_only``, one that cannot write (see ``open_engine``). A read-only connection to a
    missing file raises VaultDamaged rather than creating one."""
    if read_only:
        if not Path(path).is_file():
            raise VaultDamaged("The vault's database file is missing. Restore it from a backup.")
        refuse_empty(Path(path))
    try:
        if read_only:
            connection = sqlcipher3.connect(
                read_only_uri(path), uri=True, isolation_level=None, check_same_thread=False
            )
        else:
            connection = sqlcipher3.connect(
                str(path), isolation_level=None, check_same_thread=False
            )
    except sqlcipher3.Error as exc:  # cannot even be opened: permissions, a folder, ...
        raise opening_error(exc) from exc
    try:
        configure_connection(connection, database_key, read_only=read_only)
    except Exception as exc:
        connection.close()
        raise opening_error(exc) from exc
    return connection
