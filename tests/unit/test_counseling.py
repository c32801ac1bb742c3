"""Counseling notes are read by the counselor who wrote them and by supervisors only."""

from __future__ import annotations

from datetime import date

import pytest

from casework.errors import ValidationError
from casework.model.vocab import Attendance, Modality, SessionKind
from casework.services import cases, counseling
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import actor_of, unlock


def test_notes_follow_the_counseling_permission(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    with amina.transaction() as session:
        case = cases.record_survivor(
            session,
            actor_of(amina),
            cases.SurvivorInput(first_name="Neema", intake_date=today),
            today,
        )
    with sara.transaction() as session:  # the supervisor counsels
        counseling.record_session(
            session,
            actor_of(sara),
            case.case_id,
            today,
            50,
            SessionKind.INDIVIDUAL,
            Modality.IN_PERSON,
            Attendance.ATTENDED,
            "Spoke about nightmares",
            today,
        )
    with amina.transaction() as session:
        counseling.record_session(
            session,
            actor_of(amina),
            case.case_id,
            today,
            30,
            SessionKind.CRISIS,
            Modality.PHONE,
            Attendance.ATTENDED,
            "Calmed after a panic attack",
            today,
        )
        with pytest.raises(ValidationError):
            counseling.record_session(
                session,
                actor_of(amina),
                case.case_id,
                today,
                2,
                SessionKind.GROUP,
                Modality.VIDEO,
                Attendance.NO_SHOW,
                "",
                today,
            )
    with amina.transaction() as session:
        mine = {
            s.counselor: s for s in counseling.case_sessions(session, actor_of(amina), case.case_id)
        }
    assert mine["Amina K."].notes == "Calmed after a panic attack"
    assert mine["Sara M."].notes is None and mine["Sara M."].notes_hidden  # not hers to read
    assert mine["Sara M."].duration_minutes == 50  # that it happened is not secret
    with sara.transaction() as session:
        hers = counseling.case_sessions(session, actor_of(sara), case.case_id)
    assert {s.notes for s in hers} == {"Spoke about nightmares", "Calmed after a panic attack"}
    amina.lock()
    sara.lock()
