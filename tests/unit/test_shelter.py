"""Shelter rules: one person per bed, nights counted by date, the waiting list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from casework.errors import PermissionDenied, ValidationError
from casework.model.vocab import DischargeReason
from casework.services import cases, shelter
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import WORKER_PASSWORD
from tests.factories import actor_of, unlock

# Amina, signed in, and four cases of hers: Ana, Bea, Cy and Dee.
House = tuple[OpenVault, list[cases.CaseDetail]]


@pytest.fixture
def house(staffed_vault: OpenVault, vault_folder: VaultFolder, today: date) -> Iterator[House]:
    with staffed_vault.transaction() as session:
        shelter.add_facility(
            session, actor_of(staffed_vault), "Harbour House", {"Blue": 2, "Green": 1}
        )
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    people = []
    with amina.transaction() as session:
        for name in ("Ana", "Bea", "Cy", "Dee"):
            people.append(
                cases.record_survivor(
                    session,
                    actor_of(amina),
                    cases.SurvivorInput(first_name=name, intake_date=today),
                    today,
                )
            )
    yield amina, people
    amina.lock()


def test_only_an_administrator_sets_up_beds(house: House) -> None:
    amina, _ = house
    with pytest.raises(PermissionDenied), amina.transaction() as session:
        shelter.add_facility(session, actor_of(amina), "Elsewhere", {"A": 1})


def test_a_bed_cannot_hold_two_people_at_once(house: House, today: date) -> None:
    amina, (ana, bea, *_rest) = house
    start = today - timedelta(days=10)
    with amina.transaction() as session:
        board = shelter.occupancy(session, actor_of(amina), today)
        assert [b.bed for b in board] == ["Blue-1", "Blue-2", "Green-1"] and all(
            b.free for b in board
        )
        bed = board[0].bed_id
        shelter.admit(session, actor_of(amina), ana.case_id, bed, start, today)
        with pytest.raises(ValidationError, match="taken"):
            shelter.admit(session, actor_of(amina), bea.case_id, bed, today, today)
        with pytest.raises(ValidationError, match="taken"):  # backdated into the same bed
            shelter.admit(
                session, actor_of(amina), bea.case_id, bed, start - timedelta(days=5), today
            )
        with pytest.raises(ValidationError, match="already has a bed"):
            shelter.admit(session, actor_of(amina), ana.case_id, board[1].bed_id, today, today)
        board = shelter.occupancy(session, actor_of(amina), today)
        assert (board[0].case_reference, board[0].preferred_name, board[0].since) == (
            ana.reference,
            "Ana",
            start,
        )
        stay_id = board[0].stay_id
        assert stay_id is not None
        shelter.discharge(
            session,
            actor_of(amina),
            stay_id,
            today - timedelta(days=2),
            DischargeReason.MOVED_ON,
            today,
        )
        shelter.admit(session, actor_of(amina), bea.case_id, bed, today - timedelta(days=2), today)
        assert shelter.occupancy(session, actor_of(amina), today)[0].preferred_name == "Bea"
        # On a night during Ana's stay, the board shows Ana.
        assert (
            shelter.occupancy(session, actor_of(amina), start + timedelta(days=1))[0].preferred_name
            == "Ana"
        )
        with pytest.raises(ValidationError):
            shelter.discharge(
                session, actor_of(amina), stay_id, today, DischargeReason.OTHER, today
            )


def test_nights_are_counted_by_date_and_split_across_quarters() -> None:
    assert (
        shelter.nights(date(2026, 3, 3), date(2026, 3, 5), date(2026, 1, 1), date(2026, 4, 1)) == 2
    )
    q1, q2 = (date(2026, 1, 1), date(2026, 4, 1)), (date(2026, 4, 1), date(2026, 7, 1))
    stay = (date(2026, 3, 30), date(2026, 4, 3))  # nights of 30 and 31 March, 1 and 2 April
    assert shelter.nights(*stay, *q1) == 2 and shelter.nights(*stay, *q2) == 2
    assert shelter.nights(date(2026, 3, 30), None, *q1) == 2  # ongoing: up to the period's end
    assert shelter.nights(date(2026, 5, 1), date(2026, 5, 1), *q2) == 0


def test_shelter_nights_over_all_stays(house: House, today: date) -> None:
    amina, (ana, bea, *_rest) = house
    with amina.transaction() as session:
        board = shelter.occupancy(session, actor_of(amina), today)
        shelter.admit(
            session, actor_of(amina), ana.case_id, board[0].bed_id, today - timedelta(days=6), today
        )
        shelter.admit(
            session, actor_of(amina), bea.case_id, board[1].bed_id, today - timedelta(days=3), today
        )
        assert shelter.shelter_nights(session, today - timedelta(days=6), today) == 6 + 3
        stays = shelter.case_stays(session, actor_of(amina), ana.case_id)
    assert [(s.bed, s.discharged_on) for s in stays] == [("Blue-1", None)]


def test_the_waiting_list_orders_by_priority_and_closes_on_admission(
    house: House, today: date
) -> None:
    amina, (ana, bea, _cy, _dee) = house
    with amina.transaction() as session:
        shelter.add_to_waiting_list(session, actor_of(amina), ana.case_id, today, priority=2)
        shelter.add_to_waiting_list(session, actor_of(amina), bea.case_id, today, priority=1)
        with pytest.raises(ValidationError):
            shelter.add_to_waiting_list(session, actor_of(amina), bea.case_id, today)
        assert [w.preferred_name for w in shelter.waiting_list(session, actor_of(amina))] == [
            "Bea",
            "Ana",
        ]
        bed = shelter.occupancy(session, actor_of(amina), today)[2].bed_id
        shelter.admit(session, actor_of(amina), bea.case_id, bed, today, today)
        assert [w.preferred_name for w in shelter.waiting_list(session, actor_of(amina))] == ["Ana"]


def test_a_closed_case_gets_no_bed_until_it_is_reopened(
    house: House, vault_folder: VaultFolder, today: date
) -> None:
    from casework.model.vocab import ClosureReason
    from casework.services import lifecycle
    from tests.conftest import SUPERVISOR_PASSWORD

    amina, (ana, *_rest) = house
    with amina.transaction() as session:
        request = lifecycle.request_closure(
            session, actor_of(amina), ana.case_id, ClosureReason.GOALS_MET, "Housed"
        )
    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    with sara.transaction() as session:
        lifecycle.decide_closure(session, actor_of(sara), request, True, today=today)
    sara.lock()
    with amina.transaction() as session:
        bed = shelter.occupancy(session, actor_of(amina), today)[0].bed_id
        with pytest.raises(ValidationError, match="Reopen it before"):
            shelter.admit(session, actor_of(amina), ana.case_id, bed, today, today)
        with pytest.raises(ValidationError, match="Reopen it before"):
            shelter.add_to_waiting_list(session, actor_of(amina), ana.case_id, today)
        assert shelter.occupancy(session, actor_of(amina), today)[0].free
