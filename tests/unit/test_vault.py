"""The vault on disk: creation, unlocking, wrong passwords, damage, rekeying."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from casework.errors import (
    MigrationFailed,
    UnlockThrottled,
    VaultDamaged,
    VaultExists,
    VaultTooNew,
    WeakPassword,
    WrongCredentials,
)
from casework.services import accounts
from casework.vault import schema
from casework.vault.crypto import CryptoError
from casework.vault.engine import open_engine
from casework.vault.keyring import Keyring
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import ADMIN_PASSWORD, FAST_KDF, WORKER_PASSWORD
from tests.factories import actor_of, create_vault, unlock


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_vault_is_private_and_encrypted(
    admin_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    folder = vault_folder.folder
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for entry in folder.iterdir():
        if entry.is_file():
            assert stat.S_IMODE(entry.stat().st_mode) == 0o600, entry.name
    assert not vault_folder.database.read_bytes().startswith(b"SQLite format 3\x00")
    keyring_text = vault_folder.keyring_path.read_text()
    assert "admin" not in keyring_text and "Harbour" not in keyring_text


def test_sign_in_gives_the_users_roles(admin_vault: OpenVault, vault_folder: VaultFolder) -> None:
    admin_vault.lock()
    opened = unlock(vault_folder, "ADMIN", ADMIN_PASSWORD)
    assert actor_of(opened).username == "admin"
    assert {r.value for r in actor_of(opened).roles} == {"admin"}
    opened.lock()


def test_wrong_password_fails_cleanly_and_leaves_the_database_alone(
    admin_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    admin_vault.lock()
    before = {p.name: digest(p) for p in vault_folder.folder.glob("safehold.db*")}
    with pytest.raises(WrongCredentials):
        unlock(vault_folder, "admin", "not the password at all")
    with pytest.raises(WrongCredentials):
        unlock(vault_folder, "nobody", ADMIN_PASSWORD)
    after = {p.name: digest(p) for p in vault_folder.folder.glob("safehold.db*")}
    assert before == after


def test_failed_unlocks_back_off_across_restarts(
    admin_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    admin_vault.lock()
    for _ in range(3):
        with pytest.raises(WrongCredentials):
            unlock(vault_folder, "admin", "not the password at all")
    # A new VaultFolder object reads the remembered failures, as a restarted app would.
    with pytest.raises(UnlockThrottled) as raised:
        unlock(VaultFolder(vault_folder.folder), "admin", ADMIN_PASSWORD)
    assert raised.value.wait_seconds > 0
    throttle = vault_folder.throttle()
    assert throttle.delay_after(3) == 1 and throttle.delay_after(5) == 4
    assert throttle.delay_after(40) == 300


def test_creating_over_an_existing_vault_is_refused(
    admin_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    before = digest(vault_folder.keyring_path)
    with pytest.raises(VaultExists):
        create_vault(
            vault_folder,
            org_name="Other",
            country="FR",
            province="",
            admin_username="x",
            admin_password="another long password here",
            kdf=FAST_KDF,
        )
    assert digest(vault_folder.keyring_path) == before


def test_weak_first_password_creates_nothing(vault_folder: VaultFolder) -> None:
    with pytest.raises(WeakPassword):
        create_vault(
            vault_folder,
            org_name="Org",
            country="KE",
            province="",
            admin_username="admin",
            admin_password="short",
            kdf=FAST_KDF,
        )
    assert not vault_folder.exists()


@pytest.mark.parametrize("damage", ["garbage", "plain-sqlite", "truncated"])
def test_a_damaged_or_foreign_database_is_reported_and_kept(
    admin_vault: OpenVault, vault_folder: VaultFolder, damage: str
) -> None:
    admin_vault.lock()
    db = vault_folder.database
    for sidecar in vault_folder.folder.glob("safehold.db-*"):
        sidecar.unlink()
    if damage == "garbage":
        db.write_bytes(os.urandom(8192))
    elif damage == "plain-sqlite":
        db.unlink()
        plain = sqlite3.connect(db)
        plain.execute("create table t(x)")
        plain.commit()
        plain.close()
    else:
        db.write_bytes(db.read_bytes()[:100])
    before = digest(db)
    with pytest.raises(VaultDamaged):
        unlock(vault_folder, "admin", ADMIN_PASSWORD)
    assert digest(db) == before


def test_a_missing_database_is_not_replaced_by_an_empty_one(
    admin_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    admin_vault.lock()
    for path in vault_folder.folder.glob("safehold.db*"):
        path.unlink()
    with pytest.raises(VaultDamaged):
        unlock(vault_folder, "admin", ADMIN_PASSWORD)
    assert not vault_folder.database.exists()


def test_removing_a_user_rekeys_so_their_old_slot_opens_nothing(
    staffed_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path
) -> None:
    old_keyring = tmp_path / "stolen-keyring.json"
    shutil.copy(vault_folder.keyring_path, old_keyring)
    stolen = Keyring.load(old_keyring)
    old_secrets = stolen.open_slot(stolen.slot_id("amina"), WORKER_PASSWORD).secrets

    accounts.disable_user(staffed_vault, actor_of(staffed_vault), "amina")

    with pytest.raises(VaultDamaged):
        open_engine(vault_folder.database, old_secrets.database_key)
    with pytest.raises(WrongCredentials):
        unlock(vault_folder, "amina", WORKER_PASSWORD)
    # Everyone else still gets in, with the new key, without having typed anything.
    bruno = unlock(vault_folder, "bruno", WORKER_PASSWORD)
    assert bruno.secrets.database_key != old_secrets.database_key
    bruno.lock()
    assert any(vault_folder.folder.joinpath("backups").glob("*after-user-removed.db"))


def test_an_interrupted_rekey_is_completed_at_the_next_unlock(
    staffed_vault: OpenVault, vault_folder: VaultFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace

    def crash_before_keyring_swap(src: str | Path, dst: str | Path) -> None:
        if Path(src).name == "keyring.pending.json":
            raise OSError("power cut")
        real_replace(src, dst)

    monkeypatch.setattr("casework.vault.vault.os.replace", crash_before_keyring_swap)
    with pytest.raises(OSError, match="power cut"):
        staffed_vault.remove_slot_and_rekey("amina")
    monkeypatch.setattr("casework.vault.vault.os.replace", real_replace)
    bruno = unlock(vault_folder, "bruno", WORKER_PASSWORD)
    bruno.lock()
    assert not (vault_folder.folder / "keyring.pending.json").exists()


def test_admin_reset_rewraps_one_slot_and_keeps_the_key(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    key_before = staffed_vault.secrets.database_key
    accounts.reset_password(
        staffed_vault, actor_of(staffed_vault), "bruno", "a brand new long passphrase"
    )
    with pytest.raises(WrongCredentials):
        unlock(vault_folder, "bruno", WORKER_PASSWORD)
    bruno = unlock(vault_folder, "bruno", "a brand new long passphrase")
    assert bruno.secrets.database_key == key_before
    bruno.lock()
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    amina.lock()


def test_changing_ones_own_password(staffed_vault: OpenVault, vault_folder: VaultFolder) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    with pytest.raises(WrongCredentials):
        accounts.change_own_password(
            amina, actor_of(amina), "wrong old password", "fresh spring water lily"
        )
    accounts.change_own_password(amina, actor_of(amina), WORKER_PASSWORD, "fresh spring water lily")
    amina.lock()
    unlock(vault_folder, "amina", "fresh spring water lily").lock()


def test_the_recovery_code_resets_an_administrator(vault_folder: VaultFolder) -> None:
    created = create_vault(
        vault_folder,
        org_name="Harbour Light",
        country="KE",
        province="",
        admin_username="admin",
        admin_password=ADMIN_PASSWORD,
        kdf=FAST_KDF,
    )
    created.vault.lock()
    with pytest.raises(WrongCredentials):
        accounts.reset_password_with_recovery_code(
            vault_folder, "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA", "admin", "new keeper pass phrase"
        )
    code = created.recovery_code.lower().replace("-", " ")  # as someone might type it from paper
    accounts.reset_password_with_recovery_code(
        vault_folder, code, "admin", "new keeper pass phrase"
    )
    unlock(vault_folder, "admin", "new keeper pass phrase").lock()


def test_a_vault_from_a_newer_version_is_refused_untouched(
    admin_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    with admin_vault.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff9999'"))
    admin_vault.lock()
    with pytest.raises(VaultTooNew):
        unlock(vault_folder, "admin", ADMIN_PASSWORD)


def test_an_upgrade_takes_a_backup_first(admin_vault: OpenVault, tmp_path: Path) -> None:
    engine = admin_vault.engine
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))
        connection.execute(text("CREATE TABLE placeholder (x)"))
    taken: list[str] = []

    def backup(label: str) -> Path:
        taken.append(label)
        return admin_vault.backup(label)

    with pytest.raises(MigrationFailed):  # the tables already exist: the upgrade must fail...
        schema.ensure_current(engine, backup)
    assert taken and taken[0].startswith("before-upgrade-empty")
    with engine.connect() as connection:  # ...and roll back whole, leaving the vault as it was
        assert connection.execute(text("SELECT count(*) FROM users")).scalar_one() == 1
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 0


def test_a_keyring_slot_cannot_be_opened_with_the_wrong_password(admin_vault: OpenVault) -> None:
    keyring = admin_vault.keyring
    with pytest.raises(CryptoError):
        keyring.open_slot(keyring.slot_id("admin"), "nearly " + ADMIN_PASSWORD)


def test_opening_an_older_vault_upgrades_it_after_a_backup(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    from casework.services import cases, search

    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    with amina.transaction() as session:
        cases.record_survivor(
            session,
            actor_of(amina),
            cases.SurvivorInput(first_name="Keep", intake_date=today),
            today,
        )
    amina.lock()
    schema.downgrade_to(staffed_vault.engine, "0002")
    staffed_vault.lock()
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    assert schema.current_revision(amina.engine) == schema.head_revision()
    with amina.session() as session:
        [row] = cases.caseload_rows(
            session, actor_of(amina), cases.caseload_ids(session, actor_of(amina))
        )
        # Columns and indexes added by later revisions were filled from the existing cases.
        assert session.execute(text("SELECT sort_name FROM cases")).scalar_one() == "keep"
        assert [h.case_id for h in search.search_people(session, actor_of(amina), "Kee")] == [
            row.case_id
        ]
    assert row.survivor_name == "Keep"
    amina.lock()
    assert any(vault_folder.folder.joinpath("backups").glob("*before-upgrade-0002-to-*.db"))
