"""Who sees what: enforced in the services, whatever screen or script calls them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from casework.errors import NotFound, PermissionDenied, ValidationError
from casework.model.vocab import Role
from casework.services import accounts, cases
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import actor_of, unlock


def record(vault: OpenVault, name: str, today: date) -> cases.CaseDetail:
    with vault.transaction() as session:
        return cases.record_survivor(
            session, actor_of(vault), cases.SurvivorInput(first_name=name, intake_date=today), today
        )


# Amina and Bruno, signed in, and a case of each: amina, bruno, mine (Amina's), theirs.
TwoCaseloads = tuple[OpenVault, OpenVault, cases.CaseDetail, cases.CaseDetail]


@pytest.fixture
def two_caseloads(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> Iterator[TwoCaseloads]:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    bruno = unlock(vault_folder, "bruno", WORKER_PASSWORD)
    mine = record(amina, "Aziza", today)
    theirs = record(bruno, "Bilal", today)
    yield amina, bruno, mine, theirs
    amina.lock()
    bruno.lock()


def test_a_caseworker_cannot_reach_another_caseworkers_case(two_caseloads: TwoCaseloads) -> None:
    amina, _bruno, mine, theirs = two_caseloads
    with amina.transaction() as session:
        assert cases.open_case(session, actor_of(amina), mine.case_id).first_name == "Aziza"
        with pytest.raises(NotFound):
            cases.open_case(session, actor_of(amina), theirs.case_id)
    with amina.session() as session:
        assert cases.caseload_ids(session, actor_of(amina)) == [mine.case_id]
        rows = cases.caseload_rows(session, actor_of(amina), [mine.case_id, theirs.case_id])
        assert [r.case_id for r in rows] == [mine.case_id]


def test_a_supervisor_sees_every_case(
    two_caseloads: TwoCaseloads, vault_folder: VaultFolder
) -> None:
    _amina, _bruno, mine, theirs = two_caseloads
    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    with sara.session() as session:
        assert set(cases.caseload_ids(session, actor_of(sara))) == {mine.case_id, theirs.case_id}
    with sara.transaction() as session:
        assert cases.open_case(session, actor_of(sara), theirs.case_id).first_name == "Bilal"
    sara.lock()


def test_an_administrator_sees_no_case_content(
    two_caseloads: TwoCaseloads, staffed_vault: OpenVault
) -> None:
    _amina, _bruno, mine, _theirs = two_caseloads
    admin = staffed_vault
    with admin.transaction() as session:
        with pytest.raises(PermissionDenied):
            cases.open_case(session, actor_of(admin), mine.case_id)
        with pytest.raises(PermissionDenied):
            cases.caseload_ids(session, actor_of(admin))
        with pytest.raises(PermissionDenied):
            cases.caseload_rows(session, actor_of(admin), [mine.case_id])


def test_only_an_administrator_manages_accounts(two_caseloads: TwoCaseloads) -> None:
    amina, *_ = two_caseloads
    with pytest.raises(PermissionDenied):
        accounts.add_user(
            amina,
            actor_of(amina),
            "mallory",
            "a long enough password",
            frozenset({Role.SUPERVISOR}),
        )
    with pytest.raises(PermissionDenied):
        accounts.reset_password(amina, actor_of(amina), "bruno", "a long enough password")
    with pytest.raises(PermissionDenied):
        accounts.disable_user(amina, actor_of(amina), "bruno")
    with pytest.raises(PermissionDenied):
        accounts.set_auto_lock_minutes(amina, actor_of(amina), 30)


def test_a_caseworker_cannot_assign_a_case_to_someone_else(
    two_caseloads: TwoCaseloads, today: date
) -> None:
    amina, bruno, *_ = two_caseloads
    data = cases.SurvivorInput(
        first_name="Cyra", intake_date=today, assigned_caseworker_id=actor_of(bruno).user_id
    )
    with pytest.raises(PermissionDenied), amina.transaction() as session:
        cases.record_survivor(session, actor_of(amina), data, today)


def test_bad_intake_input_is_named(two_caseloads: TwoCaseloads, today: date) -> None:
    amina, *_ = two_caseloads
    bad = [
        (cases.SurvivorInput(first_name="  ", intake_date=today), "first_name"),
        (cases.SurvivorInput(first_name="A", intake_date=date(2030, 1, 1)), "intake_date"),
        (
            cases.SurvivorInput(first_name="A", intake_date=today, birth_date=date(2027, 1, 1)),
            "birth_date",
        ),
        (
            cases.SurvivorInput(first_name="A", intake_date=today, estimated_age=300),
            "estimated_age",
        ),
        (cases.SurvivorInput(first_name="A", intake_date=today, citizenship=("Kenya",)), "country"),
    ]
    for data, field in bad:
        with pytest.raises(ValidationError) as raised, amina.transaction() as session:
            cases.record_survivor(session, actor_of(amina), data, today)
        assert raised.value.field == field
    with amina.session() as session:
        assert len(cases.caseload_ids(session, actor_of(amina))) == 1


def test_auto_lock_minutes_are_an_administrators_setting(staffed_vault: OpenVault) -> None:
    accounts.set_auto_lock_minutes(staffed_vault, actor_of(staffed_vault), 12)
    assert accounts.organisation_info(staffed_vault).auto_lock_minutes == 12
    with pytest.raises(ValidationError):
        accounts.set_auto_lock_minutes(staffed_vault, actor_of(staffed_vault), 0)
