"""The entrance's use cases without Qt: replacing a damaged vault by its newest good backup
(the damaged files set aside unchanged, put back if the restore fails), and signing in."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from casework.application.entrance import Entrance
from casework.errors import VaultBusy, VaultDamaged, WrongCredentials
from casework.vault.restore import BackupUnusable
from casework.vault.vault import OpenVault, VaultFolder
from tests.conftest import ADMIN_PASSWORD, WORKER_PASSWORD


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def damage(folder: VaultFolder) -> str:
    for sidecar in folder.folder.glob("safehold.db-*"):
        sidecar.unlink()
    folder.database.write_bytes(os.urandom(16384))
    return digest(folder.database)


def test_a_damaged_vault_is_replaced_by_its_newest_good_backup(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    staffed_vault.backup("manual")
    staffed_vault.lock()
    damaged = damage(vault_folder)
    entrance = Entrance(vault_folder.folder)
    with pytest.raises(VaultDamaged):
        entrance.sign_in("admin", ADMIN_PASSWORD)
    replaced = entrance.replace_damaged(None, ADMIN_PASSWORD, "admin")
    assert digest(replaced.aside / "safehold.db") == damaged  # kept, unchanged
    assert str(replaced.aside) in replaced.describe()
    desk = entrance.sign_in("amina", WORKER_PASSWORD)
    assert desk.actor.username == "amina"
    desk.close()


def test_a_failed_replacement_puts_the_damaged_vault_back_as_it_was(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    staffed_vault.backup("manual")
    staffed_vault.lock()
    damaged = damage(vault_folder)
    keyring = digest(vault_folder.keyring_path)
    entrance = Entrance(vault_folder.folder)
    with pytest.raises(WrongCredentials):
        entrance.replace_damaged(None, "not the password at all", "admin")
    assert digest(vault_folder.database) == damaged
    assert digest(vault_folder.keyring_path) == keyring
    assert not list(vault_folder.folder.parent.glob("vault-damaged-*"))


def test_an_unusable_backup_moves_nothing(
    staffed_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path
) -> None:
    staffed_vault.lock()
    damaged = damage(vault_folder)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"junk")
    entrance = Entrance(vault_folder.folder)
    with pytest.raises(BackupUnusable):
        entrance.replace_damaged(junk, ADMIN_PASSWORD, "admin")
    with pytest.raises(BackupUnusable):
        entrance.replace_damaged(None, ADMIN_PASSWORD, "admin")  # and it has no backup
    assert digest(vault_folder.database) == damaged
    assert not list(vault_folder.folder.parent.glob("vault-damaged-*"))


def test_a_backup_is_restored_into_an_empty_folder_with_the_recovery_code(
    vault_folder: VaultFolder, tmp_path: Path
) -> None:
    from tests.conftest import FAST_KDF

    made = Entrance(vault_folder.folder).create(
        org_name="Harbour Light",
        country="KE",
        province="",
        admin_username="admin",
        admin_password=ADMIN_PASSWORD,
        kdf=FAST_KDF,
    )
    backup = made.desk.vault.backup("manual")
    made.desk.close()
    elsewhere = Entrance(tmp_path / "elsewhere")
    assert not elsewhere.exists()
    report = elsewhere.restore(backup, made.recovery_code, None, homes=[vault_folder.folder])
    assert "Restored the backup" in report.describe()
    elsewhere.sign_in("admin", ADMIN_PASSWORD).close()


def test_signing_in_to_a_vault_in_use_is_busy(
    staffed_vault: OpenVault, vault_folder: VaultFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casework.vault import engine

    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 200)
    other = engine.raw_connection(vault_folder.database, staffed_vault.secrets.database_key)
    staffed_vault.lock()
    try:
        other.execute("PRAGMA locking_mode = EXCLUSIVE")
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(VaultBusy):
            Entrance(vault_folder.folder).sign_in("admin", ADMIN_PASSWORD)
    finally:
        other.rollback()
        other.close()
