"""One writer at a time: a save waits for a write already running rather than fail, and lock
wins over a write that does not end."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.errors import (
    SQLITE_NOTADB,
    VaultBusy,
    VaultDamaged,
    VaultLocked,
    from_database_error,
    sqlite_code,
)
from casework.model import Case
from casework.vault.engine import raw_connection
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import WORKER_PASSWORD
from tests.factories import actor_of, record_survivor, unlock


def case_count(vault: OpenVault) -> int:
    with vault.session() as session:
        return session.execute(select(func.count()).select_from(Case)).scalar_one()


@pytest.fixture
def amina(staffed_vault: OpenVault, vault_folder: VaultFolder) -> Iterator[OpenVault]:
    vault = unlock(vault_folder, "amina", WORKER_PASSWORD)
    yield vault
    vault.lock()


def test_a_save_waits_for_a_background_write_in_the_same_window(
    amina: OpenVault, today: date
) -> None:
    """Sign-in starts background writes (reminders, retention): a save from the window made
    while one is open used to fail at once with "the vault is in use"."""
    inside = threading.Event()
    release = threading.Event()
    failures: list[BaseException] = []

    def background() -> None:
        try:
            with amina.transaction() as session:
                session.execute(select(func.count()).select_from(Case)).scalar_one()
                inside.set()
                release.wait(10)
                record_survivor_in(session)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    def record_survivor_in(session: Session) -> None:
        from casework.services import cases

        cases.record_survivor(
            session,
            actor_of(amina),
            cases.SurvivorInput(first_name="Iryna", intake_date=today),
            today,
        )

    worker = threading.Thread(target=background)
    worker.start()
    assert inside.wait(10)
    threading.Timer(0.3, release.set).start()
    record_survivor(amina, today)  # the window's save: waits for the background write
    worker.join(10)
    assert not failures
    assert case_count(amina) == 2


def test_a_save_waits_for_another_program_writing_to_the_vault(
    amina: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    """Another connection (a second Safehold process) holding SQLite's write lock: the save
    waits for it (busy timeout) instead of failing at its first write."""
    other = raw_connection(vault_folder.database, amina.secrets.database_key)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("CREATE TABLE other_program (x)")  # holds the write lock
        threading.Timer(0.3, other.rollback).start()
        with amina.session() as session:  # a read first, as a save does
            session.execute(select(func.count()).select_from(Case)).scalar_one()
        record_survivor(amina, today)
    finally:
        other.close()
    assert case_count(amina) == 1


def test_lock_wins_over_a_write_that_does_not_end(
    amina: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    """A write still open when the vault locks is not waited for for ever, and whatever it
    does afterwards never reaches the file."""
    inside = threading.Event()
    release = threading.Event()
    outcome: list[BaseException | None] = []

    def stuck() -> None:
        try:
            with amina.transaction() as session:
                from casework.services import cases

                cases.record_survivor(
                    session,
                    actor_of(amina),
                    cases.SurvivorInput(first_name="Iryna", intake_date=today),
                    today,
                )
                inside.set()
                release.wait(10)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=stuck)
    worker.start()
    assert inside.wait(10)
    amina.lock(wait_seconds=0.2)
    assert amina.is_locked
    release.set()
    worker.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], VaultLocked)
    again = unlock(vault_folder, "amina", WORKER_PASSWORD)
    try:
        assert case_count(again) == 0
    finally:
        again.lock()


def test_no_write_starts_once_the_vault_is_locking(amina: OpenVault, today: date) -> None:
    amina.lock()
    with pytest.raises(VaultLocked):
        record_survivor(amina, today)


def test_a_vault_in_use_is_busy_at_sign_in_never_damaged(
    staffed_vault: OpenVault,
    amina: OpenVault,
    vault_folder: VaultFolder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another program holding the database exclusively: signing in says the vault is in use.
    Called damaged, it would have been offered for replacement from a backup."""
    from casework.vault import engine

    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 200)
    other = raw_connection(vault_folder.database, amina.secrets.database_key)
    amina.lock()
    staffed_vault.lock()
    try:
        other.execute("PRAGMA locking_mode = EXCLUSIVE")
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(VaultBusy):
            unlock(vault_folder, "amina", WORKER_PASSWORD)
    finally:
        other.rollback()
        other.close()
    unlock(vault_folder, "amina", WORKER_PASSWORD).lock()


def test_database_errors_are_sorted_by_sqlite_result_code(tmp_path: Path) -> None:
    """By code, not by the English text of the message (which a translation or a driver
    update changes): the code survives SQLAlchemy's wrapping and chaining."""
    import sqlcipher3
    from sqlalchemy.exc import OperationalError

    foreign = tmp_path / "foreign.db"
    foreign.write_bytes(b"\x00" * 4096 + b"not a database at all" * 300)
    connection = sqlcipher3.connect(str(foreign))
    with pytest.raises(sqlcipher3.DatabaseError) as raised:
        connection.execute("SELECT * FROM sqlite_master").fetchall()
    connection.close()
    driver_error = raised.value
    assert sqlite_code(driver_error) == SQLITE_NOTADB
    wrapped = OperationalError("SELECT 1", {}, driver_error)
    assert isinstance(from_database_error(wrapped), VaultDamaged)
    try:
        raise RuntimeError("elsewhere") from wrapped
    except RuntimeError as chained:
        assert sqlite_code(chained) == SQLITE_NOTADB
    assert from_database_error(ValueError("database is locked")) is None
    assert from_database_error(ValueError("x"), opening=True) is None
