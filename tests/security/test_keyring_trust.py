"""Issue 16, attacks 1 to 5 and 7: the keyring and backups trust nothing a file merely says.

(A) writes the vault folder but knows no password; (B) is a caseworker, with her own password
and so the database key; (C) is a removed administrator with a copy of the old keyring."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from casework.errors import WrongCredentials
from casework.model.vocab import Role
from casework.services import accounts
from casework.vault.backup import manifest_mac
from casework.vault.engine import open_engine
from casework.vault.keyring import KeyringError
from casework.vault.opened import OpenVault
from casework.vault.restore import BackupUnusable
from casework.vault.vault import VaultFolder
from tests.conftest import ADMIN_PASSWORD, SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import actor_of, restore_file, unlock
from tests.security.attacker import (
    ATTACKER_PASSWORD,
    open_own_slot,
    plant_slot,
    read_json,
    run_cli,
    slot_id,
    unseal_backup_key,
    write_json,
)

ADMIN2_PASSWORD = "granite willow orbit candle"


def admin_cli(folder: VaultFolder, *args: str, user: str = "admin") -> tuple[int, str]:
    password = ADMIN_PASSWORD if user == "admin" else ADMIN2_PASSWORD
    return run_cli(
        ["--vault", str(folder.folder), "--user", user, "--password-stdin", *args],
        password + "\n",
    )


def newest_manifest(folder: Path) -> tuple[Path, dict[str, Any]]:
    path = sorted(folder.glob("safehold-*.json"))[-1]
    return path, read_json(path)


def test_a_planted_slot_is_never_resealed_at_the_next_rekey(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    staffed_vault.lock()
    own, planted = plant_slot(vault_folder.keyring_path)

    code, told = admin_cli(vault_folder, "users", "disable", "bruno")
    assert code == 0, told

    keyring = read_json(vault_folder.keyring_path)
    assert planted not in keyring["slots"]
    assert own.read(keyring, planted) is None
    # What the administrator is told about the keyring afterwards: every slot verifies.
    code, told = admin_cli(vault_folder, "verify")
    assert code == 0 and "Keyring: ok, 4 slots authenticated (key epoch 1)" in told, told


def test_a_slot_planted_at_the_supervisors_id_gets_nothing_and_cannot_verify(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    staffed_vault.lock()
    sara = slot_id(read_json(vault_folder.keyring_path), "sara")
    own, _ = plant_slot(vault_folder.keyring_path, at=sara)

    code, told = admin_cli(vault_folder, "users", "disable", "bruno")
    assert code == 0, told

    assert own.read(read_json(vault_folder.keyring_path), sara) is None
    code, _ = run_cli(
        ["--vault", str(vault_folder.folder), "--user", "sara", "--password-stdin", "verify"],
        ATTACKER_PASSWORD + "\n",
    )
    assert code == 1


def test_an_administrator_is_told_the_keyring_does_not_verify_before_any_change(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    staffed_vault.lock()
    plant_slot(vault_folder.keyring_path)
    code, told = admin_cli(vault_folder, "verify")
    assert code == 1 and "Keyring: 1 slot(s) do not verify" in told, told


def test_a_caseworker_who_grants_herself_the_keys_gets_none_of_them(
    staffed_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path
) -> None:
    staffed_vault.lock()
    keyring = read_json(vault_folder.keyring_path)
    amina = slot_id(keyring, "amina")
    keyring["slots"][amina]["audit"] = keyring["slots"][amina]["backup"] = True
    write_json(vault_folder.keyring_path, keyring)

    code, told = admin_cli(vault_folder, "users", "disable", "bruno")
    assert code == 0, told

    keyring = read_json(vault_folder.keyring_path)
    if amina in keyring["slots"]:  # dropped as untrusted, or resealed without the keys
        held = open_own_slot(keyring, "amina", WORKER_PASSWORD)
        assert not held.get("audit_root_key") and not held.get("backup_private_key")
    backup = sorted(vault_folder.folder.joinpath("backups").glob("*after-user-removed.db"))[-1]
    for name in ("amina", "bruno"):  # the edited slot and an unedited control: both refused
        with pytest.raises((WrongCredentials, BackupUnusable)):
            restore_file(backup, tmp_path / f"by-{name}", WORKER_PASSWORD, name)


def test_a_caseworker_cannot_seal_false_audit_keys_to_a_supervisor(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    """(B) holds the database key, so she can seal a box that opens the database to anyone's
    public key: with a K_0 of her own making, she could rewrite the audit trail and have the
    supervisor's check pass. The anchor in the supervisor's password-wrapped box refuses it."""
    from casework.vault import crypto
    from casework.vault.crypto import unb64
    from tests.security.attacker import aad

    staffed_vault.lock()
    keyring = read_json(vault_folder.keyring_path)
    mine = open_own_slot(keyring, "amina", WORKER_PASSWORD)
    sara = slot_id(keyring, "sara")
    forged = {**mine, "audit_root_key": "11" * 32}
    keyring["slots"][sara]["secrets"] = crypto.seal(
        unb64(keyring["slots"][sara]["public_key"]),
        __import__("json").dumps(forged).encode(),
        aad(keyring, sara, "secrets"),
    )
    write_json(vault_folder.keyring_path, keyring)
    with pytest.raises(KeyringError) as refused:
        unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    assert "does not verify" in refused.value.message


def test_a_swapped_backup_public_key_is_never_used(
    staffed_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path
) -> None:
    from casework.vault import crypto
    from casework.vault.crypto import b64

    staffed_vault.lock()
    attacker_private, attacker_public = crypto.new_key_pair()
    keyring = read_json(vault_folder.keyring_path)
    keyring["backup_public_key"] = b64(attacker_public)  # where format 1 kept it
    write_json(vault_folder.keyring_path, keyring)

    worker = unlock(vault_folder, "amina", WORKER_PASSWORD)
    backup = worker.backup("manual")
    worker.lock()

    _, manifest = newest_manifest(backup.parent)
    assert unseal_backup_key(manifest, attacker_private.hex()) is None
    report = restore_file(backup, tmp_path / "restored", ADMIN_PASSWORD, "admin")
    assert report.audit_seq > 0


def test_a_removed_administrator_reads_no_later_backup(
    admin_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path
) -> None:
    accounts.add_user(
        admin_vault, actor_of(admin_vault), "omar", ADMIN2_PASSWORD, frozenset({Role.ADMINISTRATOR})
    )
    old_keyring = read_json(vault_folder.keyring_path)
    held = open_own_slot(old_keyring, "omar", ADMIN2_PASSWORD)

    accounts.disable_user(admin_vault, actor_of(admin_vault), "omar")
    backup = sorted(vault_folder.folder.joinpath("backups").glob("*after-user-removed.db"))[-1]
    admin_vault.lock()

    manifest_path, manifest = newest_manifest(backup.parent)
    # The old backup private key opens no later backup, and the old database key nothing.
    assert unseal_backup_key(manifest, held["backup_private_key"]) is None
    with pytest.raises(Exception):  # noqa: B017 - VaultDamaged from the wrong key
        open_engine(vault_folder.database, bytes.fromhex(held["database_key"])).dispose()
    # Putting the old keyring into the new manifest does not make the official CLI restore it.
    manifest["keyring"] = old_keyring
    write_json(manifest_path, manifest)
    code, _ = run_cli(
        [
            "--vault", str(tmp_path / "stolen"), "--user", "omar", "--password-stdin",
            "restore", "--from", str(backup),
        ],
        ADMIN2_PASSWORD + "\n",
    )  # fmt: skip
    assert code == 1 and not (tmp_path / "stolen" / "safehold.db").exists()
    # The remaining administrator's other slots keep working: sign in, restore.
    again = unlock(vault_folder, "admin", ADMIN_PASSWORD)
    again.lock()


def test_backups_after_an_administrators_password_change_do_not_open_with_the_old_one(
    admin_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path
) -> None:
    old_keyring = read_json(vault_folder.keyring_path)
    new_password = "copper meadow lantern harbour again"
    accounts.change_own_password(admin_vault, actor_of(admin_vault), ADMIN_PASSWORD, new_password)
    backup = admin_vault.backup("manual")
    admin_vault.lock()

    manifest_path, manifest = newest_manifest(backup.parent)
    held = open_own_slot(old_keyring, "admin", ADMIN_PASSWORD)
    assert unseal_backup_key(manifest, held["backup_private_key"]) is None
    manifest["keyring"] = old_keyring
    write_json(manifest_path, manifest)
    with pytest.raises(BackupUnusable):
        restore_file(backup, tmp_path / "old", ADMIN_PASSWORD, "admin")


def test_a_forged_manifest_date_is_refused(
    admin_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path
) -> None:
    backup = admin_vault.backup("manual")
    admin_vault.lock()
    manifest_path, manifest = newest_manifest(backup.parent)
    manifest["created_at"] = "2030-01-01T00:00:00+00:00"
    write_json(manifest_path, manifest)
    with pytest.raises(BackupUnusable, match="changed after the backup was taken"):
        restore_file(backup, tmp_path / "restored", ADMIN_PASSWORD, "admin")
    assert not (tmp_path / "restored" / "safehold.db").exists()


def test_the_manifest_mac_covers_every_field(admin_vault: OpenVault) -> None:
    backup = admin_vault.backup("manual")
    _, manifest = newest_manifest(backup.parent)
    key = admin_vault.secrets.database_key
    assert manifest["mac"] == manifest_mac(key, manifest)
    for field in manifest:
        if field != "mac":
            assert manifest_mac(key, {**manifest, field: "x"}) != manifest["mac"], field


def test_removing_an_administrator_starts_an_audit_epoch_his_old_key_cannot_reach(
    admin_vault: OpenVault, vault_folder: VaultFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casework.services import audit, integrity
    from casework.services.audit_chain import GENESIS_MAC, blocks_of, walk

    accounts.add_user(
        admin_vault, actor_of(admin_vault), "omar", ADMIN2_PASSWORD, frozenset({Role.ADMINISTRATOR})
    )
    held = open_own_slot(read_json(vault_folder.keyring_path), "omar", ADMIN2_PASSWORD)
    accounts.disable_user(admin_vault, actor_of(admin_vault), "omar")
    with admin_vault.transaction() as session:  # rows in the new epoch
        audit.record(session, actor_of(admin_vault).user_id, "case.view", "case", "x")

    # With only the old root, the walk stops at the epoch row: he cannot MAC what follows.
    with admin_vault.session() as session:
        raw = session.connection().connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        cursor.execute(
            "SELECT seq, at, actor_id, action, entity, entity_id, detail, prev_mac, mac "
            "FROM audit_events ORDER BY seq"
        )
        stale = walk(blocks_of(cursor), bytes.fromhex(held["audit_root_key"]), GENESIS_MAC, 1)
    assert stale.failure is not None and "key epoch" in stale.failure.reason
    # The remaining administrator checks the whole chain, across the epoch, in one process
    # and in two.
    assert integrity.verify_vault(admin_vault, actor_of(admin_vault)).chain.ok
    monkeypatch.setattr(audit, "PARALLEL_MIN_ROWS", 1)
    report = integrity.verify_vault(admin_vault, actor_of(admin_vault))
    assert report.ok, report
    admin_vault.lock()
    code, told = admin_cli(vault_folder, "verify")
    assert code == 0, told


def test_the_latest_backup_offered_is_never_one_with_a_forged_date(
    admin_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from casework.services.erasure import erase_again
    from casework.vault.restore import restore_newest

    real = admin_vault.backup("manual")
    admin_vault.lock()
    _, manifest = newest_manifest(real.parent)
    soon = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    for name, when in (("2030", "2030-01-01T00:00:00+00:00"), ("soon", soon)):
        forged = real.with_name(f"safehold-forged-{name}.db")
        shutil.copy(real, forged)
        write_json(
            forged.with_suffix(".json"), {**manifest, "file": forged.name, "created_at": when}
        )

    candidates = [e.path for e in vault_folder.backup_candidates()]
    assert candidates[0].name == "safehold-forged-soon.db"  # not believed yet: only claimed
    assert all("2030" not in p.name for p in candidates)  # a date years ahead is not believed
    report = restore_newest(
        candidates, tmp_path / "restored", ADMIN_PASSWORD, "admin", erase_again=erase_again
    )
    assert report.created_at.isoformat() == manifest["created_at"]  # the real one
