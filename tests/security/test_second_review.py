"""Issue 16: the attacks an outside review found after the first round, each as the attacker
would do it: a keyring or manifest that claims to be of the old, unauthenticated format; a
caseworker who edits the database (her role, her account's name or state) before an
administrator acts; the new audit epoch's root left readable; an old keyring put back as a
pending one; an anchor deleted or garbled; junk backups crowding the ledger; and files that
used to end in a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlcipher3

from casework.errors import CaseworkError, VaultDamaged, WrongCredentials
from casework.model.vocab import Role
from casework.services import accounts
from casework.vault.crypto import b64, new_key_pair
from casework.vault.keyring import RECOVERY_NAME, KeyringError
from casework.vault.opened import OpenVault
from casework.vault.restore import BackupUnusable
from casework.vault.vault import VaultFolder
from tests.conftest import ADMIN_PASSWORD, SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import actor_of, restore_file, unlock
from tests.security.attacker import (
    OwnSlot,
    open_database,
    open_own_slot,
    read_json,
    run_cli,
    slot_id,
    write_json,
)

CAROL = "she keeps copies of things"


def as_admin(folder: VaultFolder, *args: str) -> tuple[int, str]:
    return run_cli(
        ["--vault", str(folder.folder), "--user", "admin", "--password-stdin", *args],
        ADMIN_PASSWORD + "\n",
    )


def worker_key(folder: VaultFolder) -> str:
    return str(
        open_own_slot(read_json(folder.keyring_path), "amina", WORKER_PASSWORD)["database_key"]
    )


def test_a_keyring_rewritten_as_format_1_is_refused_not_upgraded(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    staffed_vault.lock()
    keyring = read_json(vault_folder.keyring_path)
    _private, public = new_key_pair()
    keyring.update(format=1, backup_public_key=b64(public))
    del keyring["epoch"], keyring["mac"]
    own = OwnSlot()
    recovery = slot_id(keyring, RECOVERY_NAME)
    keyring["slots"][recovery] = own.as_json(keyring, recovery)
    write_json(vault_folder.keyring_path, keyring)

    with pytest.raises(KeyringError):
        unlock(vault_folder, "admin", ADMIN_PASSWORD)
    assert own.read(read_json(vault_folder.keyring_path), recovery) in (None, {})
    assert read_json(vault_folder.keyring_path)["format"] == 1  # left as it was found


def test_a_backup_whose_manifest_claims_format_1_is_refused(
    admin_vault: OpenVault, tmp_path: Path
) -> None:
    backup = admin_vault.backup("manual")
    admin_vault.lock()
    manifest_path = backup.with_suffix(".json")
    for claimed in (1, True, 1.0):
        manifest = read_json(manifest_path)
        manifest["format"] = claimed
        write_json(manifest_path, manifest)
        with pytest.raises(BackupUnusable):
            restore_file(backup, tmp_path / f"r{claimed!r}", ADMIN_PASSWORD, "admin")


def test_a_role_a_caseworker_gives_herself_in_the_database_brings_no_keys_at_a_reset(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    staffed_vault.lock()
    database = open_database(vault_folder.database, worker_key(vault_folder))
    user_id = database.execute("SELECT id FROM users WHERE username = 'amina'").fetchone()[0]
    database.execute(
        "INSERT INTO user_roles (id, created_at, updated_at, user_id, role) "
        "VALUES ('forged-role', '2026-12-01 00:00:00', '2026-12-01 00:00:00', ?, 'admin')",
        (user_id,),
    )
    database.close()
    code, told = run_cli(
        ["--vault", str(vault_folder.folder), "--user", "admin", "--password-stdin",
         "users", "reset-password", "amina"],
        f"{ADMIN_PASSWORD}\nher new passphrase is long\nher new passphrase is long\n",
    )  # fmt: skip
    assert code == 0, told
    held = open_own_slot(
        read_json(vault_folder.keyring_path), "amina", "her new passphrase is long"
    )
    assert not held.get("backup_private_key") and not held.get("keyring_key")
    assert not held.get("audit_root_key")


@pytest.mark.parametrize("edit", ["disabled", "renamed"])
def test_editing_her_account_in_the_database_does_not_keep_her_access_through_a_removal(
    staffed_vault: OpenVault, vault_folder: VaultFolder, edit: str
) -> None:
    staffed_vault.lock()
    key = worker_key(vault_folder)
    database = open_database(vault_folder.database, key)
    if edit == "disabled":  # a removal would then return early, leaving her slot and key
        database.execute(
            "UPDATE users SET disabled_at = '2026-12-01 00:00:00' WHERE username = 'amina'"
        )
        removed = "amina"
    else:  # the administrator removes "grace": the slot removed would not be hers
        database.execute("UPDATE users SET username = 'grace' WHERE username = 'amina'")
        removed = "grace"
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    database.close()

    code, told = as_admin(vault_folder, "users", "disable", removed)
    assert code == 0, told
    amina = slot_id(read_json(vault_folder.keyring_path), "amina")
    assert amina not in read_json(vault_folder.keyring_path)["slots"]
    with pytest.raises(sqlcipher3.DatabaseError):
        open_database(vault_folder.database, key)


def test_the_new_epochs_root_is_never_left_in_the_database(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    accounts.disable_user(staffed_vault, actor_of(staffed_vault), "bruno")
    staffed_vault.lock()
    key = worker_key(vault_folder)
    database = open_database(vault_folder.database, key)
    stored = bytes(database.execute("SELECT current_key FROM audit_state").fetchone()[0])
    database.close()
    supervisor = open_own_slot(read_json(vault_folder.keyring_path), "sara", SUPERVISOR_PASSWORD)
    assert stored != bytes.fromhex(supervisor["audit_root_key"])


def test_an_old_keyring_put_back_as_pending_does_not_undo_a_removal(
    admin_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path
) -> None:
    accounts.add_user(
        admin_vault, actor_of(admin_vault), "carol", CAROL, frozenset({Role.ADMINISTRATOR})
    )
    admin_vault.checkpoint()
    for name in ("keyring.json", "safehold.db"):
        shutil.copy(vault_folder.folder / name, tmp_path / name)
    accounts.disable_user(admin_vault, actor_of(admin_vault), "carol")
    admin_vault.lock()
    shutil.copy(tmp_path / "safehold.db", vault_folder.database)
    for sidecar in ("-wal", "-shm"):
        Path(f"{vault_folder.database}{sidecar}").unlink(missing_ok=True)
    shutil.copy(tmp_path / "keyring.json", vault_folder.folder / "keyring.pending.json")

    for name, password in (("admin", ADMIN_PASSWORD), ("carol", CAROL)):
        with pytest.raises((VaultDamaged, WrongCredentials)):
            unlock(vault_folder, name, password)
    assert read_json(vault_folder.keyring_path)["epoch"] == 1


@pytest.mark.parametrize("how", ["deleted", "garbled"])
def test_an_anchor_deleted_or_garbled_after_a_rollback_is_reported(
    staffed_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path, how: str
) -> None:
    staffed_vault.checkpoint()
    staffed_vault.lock()
    shutil.copy(vault_folder.database, tmp_path / "old.db")
    for _ in range(2):
        unlock(vault_folder, "sara", SUPERVISOR_PASSWORD).lock()
    shutil.copy(tmp_path / "old.db", vault_folder.database)
    for sidecar in ("-wal", "-shm"):
        Path(f"{vault_folder.database}{sidecar}").unlink(missing_ok=True)
    anchor = vault_folder.folder / "audit-anchor.json"
    if how == "deleted":
        anchor.unlink()
    else:
        anchor.write_text("garbage")
    code, told = as_admin(vault_folder, "verify")
    assert code == 1 and "audit anchor" in told, told
    if how == "garbled":  # and a sign-in does not write the evidence away
        unlock(vault_folder, "sara", SUPERVISOR_PASSWORD).lock()
        code, told = as_admin(vault_folder, "verify")
        assert code == 1 and "does not verify" in told, told


def test_junk_backups_do_not_crowd_out_the_erasure_ledger(
    staffed_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path
) -> None:
    from casework.application.desk import Desk
    from tests.security.test_erased_stay_erased import ERASED, KEPT, record, restored_names

    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    gone = record(amina, ERASED)
    record(amina, KEPT)
    Desk(amina, actor_of(amina)).supervision.request_erasure(gone, "Asked in person")
    amina.lock()
    older = staffed_vault.backup("manual")
    staffed_vault.lock()
    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    desk = Desk(sara, actor_of(sara))
    (request,) = desk.supervision.erasure_requests()
    desk.supervision.decide_erasure(request.request_id, True, "")
    sara.backup("manual")  # carries the ledger
    sara.lock()
    (older.parent / "expired.json").unlink()
    manifest = read_json(older.with_suffix(".json"))
    for n in range(5):
        junk = older.with_name(f"safehold-29991231T00000{n}000000Z-junk.db")
        shutil.copy(older, junk)
        write_json(junk.with_suffix(".json"), {**manifest, "file": junk.name, "keyring_id": "junk"})
    assert restored_names(older, tmp_path / "restored") == {KEPT}


def test_hostile_small_files_get_one_sentence(
    staffed_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path
) -> None:
    backup = staffed_vault.backup("manual")
    staffed_vault.lock()
    naive = backup.with_name("safehold-naive.db")
    shutil.copy(backup, naive)
    write_json(naive.with_suffix(".json"), {**read_json(backup.with_suffix(".json")),
                                            "created_at": "2026-12-02T10:00:00"})  # fmt: skip
    with pytest.raises(BackupUnusable):
        restore_file(naive, tmp_path / "naive", ADMIN_PASSWORD, "admin")
    write_json(
        vault_folder.folder / "settings.json", {"backup_folder": "", "used": ["/proc/1/root"]}
    )
    code, told = as_admin(vault_folder, "verify")
    assert code == 0, told
    (vault_folder.folder / "unlock-state.json").write_text(
        '{"failures": 1000000, "last_failure": 1e300}'
    )
    with pytest.raises(CaseworkError) as throttled:  # a wait, not an overflow or a lock-out
        unlock(vault_folder, "admin", ADMIN_PASSWORD)
    assert "Try again in" in throttled.value.message and len(throttled.value.message) < 200
    (vault_folder.folder / "unlock-state.json").unlink()
    database = open_database(vault_folder.database, worker_key(vault_folder))
    database.execute("UPDATE user_roles SET role = 'boss' WHERE role = 'supervisor'")
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    database.close()
    code, _ = as_admin(vault_folder, "users", "list")
    assert code == 1
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(BackupUnusable, match="is a file"):
        restore_file(backup, afile, ADMIN_PASSWORD, "admin")


def test_an_older_genuine_anchor_put_back_is_caught_by_the_one_a_backup_carries(
    staffed_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path
) -> None:
    staffed_vault.checkpoint()
    staffed_vault.lock()
    for name in ("safehold.db", "audit-anchor.json"):
        shutil.copy(vault_folder.folder / name, tmp_path / name)
    for _ in range(2):
        unlock(vault_folder, "sara", SUPERVISOR_PASSWORD).lock()
    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    sara.backup("manual")  # carries the anchor as it stands
    sara.lock()
    for name in ("safehold.db", "audit-anchor.json"):
        shutil.copy(tmp_path / name, vault_folder.folder / name)
    for sidecar in ("-wal", "-shm"):
        Path(f"{vault_folder.database}{sidecar}").unlink(missing_ok=True)
    code, told = as_admin(vault_folder, "verify")
    assert code == 1, told
    assert "older than the anchor a backup carries" in told or "a later backup" in told, told


def test_a_resume_handed_in_the_environment_cannot_name_a_folder_to_delete(
    tmp_path: Path,
) -> None:
    """SAFEHOLD_RESUME is set by whoever starts the app: a demo folder it names is believed
    only if the app made it (in the temporary folder, with its marker)."""
    from ui.app import handed_demo

    victim = tmp_path / "victim"
    (victim / "vault").mkdir(parents=True)
    assert handed_demo(str(victim)) is None
    assert handed_demo(str(Path.home() / ".local" / "share" / "Safehold")) is None
    assert handed_demo(["not", "a", "path"]) is None
