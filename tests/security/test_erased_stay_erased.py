"""Issue 16, attack 6: no restore brings back a person who was erased, while the app can know
of the erasure: every backup folder the vault has used is marked, a marked backup is refused
(renamed or not), and the erasure ledger of a later backup is applied to an older one."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from casework.application.desk import Desk
from casework.services import cases
from casework.vault.backup import manifest_mac
from casework.vault.engine import open_engine
from casework.vault.opened import OpenVault
from casework.vault.restore import BackupUnusable
from casework.vault.vault import VaultFolder
from tests.conftest import ADMIN_PASSWORD, SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import actor_of, restore_file, unlock

ERASED, KEPT = "Qzxwvera", "Imani"


def record(vault: OpenVault, first: str) -> str:
    with vault.transaction() as session:
        return cases.record_survivor(
            session,
            actor_of(vault),
            cases.SurvivorInput(first_name=first, last_name="Test", intake_date=date(2026, 11, 2)),
            date(2026, 11, 2),
        ).case_id


def names_in(database: Path, key: bytes) -> set[str]:
    engine = open_engine(database, key)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT first_name FROM survivors")).scalars()
            return set(rows)
    finally:
        engine.dispose()


def restored_names(backup: Path, target: Path) -> set[str]:
    """The first names in the vault restored from ``backup`` by the administrator."""
    restore_file(backup, target, ADMIN_PASSWORD, "admin")
    restored = unlock(VaultFolder(target), "admin", ADMIN_PASSWORD)
    key = restored.secrets.database_key
    restored.lock()
    return names_in(target / "safehold.db", key)


@pytest.fixture
def erased_after_backups(
    staffed_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path
) -> tuple[Path, Path]:
    """A backup in the vault's own folder, then the backup folder moved to an external drive,
    then an erasure approved: returns (the old in-vault backup, the external folder)."""
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    gone = record(amina, ERASED)
    record(amina, KEPT)
    Desk(amina, actor_of(amina)).supervision.request_erasure(gone, "Asked in person")
    amina.lock()
    older = staffed_vault.backup("manual")  # in vault/backups: holds the person
    external = tmp_path / "usb-drive"
    staffed_vault.set_backup_folder(external)
    staffed_vault.backup("manual", external)
    staffed_vault.lock()
    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    desk = Desk(sara, actor_of(sara))
    (request,) = desk.supervision.erasure_requests()
    desk.supervision.decide_erasure(request.request_id, True, "")
    sara.lock()
    return older, external


def test_every_backup_folder_the_vault_used_is_marked(
    erased_after_backups: tuple[Path, Path], vault_folder: VaultFolder, tmp_path: Path
) -> None:
    older, external = erased_after_backups
    for backup in (older, *external.glob("safehold-*.db")):
        with pytest.raises(BackupUnusable, match="since asked to be erased"):
            restore_file(backup, tmp_path / f"r-{backup.name}", ADMIN_PASSWORD, "admin")
    newest = vault_folder.newest_backup()
    assert newest is None or newest.path != older


def test_a_renamed_expired_backup_is_still_refused(
    erased_after_backups: tuple[Path, Path], tmp_path: Path
) -> None:
    older, _ = erased_after_backups
    renamed = older.with_name("safehold-20261231T000000000000Z-manual.db")
    shutil.copy(older, renamed)
    shutil.copy(older.with_suffix(".json"), renamed.with_suffix(".json"))
    with pytest.raises(BackupUnusable, match="since asked to be erased"):
        restore_file(renamed, tmp_path / "restored", ADMIN_PASSWORD, "admin")


def test_a_later_backups_ledger_erases_the_person_from_an_older_one(
    erased_after_backups: tuple[Path, Path], vault_folder: VaultFolder, tmp_path: Path
) -> None:
    older, _ = erased_after_backups
    admin = unlock(vault_folder, "admin", ADMIN_PASSWORD)
    later = admin.backup("manual", older.parent)  # carries the ledger
    admin.lock()
    # Only the older backup and the later one survive, the expiry list lost.
    (older.parent / "expired.json").unlink()
    assert restored_names(older, tmp_path / "restored") == {KEPT}
    assert later.exists()


def test_a_forged_ledger_is_not_applied(
    erased_after_backups: tuple[Path, Path], vault_folder: VaultFolder, tmp_path: Path
) -> None:
    """A later manifest whose ledger was edited, and re-MACed with the database key, does not
    authenticate (its anchor does not), so it erases nobody."""
    import json

    older, _ = erased_after_backups
    admin = unlock(vault_folder, "admin", ADMIN_PASSWORD)
    later = admin.backup("manual", older.parent)
    key = admin.secrets.database_key
    with admin.session() as session:
        kept_id = session.execute(
            text("SELECT id FROM survivors WHERE first_name = :n"), {"n": KEPT}
        ).scalar_one()
    admin.lock()
    # As a caseworker would: she holds the database key, so she can re-MAC the manifest; the
    # anchor inside it is MACed under K_0, which she does not hold.
    manifest = json.loads(later.with_suffix(".json").read_text())
    manifest["anchor"]["erased"] = [*manifest["anchor"]["erased"], kept_id]
    manifest["mac"] = manifest_mac(key, manifest)
    later.with_suffix(".json").write_text(json.dumps(manifest))
    (older.parent / "expired.json").unlink()
    assert KEPT in restored_names(older, tmp_path / "restored")
