"""Issue 16, attack 8: the audit trail cannot be rolled back unnoticed. (a) A caseworker, who
holds the database key and so the chain's current key, saves the state row, later deletes her
rows and puts the state back; (b) the whole database file is put back to an older copy."""

from __future__ import annotations

import shutil
from pathlib import Path

from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import ADMIN_PASSWORD, SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import unlock
from tests.security.attacker import (
    open_database,
    open_own_slot,
    read_json,
    run_cli,
    write_json,
)


def verify(folder: VaultFolder) -> tuple[int, str]:
    return run_cli(
        ["--vault", str(folder.folder), "--user", "admin", "--password-stdin", "verify"],
        ADMIN_PASSWORD + "\n",
    )


def sign_in_and_out(folder: VaultFolder, name: str, password: str, times: int = 1) -> None:
    for _ in range(times):
        unlock(folder, name, password).lock()


def test_a_caseworker_who_puts_the_audit_state_back_is_caught_by_the_anchor(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    staffed_vault.lock()
    key = open_own_slot(read_json(vault_folder.keyring_path), "amina", WORKER_PASSWORD)[
        "database_key"
    ]
    database = open_database(vault_folder.database, key)
    saved = database.execute("SELECT next_seq, head_mac, current_key FROM audit_state").fetchone()
    database.close()

    sign_in_and_out(vault_folder, "amina", WORKER_PASSWORD, times=3)  # her later rows
    sign_in_and_out(vault_folder, "sara", SUPERVISOR_PASSWORD)  # a supervisor: the anchor moves
    code, told = verify(vault_folder)
    assert code == 0, told  # the control: nothing wrong yet

    database = open_database(vault_folder.database, key)
    database.execute("DELETE FROM audit_events WHERE seq >= ?", (saved[0],))
    database.execute(
        "UPDATE audit_state SET next_seq = ?, head_mac = ?, current_key = ?", tuple(saved)
    )
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    database.close()

    code, told = verify(vault_folder)
    assert code == 1, told
    assert "before its anchor" in told and "rolled back" in told


def test_a_database_rolled_back_to_an_older_copy_is_caught(
    staffed_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path
) -> None:
    staffed_vault.checkpoint()
    staffed_vault.lock()
    old_copy = tmp_path / "old.db"
    shutil.copy(vault_folder.database, old_copy)

    sign_in_and_out(vault_folder, "amina", WORKER_PASSWORD, times=2)
    sign_in_and_out(vault_folder, "admin", ADMIN_PASSWORD)
    shutil.copy(old_copy, vault_folder.database)
    for sidecar in ("-wal", "-shm"):
        Path(f"{vault_folder.database}{sidecar}").unlink(missing_ok=True)

    code, told = verify(vault_folder)
    assert code == 1 and "before its anchor" in told, told
    # Signing in to the rolled-back copy does not move the anchor back to hide it.
    sign_in_and_out(vault_folder, "sara", SUPERVISOR_PASSWORD)
    code, told = verify(vault_folder)
    assert code == 1 and "before its anchor" in told, told


def test_a_deleted_anchor_still_leaves_the_backups_heads(
    staffed_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path
) -> None:
    staffed_vault.checkpoint()
    old_copy = tmp_path / "old.db"
    shutil.copy(vault_folder.database, old_copy)
    sign_in_and_out(vault_folder, "amina", WORKER_PASSWORD, times=2)
    staffed_vault.backup("manual")
    staffed_vault.lock()
    shutil.copy(old_copy, vault_folder.database)
    for sidecar in ("-wal", "-shm"):
        Path(f"{vault_folder.database}{sidecar}").unlink(missing_ok=True)
    (vault_folder.folder / "audit-anchor.json").unlink()

    code, told = verify(vault_folder)
    assert code == 1 and "a later backup recorded" in told, told


def test_an_edited_anchor_does_not_verify(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    staffed_vault.lock()
    path = vault_folder.folder / "audit-anchor.json"
    anchor = read_json(path)
    anchor["seq"] = 1
    write_json(path, anchor)
    code, told = verify(vault_folder)
    assert code == 1 and "does not verify" in told, told
