"""Retention rules: previewed in counts, run on a daily schedule, audited; only what the rule
names is removed."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text, update

from casework.errors import PermissionDenied, ValidationError
from casework.model import AuditEvent, Case, CaseNote
from casework.model.vocab import CaseStatus
from casework.services import cases, notes, retention
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import WORKER_PASSWORD
from tests.factories import actor_of, unlock


def person(vault: OpenVault, name: str, today: date, closed_years_ago: float | None) -> str:
    with vault.transaction() as session:
        case_id = cases.record_survivor(
            session, actor_of(vault), cases.SurvivorInput(first_name=name, intake_date=today), today
        ).case_id
        notes.add_note(session, actor_of(vault), case_id, f"{name} narrative note", today, today)
        if closed_years_ago is not None:
            closed = today - timedelta(days=int(365.25 * closed_years_ago))
            session.execute(
                update(Case)
                .where(Case.id == case_id)
                .values(status=CaseStatus.CLOSED, closed_date=closed, intake_date=closed)
            )
    return case_id


def test_rules_preview_then_purge_notes_and_erase_people(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    old = person(amina, "Olderra", today, 6)
    recent = person(amina, "Recenta", today, 1)
    still_open = person(amina, "Openia", today, None)
    admin = staffed_vault
    with admin.session() as session:
        with pytest.raises(ValidationError):
            retention.preview(session, actor_of(admin), retention.PURGE_NOTES, 0, today)
        purge = retention.preview(session, actor_of(admin), retention.PURGE_NOTES, 5, today)
        erase = retention.preview(session, actor_of(admin), retention.ERASE_CASES, 5, today)
    assert (purge.cases, purge.people, purge.notes) == (1, 1, 1)
    assert (erase.cases, erase.people) == (1, 1)
    with admin.transaction() as session:
        rule = retention.add_rule(session, actor_of(admin), retention.PURGE_NOTES, 5)
        done = retention.run_rule(session, actor_of(admin), rule.rule_id, today)
    assert (done.cases, done.notes) == (1, 1)
    with amina.session() as session:
        assert notes.search_notes(session, actor_of(amina), "Olderra") == []
        assert notes.search_notes(session, actor_of(amina), "Recenta")
        assert cases.open_case(session, actor_of(amina), old).first_name == "Olderra"  # kept
        remaining = session.execute(select(CaseNote.case_id)).scalars().all()
    assert sorted(remaining) == sorted([recent, still_open])
    with admin.transaction() as session:
        eraser = retention.add_rule(session, actor_of(admin), retention.ERASE_CASES, 5)
        retention.run_rule(session, actor_of(admin), eraser.rule_id, today)
        runs = (
            session.execute(select(AuditEvent.detail).where(AuditEvent.action == "retention.run"))
            .scalars()
            .all()
        )
        assert json.loads(runs[0]) == {"cases": 1, "notes": 1, "people": 1}
        assert session.execute(text("SELECT count(*) FROM erasures")).scalar_one() == 1
    with amina.session() as session:
        ids = cases.caseload_ids(session, actor_of(amina))
    assert sorted(ids) == sorted([recent, still_open])
    amina.lock()


def test_rules_run_daily_and_only_administrators_set_them(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    person(amina, "Ancienna", today, 8)
    with pytest.raises(PermissionDenied), amina.session() as session:
        retention.preview(session, actor_of(amina), retention.PURGE_NOTES, 5, today)
    with staffed_vault.transaction() as session:
        retention.add_rule(session, actor_of(staffed_vault), retention.PURGE_NOTES, 5)
    with amina.transaction() as session:  # the schedule runs from anyone's session
        assert [d.notes for d in retention.run_due(session, actor_of(amina), today)] == [1]
        assert retention.run_due(session, actor_of(amina), today) == []  # not again today
    amina.lock()
