"""Corruption and surprises: each gives a plain message, keeps the damaged file as it was, and
never puts an empty vault in its place; a full disk loses nothing already saved."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from casework.errors import DiskFull, VaultDamaged, WrongCredentials
from casework.services import cases, notes
from casework.services.integrity import check_database
from casework.vault.opened import OpenVault, database_errors
from casework.vault.vault import VaultFolder
from tests.conftest import ADMIN_PASSWORD, FAST_KDF, WORKER_PASSWORD
from tests.factories import actor_of, create_vault, unlock


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def settle(vault: OpenVault) -> None:
    vault.checkpoint()
    vault.lock()


def test_a_flipped_byte_is_reported_and_the_damage_kept(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    """A damaged page may not be read at sign-in (that would mean reading every page); the
    integrity check (verify, in the app or safehold-admin) reports it, and nothing overwrites
    the damaged page."""
    settle(staffed_vault)
    db = vault_folder.database
    data = bytearray(db.read_bytes())
    offset = len(data) // 2
    data[offset] ^= 0x5A
    db.write_bytes(bytes(data))
    message = ""
    try:
        opened = unlock(vault_folder, "admin", ADMIN_PASSWORD)
    except VaultDamaged as damaged:
        message = damaged.message
    else:
        message = check_database(opened)
        opened.lock()
    assert message and message != "ok"
    assert db.read_bytes()[offset] == data[offset]  # the damage is kept as found


def test_a_database_from_another_vault_is_refused(
    staffed_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path
) -> None:
    other = create_vault(
        VaultFolder(tmp_path / "other"),
        org_name="Elsewhere",
        country="UG",
        province="",
        admin_username="admin",
        admin_password=ADMIN_PASSWORD,
        kdf=FAST_KDF,
    )
    settle(other.vault)
    settle(staffed_vault)
    for sidecar in vault_folder.folder.glob("safehold.db-*"):
        sidecar.unlink()
    shutil.copy(other.vault.folder.database, vault_folder.database)
    before = digest(vault_folder.database)
    with pytest.raises(VaultDamaged, match="restore it from a backup"):
        unlock(vault_folder, "admin", ADMIN_PASSWORD)
    assert digest(vault_folder.database) == before


def test_a_lost_wal_after_a_crash_leaves_a_sound_older_vault(
    staffed_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path, today: date
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    with amina.transaction() as session:
        case_id = cases.record_survivor(
            session,
            actor_of(amina),
            cases.SurvivorInput(first_name="Kept", intake_date=today),
            today,
        ).case_id
    amina.checkpoint()
    with amina.transaction() as session:  # only in the -wal file when the "crash" comes
        notes.add_note(session, actor_of(amina), case_id, "after the checkpoint", today, today)
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("safehold.db", "keyring.json"):  # the -wal is lost
        shutil.copy(vault_folder.folder / name, copy / name)
    amina.lock()
    staffed_vault.lock()
    reopened = unlock(VaultFolder(copy), "amina", WORKER_PASSWORD)
    assert check_database(reopened) == "ok"
    with reopened.session() as session:
        assert cases.open_case(session, actor_of(reopened), case_id).first_name == "Kept"
    reopened.lock()


def test_a_full_disk_loses_nothing_already_saved(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    with amina.transaction() as session:
        case_id = cases.record_survivor(
            session,
            actor_of(amina),
            cases.SurvivorInput(first_name="Saved", intake_date=today),
            today,
        ).case_id
        notes.add_note(
            session, actor_of(amina), case_id, "saved before the disk filled", today, today
        )
    with (
        pytest.raises(DiskFull, match="disk is full"),
        database_errors(),
        amina.transaction() as session,
    ):
        pages = session.execute(text("PRAGMA page_count")).scalar_one()
        session.execute(text(f"PRAGMA max_page_count = {pages}"))
        for _ in range(40):  # more than the pages left can hold
            notes.add_note(session, actor_of(amina), case_id, "x" * 90_000, today, today)
    amina.lock()
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    with amina.session() as session:
        bodies = [n.body for n in notes.case_notes(session, actor_of(amina), case_id)]
    assert bodies == ["saved before the disk filled"]
    assert check_database(amina) == "ok"
    amina.lock()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    junk=st.one_of(
        st.binary(max_size=400),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda children: (
                st.lists(children, max_size=4)
                | st.dictionaries(st.text(max_size=12), children, max_size=4)
            ),
            max_leaves=12,
        ).map(lambda value: json.dumps(value).encode()),
    )
)
def test_any_keyring_bytes_give_a_clear_refusal(tmp_path: Path, junk: bytes) -> None:
    folder = VaultFolder(tmp_path / "fuzzed")
    folder.folder.mkdir(exist_ok=True)
    folder.keyring_path.write_bytes(junk)
    folder.database.write_bytes(b"")
    with pytest.raises((VaultDamaged, WrongCredentials)):
        unlock(folder, "admin", ADMIN_PASSWORD)
    assert folder.keyring_path.read_bytes() == junk
