"""Legal matters, hearings and their reminders; the calendar; the case timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from casework.errors import ValidationError
from casework.model.vocab import (
    Attendance,
    ConsentKind,
    DischargeReason,
    LegalMatterKind,
    LegalStatus,
    Modality,
    SessionKind,
)
from casework.services import cases, consent, counseling, legal, notes, shelter, tasks, timeline
from casework.services.timeline import EventKind
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import actor_of, unlock


def test_hearings_raise_reminders_and_fill_the_calendar(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    real_today = date.today()
    with amina.transaction() as session:
        case = cases.record_survivor(
            session,
            actor_of(amina),
            cases.SurvivorInput(first_name="Ines", intake_date=today),
            today,
        )
        matter = legal.open_matter(
            session, actor_of(amina), case.case_id, LegalMatterKind.CRIMINAL, "A. Lawyer"
        )
        when = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
        legal.schedule_hearing(
            session, actor_of(amina), matter, when, "Mombasa Law Courts, room 4", "Testimony"
        )
        with pytest.raises(ValidationError):
            legal.update_matter(session, actor_of(amina), matter, LegalStatus.CLOSED)
        reminders = tasks.my_tasks(session, actor_of(amina), real_today, horizon_days=30).upcoming
        assert [t.due_on for t in reminders] == [when.astimezone().date() - timedelta(days=3)]
        week = legal.calendar(
            session, actor_of(amina), when - timedelta(days=1), when + timedelta(days=1)
        )
        assert [(h.case_reference, h.place) for h in week] == [
            (case.reference, "Mombasa Law Courts, room 4")
        ]
        [view] = legal.case_matters(session, actor_of(amina), case.case_id)
        assert view.lawyer == "A. Lawyer" and len(view.hearings) == 1
    amina.lock()
    bruno = unlock(vault_folder, "bruno", WORKER_PASSWORD)
    with bruno.session() as session:  # not bruno's case: not on his calendar
        assert (
            legal.calendar(
                session, actor_of(bruno), when - timedelta(days=1), when + timedelta(days=1)
            )
            == []
        )
    bruno.lock()


def test_the_timeline_gathers_everything_and_filters_by_kind(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    with staffed_vault.transaction() as session:
        shelter.add_facility(session, actor_of(staffed_vault), "House", {"A": 1})
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    day = today - timedelta(days=5)
    with amina.transaction() as session:
        case = cases.record_survivor(
            session, actor_of(amina), cases.SurvivorInput(first_name="Joy", intake_date=day), today
        )
        notes.add_note(session, actor_of(amina), case.case_id, "First meeting", day, today)
        consent.record_consent(
            session, actor_of(amina), case.case_id, ConsentKind.SERVICES, day, today
        )
        bed = shelter.occupancy(session, actor_of(amina), today)[0].bed_id
        stay = shelter.admit(session, actor_of(amina), case.case_id, bed, day, today)
        shelter.discharge(session, actor_of(amina), stay, today, DischargeReason.MOVED_ON, today)
    with sara.transaction() as session:
        counseling.record_session(
            session,
            actor_of(sara),
            case.case_id,
            today,
            45,
            SessionKind.INDIVIDUAL,
            Modality.IN_PERSON,
            Attendance.ATTENDED,
            "Private words",
            today,
        )
    with amina.transaction() as session:
        events = timeline.case_timeline(session, actor_of(amina), case.case_id)
        kinds = {e.kind for e in events}
        assert {
            EventKind.INTAKE,
            EventKind.NOTE,
            EventKind.CONSENT,
            EventKind.STAY,
            EventKind.COUNSELING,
        } <= kinds
        assert events == sorted(events, key=lambda e: e.on, reverse=True)
        assert not any("Private words" in e.text for e in events)  # counseling notes stay private
        stays = timeline.case_timeline(
            session, actor_of(amina), case.case_id, frozenset({EventKind.STAY})
        )
        assert [e.text.split(",")[0] for e in stays] == [
            "Discharged from shelter: Moved on to planned housing",
            "Admitted to shelter",
        ]
    amina.lock()
    sara.lock()
