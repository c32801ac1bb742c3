"""Correcting a record after intake: any field, by whoever may see the case, each change kept
with who and when, the old value read only by supervisors; search, the caseload's name order
and the duplicate check follow at once; a field someone else saved meanwhile is not lost."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from casework.application.desk import Desk
from casework.application.types import CaseSort, ChangedMeanwhile, SurvivorInput
from casework.errors import NotFound, ValidationError
from casework.model.vocab import Exploitation, RiskLevel, TraffickingStatus
from casework.services.audit_review import AuditFilter
from casework.vault.vault import VaultFolder
from tests.conftest import SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import actor_of, unlock


def desk_of(folder: VaultFolder, username: str, password: str) -> Desk:
    vault = unlock(folder, username, password)
    return Desk(vault, actor_of(vault))


INTAKE = SurvivorInput(
    first_name="Olna",
    last_name="Petrenko",
    intake_date=date(2026, 11, 2),
    phone="+380 50 111 2233",
    safe_contact_note="Evenings only",
    citizenship=("UA",),
)


def test_a_misspelt_name_and_a_new_phone_are_corrected_and_searched_at_once(
    staffed_vault: object, vault_folder: VaultFolder
) -> None:
    amina = desk_of(vault_folder, "amina", WORKER_PASSWORD)
    case = amina.cases.record_survivor(INTAKE)
    after = replace(
        INTAKE,
        first_name="Olena",
        phone="+380 67 999 8877",
        trafficking_status=TraffickingStatus.ACTUAL,
        exploitation_types=(Exploitation.FORCED_LABOUR,),
        risk_level=RiskLevel.HIGH,
        safe_contact_note="Only through her sister",
    )
    detail = amina.cases.correct_record(case.case_id, INTAKE, after)
    assert (detail.first_name, detail.phone, detail.risk_level) == (
        "Olena",
        "+380 67 999 8877",
        RiskLevel.HIGH,
    )
    assert detail.trafficking_status == TraffickingStatus.ACTUAL
    assert amina.cases.open(case.case_id).safe_contact_note == "Only through her sister"

    people, _notes = amina.cases.find("Olena")
    assert [hit.case_id for hit in people] == [case.case_id]
    assert amina.cases.find("999 8877")[0] and not amina.cases.find("111 2233")[0]
    assert not amina.cases.find("Olna P")[0]
    rows = amina.cases.caseload_window(CaseSort.NAME, False).rows
    assert [r.survivor_name for r in rows] == ["Olena Petrenko"]
    twice = amina.cases.possible_duplicates(replace(INTAKE, first_name="Olena"))
    assert [m.case_id for m in twice] == [case.case_id]

    changes = amina.cases.record_changes(case.case_id)
    assert {c.field for c in changes} == {
        "first_name",
        "phone",
        "trafficking_status",
        "exploitation_types",
        "risk_level",
        "safe_contact_note",
    }
    assert all(c.by == "Amina K." and not c.values_shown for c in changes)
    assert all(c.before is None and c.after is None for c in changes)  # not hers to read
    amina.vault.lock()

    sara = desk_of(vault_folder, "sara", SUPERVISOR_PASSWORD)
    seen = {c.field: (c.before, c.after) for c in sara.cases.record_changes(case.case_id)}
    assert seen["first_name"] == ("Olna", "Olena")
    assert seen["trafficking_status"] == (TraffickingStatus.POSSIBLE, TraffickingStatus.ACTUAL)
    assert seen["exploitation_types"] == ((), (Exploitation.FORCED_LABOUR,))
    events = sara.audit.trail(AuditFilter(case_id=case.case_id, action="survivor.correct"))
    assert len(events) == 1 and events[0].case_reference == case.reference
    sara.vault.lock()


def test_nothing_changed_writes_no_history(
    staffed_vault: object, vault_folder: VaultFolder
) -> None:
    amina = desk_of(vault_folder, "amina", WORKER_PASSWORD)
    case = amina.cases.record_survivor(INTAKE)
    same = replace(INTAKE, first_name="  Olna ", citizenship=("ua",))  # stored alike
    amina.cases.correct_record(case.case_id, INTAKE, same)
    assert amina.cases.record_changes(case.case_id) == []
    amina.vault.lock()


def test_a_field_saved_by_someone_else_meanwhile_is_not_overwritten(
    staffed_vault: object, vault_folder: VaultFolder
) -> None:
    amina = desk_of(vault_folder, "amina", WORKER_PASSWORD)
    case = amina.cases.record_survivor(INTAKE)
    amina.vault.lock()
    sara = desk_of(vault_folder, "sara", SUPERVISOR_PASSWORD)
    sara.cases.correct_record(case.case_id, INTAKE, replace(INTAKE, phone="+380 1"))
    sara.vault.lock()

    amina = desk_of(vault_folder, "amina", WORKER_PASSWORD)
    # Amina's form was filled before Sara's change: her phone would overwrite it.
    with pytest.raises(ChangedMeanwhile, match="phone"):
        amina.cases.correct_record(
            case.case_id, INTAKE, replace(INTAKE, phone="+380 2", email="o@example.org")
        )
    detail = amina.cases.open(case.case_id)
    assert (detail.phone, detail.email) == ("+380 1", "")  # nothing of hers half-saved
    # A field nobody else touched is saved from the same stale form.
    amina.cases.correct_record(case.case_id, INTAKE, replace(INTAKE, email="o@example.org"))
    assert amina.cases.open(case.case_id).email == "o@example.org"
    amina.vault.lock()


def test_a_correction_is_checked_as_the_intake_is(
    staffed_vault: object, vault_folder: VaultFolder
) -> None:
    amina = desk_of(vault_folder, "amina", WORKER_PASSWORD)
    case = amina.cases.record_survivor(INTAKE)
    with pytest.raises(ValidationError, match="first name"):
        amina.cases.correct_record(case.case_id, INTAKE, replace(INTAKE, first_name=" "))
    with pytest.raises(ValidationError, match="birth date is after the intake"):
        amina.cases.correct_record(
            case.case_id, INTAKE, replace(INTAKE, birth_date=date(2026, 11, 20))
        )
    with pytest.raises(ValidationError, match="country"):
        amina.cases.correct_record(case.case_id, INTAKE, replace(INTAKE, citizenship=("UKR",)))
    assert amina.cases.record_changes(case.case_id) == []
    amina.vault.lock()


def test_only_who_may_see_the_case_corrects_it(
    staffed_vault: object, vault_folder: VaultFolder
) -> None:
    amina = desk_of(vault_folder, "amina", WORKER_PASSWORD)
    case = amina.cases.record_survivor(INTAKE)
    amina.vault.lock()
    bruno = desk_of(vault_folder, "bruno", WORKER_PASSWORD)
    with pytest.raises(NotFound):
        bruno.cases.correct_record(case.case_id, INTAKE, replace(INTAKE, first_name="X"))
    with pytest.raises(NotFound):
        bruno.cases.record_changes(case.case_id)
    bruno.vault.lock()
