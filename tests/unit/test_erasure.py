"""Forgetting a person: after an approved erasure, the database (opened with its key) holds no
trace of them, the full-text indexes included; someone else's records are untouched."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from casework.application.desk import Desk
from casework.errors import CaseworkError
from casework.model.vocab import (
    Attendance,
    Confidentiality,
    ConsentKind,
    LegalMatterKind,
    Modality,
    SessionKind,
)
from casework.services import (
    attachments,
    cases,
    consent,
    corrections,
    counseling,
    legal,
    notes,
    search,
)
from casework.vault.engine import raw_connection
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import actor_of, unlock

TRACES = ["Qzxwvera", "Vyxqorn", "+254 799 111 222", "plumvault", "Kestrelgrove", "ochrequill"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16 + b"ochrequill-attachment"


def record(vault: OpenVault, first: str, last: str, today: date) -> str:
    with vault.transaction() as session:
        return cases.record_survivor(
            session,
            actor_of(vault),
            cases.SurvivorInput(
                first_name=first,
                last_name=last,
                aliases=("Kestrelgrove",) if first == "Qzxwvera" else (),
                phone="+254 799 111 222" if first == "Qzxwvera" else "",
                intake_date=today,
            ),
            today,
        ).case_id


def dump(folder: VaultFolder, key: bytes) -> tuple[str, bool]:
    """Every row of every table, shadow tables of the FTS5 indexes included, as text; and
    whether the people index still holds the rare trigrams of the erased name."""
    connection = raw_connection(folder.database, key)
    try:
        tables = [
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        parts = []
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):  # noqa: S608
                for value in row:
                    if isinstance(value, bytes):
                        parts.append(value.decode("utf-8", "replace"))
                    else:
                        parts.append(str(value))
        connection.execute(
            "CREATE VIRTUAL TABLE temp.notes_terms USING fts5vocab(main, 'notes_fts', 'row')"
        )
        parts.extend(r[0] for r in connection.execute("SELECT term FROM temp.notes_terms"))
        connection.execute(
            "CREATE VIRTUAL TABLE temp.people_terms USING fts5vocab(main, 'people_fts', 'row')"
        )
        trigrams = {r[0] for r in connection.execute("SELECT term FROM temp.people_terms")}
    finally:
        connection.close()
    return "\n".join(parts), bool({"qzx", "zxw", "xwv"} & trigrams)


def test_an_approved_erasure_leaves_no_trace(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date, tmp_path: Path
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    gone = record(amina, "Qzxwvera", "Vyxqorn", today)
    kept = record(amina, "Imani", "Otieno", today)
    with amina.transaction() as session:
        notes.add_note(session, actor_of(amina), gone, "Met at plumvault market", today, today)
        notes.add_note(
            session,
            actor_of(amina),
            gone,
            "Sensitive: plumvault threats",
            today,
            today,
            Confidentiality.SENSITIVE,
        )
        notes.add_note(session, actor_of(amina), kept, "Imani found work", today, today)
        consent.record_consent(
            session,
            actor_of(amina),
            gone,
            ConsentKind.SERVICES,
            today,
            today,
            purpose="plumvault services",
        )
        counseling.record_session(
            session,
            actor_of(amina),
            gone,
            today,
            45,
            SessionKind.INDIVIDUAL,
            Modality.IN_PERSON,
            Attendance.ATTENDED,
            "plumvault grounding",
            today,
        )
        legal.open_matter(
            session, actor_of(amina), gone, LegalMatterKind.IMMIGRATION, "plumvault law"
        )
        upload = tmp_path / "photo.png"
        upload.write_bytes(PNG)
        attachments.add_attachment(
            session,
            actor_of(amina),
            gone,
            "ochrequill.png",
            attachments.read_upload(session, upload),
            "",
        )
        # A corrected phone: the number it replaced is kept in the record's history.
        as_recorded = cases.SurvivorInput(
            first_name="Qzxwvera",
            last_name="Vyxqorn",
            aliases=("Kestrelgrove",),
            phone="+254 799 111 222",
            intake_date=today,
        )
        corrections.correct_record(
            session,
            actor_of(amina),
            gone,
            as_recorded,
            replace(as_recorded, phone="+254 700 000 001"),
            today,
        )
    before, indexed = dump(vault_folder, staffed_vault.secrets.database_key)
    assert all(trace in before for trace in TRACES) and indexed  # the dump would see them
    Desk(amina, actor_of(amina)).supervision.request_erasure(gone, "Asked in person; plumvault")
    amina.lock()

    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    older = sara.backup("before-erasure")  # still holds the person
    desk = Desk(sara, actor_of(sara))
    (request,) = desk.supervision.erasure_requests()
    desk.supervision.decide_erasure(request.request_id, True, "")
    with sara.session() as session:
        assert search.search_people(session, actor_of(sara), "Qzxwvera") == []
        assert search.search_people(session, actor_of(sara), "Kestrelgrove") == []
        assert notes.search_notes(session, actor_of(sara), "plumvault") == []
        assert [h.case_id for h in search.search_people(session, actor_of(sara), "Imani")] == [kept]
        with pytest.raises(CaseworkError):
            cases.open_case(session, actor_of(sara), gone)
        actions = [r[0] for r in session.execute(text("SELECT action FROM audit_events")).all()]
        tombstones = session.execute(text("SELECT case_ids FROM erasures")).scalars().all()
    assert "survivor.erased" in actions and gone in tombstones[0]
    expired = json.loads((older.parent / "expired.json").read_text())
    assert older.name in expired
    sara.lock()
    assert (
        not (vault_folder.folder / "safehold.db-wal").exists()
        or (vault_folder.folder / "safehold.db-wal").stat().st_size == 0
    )
    after, indexed = dump(vault_folder, staffed_vault.secrets.database_key)
    for trace in TRACES:
        assert trace not in after, trace
    assert not indexed
    assert "Imani found work" in after
