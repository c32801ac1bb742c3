"""The intake service refuses dates that contradict the intake date (the importer applies the
same rule, tests/unit/test_importer.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from casework.errors import ValidationError
from casework.model import Case
from casework.services import cases
from casework.services.cases import DatesDisagree, SurvivorInput
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import WORKER_PASSWORD
from tests.factories import actor_of, unlock


@pytest.fixture
def amina(staffed_vault: OpenVault, vault_folder: VaultFolder) -> Iterator[OpenVault]:
    vault = unlock(vault_folder, "amina", WORKER_PASSWORD)
    yield vault
    vault.lock()


def record(vault: OpenVault, today: date, **fields: Any) -> cases.CaseDetail:
    with vault.transaction() as session:
        return cases.record_survivor(
            session, actor_of(vault), SurvivorInput(first_name="Neema", **fields), today
        )


def case_count(vault: OpenVault) -> int:
    with vault.session() as session:
        return session.execute(select(func.count()).select_from(Case)).scalar_one()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"birth_date": date(2026, 3, 2)},
            "birth_date",
            "The birth date is after the intake date; correct one of them.",
        ),
        (
            {"incoming_referral_date": date(2026, 3, 2)},
            "incoming_referral_date",
            "The referral date is after the intake date; correct one of them.",
        ),
    ],
)
def test_intake_refuses_a_date_after_the_intake_date(
    amina: OpenVault, today: date, fields: dict[str, date], field: str, message: str
) -> None:
    with pytest.raises(DatesDisagree) as refused:
        record(amina, today, intake_date=date(2026, 3, 1), **fields)
    assert isinstance(refused.value, ValidationError)  # shown by every form as a validation error
    assert refused.value.field == field and refused.value.message == message
    assert refused.value.code == "dates-disagree"
    assert case_count(amina) == 0


def test_intake_accepts_the_same_day_and_earlier_dates(amina: OpenVault, today: date) -> None:
    intake = date(2026, 3, 1)
    record(amina, today, intake_date=intake, birth_date=intake, incoming_referral_date=intake)
    record(
        amina,
        today,
        intake_date=intake,
        birth_date=intake - timedelta(days=9000),
        incoming_referral_date=intake - timedelta(days=3),
    )
    assert case_count(amina) == 2


def test_every_contradiction_is_named_for_the_importer() -> None:
    intake = date(2026, 3, 1)
    later, earlier = intake + timedelta(days=1), intake - timedelta(days=1)
    found = cases.date_contradictions(intake, later, later, earlier)
    assert [error.field for error in found] == [
        "birth_date",
        "incoming_referral_date",
        "closed_date",
    ]
    assert cases.date_contradictions(intake, intake, intake, intake) == []
    assert cases.date_contradictions(intake) == []
