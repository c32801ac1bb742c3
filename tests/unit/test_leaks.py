"""Survivor data never reaches disk in clear: not in the vault's files, not in temp files."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from sqlalchemy import text

from casework.services import accounts, cases, notes, search
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import WORKER_PASSWORD
from tests.factories import actor_of, unlock

NAME = "Zephyrine"
FAMILY = "Quabbelworth"
PHONE = "+254700987123"
NOTE_PHRASE = "Saw the blue Quorvex van"


def files_under(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.rglob("*") if p.is_file()]


def test_a_recorded_survivor_appears_nowhere_in_clear(
    staffed_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path, today: date
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    with amina.transaction() as session:
        detail = cases.record_survivor(
            session,
            actor_of(amina),
            cases.SurvivorInput(
                first_name=NAME,
                last_name=FAMILY,
                intake_date=today,
                phone=PHONE,
                aliases=("Zeph the quiet",),
                safe_contact_note="Only call after 6pm",
            ),
            today,
        )
    with amina.transaction() as session:
        cases.open_case(session, actor_of(amina), detail.case_id)
        cases.caseload_rows(session, actor_of(amina), cases.caseload_ids(session, actor_of(amina)))
        note = notes.add_note(
            session, actor_of(amina), detail.case_id, f"{NOTE_PHRASE} at the market", today, today
        )
        notes.amend_note(
            session, actor_of(amina), note.note_id, f"{NOTE_PHRASE} near the market", today
        )
        assert notes.search_notes(session, actor_of(amina), NOTE_PHRASE)
        assert search.search_people(session, actor_of(amina), FAMILY[:6])
        # A sort big enough to spill, were temp files allowed: they must stay in memory.
        session.execute(text("SELECT body FROM case_notes ORDER BY body")).all()
    staffed_vault.backup("leak-test")
    accounts.disable_user(
        staffed_vault, actor_of(staffed_vault), "bruno"
    )  # a rekey, a checkpoint and a fresh backup
    amina.lock()
    staffed_vault.lock()

    scanned = files_under(vault_folder.folder, Path(tempfile.gettempdir()))
    names = {p.name for p in scanned}
    assert {"safehold.db", "keyring.json"} <= names
    assert any(n.endswith("-leak-test.db") for n in names)
    needles = [
        s.encode() for s in (NAME, FAMILY, PHONE, "Zeph the quiet", "after 6pm", NOTE_PHRASE)
    ]
    needles += [s.encode("utf-16-le") for s in (NAME, FAMILY)]
    for path in scanned:
        data = path.read_bytes()
        assert not data.startswith(b"SQLite format 3\x00") or path.stat().st_size == 0, path
        for needle in needles:
            assert needle not in data, f"{needle!r} found in clear in {path.name}"
