"""The entrance's use cases without Qt: replacing a damaged vault by its newest good backup
(the damaged files set aside unchanged, put back if the restore fails), and signing in."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from casework.application.entrance import Created, Entrance
from casework.errors import VaultBusy, VaultDamaged, VaultNotDamaged, WrongCredentials
from casework.vault.opened import OpenVault
from casework.vault.restore import BackupUnusable
from casework.vault.vault import VaultFolder
from tests.conftest import ADMIN_PASSWORD, FAST_KDF, WORKER_PASSWORD


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def new_vault(folder: Path, organisation: str) -> Created:
    return Entrance(folder).create(
        org_name=organisation,
        country="KE",
        province="",
        admin_username="admin",
        admin_password=ADMIN_PASSWORD,
        kdf=FAST_KDF,
    )


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
    made = new_vault(vault_folder.folder, "Harbour Light")
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


def test_a_sound_vault_is_never_replaced(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    """Found by trying it: "--replace-damaged" on a healthy vault put an older backup in its
    place, and what was recorded since was gone."""
    staffed_vault.backup("manual")
    staffed_vault.lock()
    before = digest(vault_folder.database)
    with pytest.raises(VaultNotDamaged):
        Entrance(vault_folder.folder).replace_damaged(None, ADMIN_PASSWORD, "admin")
    assert digest(vault_folder.database) == before
    assert not list(vault_folder.folder.parent.glob("vault-damaged-*"))


def test_a_backup_of_another_vault_never_replaces_this_one(
    staffed_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path
) -> None:
    other = new_vault(tmp_path / "other", "Elsewhere")
    foreign = other.desk.vault.backup("manual")
    other.desk.close()
    staffed_vault.lock()
    damaged = damage(vault_folder)
    with pytest.raises(BackupUnusable, match="another vault"):
        Entrance(vault_folder.folder).replace_damaged(foreign, ADMIN_PASSWORD, "admin")
    assert digest(vault_folder.database) == damaged


def test_a_planted_backup_does_not_block_the_good_one_behind_it(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    """A newer-looking copy whose slots were changed does not open with the administrator's
    password; the restore goes on to the good backup instead of stopping at "wrong password"."""
    import json
    import shutil

    good = staffed_vault.backup("manual")
    staffed_vault.lock()
    planted = good.with_name("safehold-planted-manual.db")
    shutil.copy(good, planted)
    manifest = json.loads(good.with_suffix(".json").read_text())
    from datetime import datetime, timedelta

    taken = datetime.fromisoformat(manifest["created_at"])
    manifest["created_at"] = (taken + timedelta(seconds=1)).isoformat()  # newer, not future
    for slot in manifest["keyring"]["slots"].values():
        slot["kdf"]["salt"] = "AAAAAAAAAAAAAAAAAAAAAA=="
    planted.with_suffix(".json").write_text(json.dumps(manifest))
    damage(vault_folder)
    replaced = Entrance(vault_folder.folder).replace_damaged(None, ADMIN_PASSWORD, "admin")
    assert "Restored the backup" in replaced.describe()


def test_two_replacements_never_share_a_folder_aside(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    staffed_vault.backup("manual")
    staffed_vault.lock()
    first = damage(vault_folder)
    Entrance(vault_folder.folder).replace_damaged(None, ADMIN_PASSWORD, "admin")
    damage(vault_folder)
    Entrance(vault_folder.folder).replace_damaged(None, ADMIN_PASSWORD, "admin")
    asides = sorted(vault_folder.folder.parent.glob("vault-damaged-*"))
    assert len(asides) == 2
    assert digest(asides[0] / "safehold.db") == first  # the first damaged file, kept


def test_an_empty_database_file_is_damage_and_stays_as_it_is(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    """Found by trying it: a 0-byte safehold.db (a crash while it was first written) was made
    into a new, empty database at sign-in, and every later sign-in failed with a raw error."""
    staffed_vault.lock()
    for sidecar in vault_folder.folder.glob("safehold.db-*"):
        sidecar.unlink()
    vault_folder.database.write_bytes(b"")
    with pytest.raises(VaultDamaged, match="empty"):
        Entrance(vault_folder.folder).sign_in("admin", ADMIN_PASSWORD)
    assert vault_folder.database.stat().st_size == 0


def audit_rows(vault: OpenVault) -> int:
    from sqlalchemy import func, select

    from casework.model import AuditEvent

    with vault.session() as session:
        return session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def test_a_slot_without_an_account_signs_in_to_nothing_and_writes_nothing(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    """The account, not the slot, admits: a slot left behind for an account deleted in the
    database (by anyone holding its key) opens nothing, and the refused sign-in writes no
    audit row, no keyring and no anchor."""
    from sqlalchemy import update

    from casework.model import User
    from casework.model.base import utcnow

    with staffed_vault.transaction() as session:
        session.execute(update(User).where(User.username == "amina").values(deleted_at=utcnow()))
    before = audit_rows(staffed_vault)
    staffed_vault.lock()
    files = {name: digest(vault_folder.folder / name) for name in ("keyring.json",)}
    anchor = (vault_folder.folder / "audit-anchor.json").read_bytes()
    with pytest.raises(WrongCredentials):
        Entrance(vault_folder.folder).sign_in("amina", WORKER_PASSWORD)
    assert {name: digest(vault_folder.folder / name) for name in files} == files
    assert (vault_folder.folder / "audit-anchor.json").read_bytes() == anchor
    desk = Entrance(vault_folder.folder).sign_in("admin", ADMIN_PASSWORD)
    assert audit_rows(desk.vault) == before + 1  # the administrator's sign-in, nothing else
    desk.close()


def test_a_vault_whose_first_rows_fail_leaves_no_file(tmp_path: Path) -> None:
    folder = VaultFolder(tmp_path / "vault")

    def first_rows(_session: object, _root: bytes) -> None:
        raise OSError("the disk went away")

    with pytest.raises(OSError, match="went away"):
        folder.create(
            username="admin", password=ADMIN_PASSWORD, first_rows=first_rows, kdf=FAST_KDF
        )
    assert not folder.exists()
    assert list(folder.folder.iterdir()) == []


def test_creating_a_vault_checks_the_first_administrator_before_any_file(tmp_path: Path) -> None:
    from casework.errors import ValidationError

    entrance = Entrance(tmp_path / "vault")
    with pytest.raises(ValidationError, match="two-letter"):
        entrance.create(
            org_name="Harbour Light",
            country="Kenya",
            province="",
            admin_username="admin",
            admin_password=ADMIN_PASSWORD,
            kdf=FAST_KDF,
        )
    assert not (tmp_path / "vault").exists()
