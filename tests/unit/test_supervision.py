"""Supervision services: dashboard figures (checked against SQL written here), case reviews,
bulk reassignment (access moves with the cases) and erasure requests."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from casework.demo import DEMO_PASSWORD, create_demo_vault
from casework.errors import CaseworkError, ValidationError
from casework.model import Assignment
from casework.model.vocab import ClosureDecision
from casework.services import cases, supervision
from casework.vault.crypto import KdfParams
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import actor_of, unlock


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> VaultFolder:
    folder: Path = tmp_path_factory.mktemp("dash") / "vault"
    create_demo_vault(folder, 400, seed=9, kdf=KdfParams()).vault.lock()
    return VaultFolder(folder)


@pytest.fixture
def supervisor(demo_folder: VaultFolder) -> Iterator[OpenVault]:
    vault = unlock(demo_folder, "supervisor", DEMO_PASSWORD)
    yield vault
    vault.lock()


def test_dashboard_figures_match_the_database(supervisor: OpenVault) -> None:
    today = date.today()
    with supervisor.session() as session:
        board = supervision.dashboard(session, actor_of(supervisor), today, no_contact_days=45)
        open_rows = session.execute(
            text(
                "SELECT u.display_name, count(*) FROM cases c JOIN users u "
                "ON u.id = c.assigned_caseworker_id "
                "WHERE c.status IN ('Active', 'FollowUp') AND c.deleted_at IS NULL "
                "GROUP BY u.display_name"
            )
        ).all()
        month = today.replace(day=1).isoformat()
        new_month = session.execute(
            text("SELECT count(*) FROM cases WHERE intake_date >= :m AND intake_date <= :t"),
            {"m": month, "t": today.isoformat()},
        ).scalar_one()
        silent = session.execute(
            text(
                "SELECT count(*) FROM cases WHERE status IN ('Active', 'FollowUp') "
                "AND coalesce(last_contact_date, intake_date) < :cut"
            ),
            {"cut": (today - timedelta(days=45)).isoformat()},
        ).scalar_one()
        overdue = session.execute(
            text(
                "SELECT u.display_name, count(DISTINCT t.case_id) FROM tasks t "
                "JOIN users u ON u.id = t.assignee_id WHERE t.status = 'open' "
                "AND t.due_on < :t AND t.case_id IS NOT NULL GROUP BY u.display_name"
            ),
            {"t": today.isoformat()},
        ).all()
        pending = session.execute(
            text("SELECT count(DISTINCT case_id) FROM closure_requests WHERE decision='pending'")
        ).scalar_one()
        in_shelter = session.execute(
            text(
                "SELECT count(*) FROM stays WHERE admitted_on <= :t "
                "AND (discharged_on IS NULL OR discharged_on > :t) AND deleted_at IS NULL"
            ),
            {"t": today.isoformat()},
        ).scalar_one()
    assert {f.label: f.value for f in board.open_by_caseworker} == dict(open_rows)
    assert board.new_this_month.value == new_month
    assert board.new_this_quarter.value >= board.new_this_month.value
    assert board.no_recent_contact.value == silent > 0
    assert {f.label: f.value for f in board.overdue_tasks_by_caseworker} == dict(overdue)
    assert board.pending_approvals.value == pending
    assert board.sheltered_today.value == in_shelter and board.beds >= in_shelter
    assert len(board.occupancy_weeks) == 12
    assert all(f.value == len(set(f.case_ids)) for f in board.figures())


def test_only_supervisors_see_the_dashboard(demo_folder: VaultFolder) -> None:
    worker = unlock(demo_folder, "caseworker", DEMO_PASSWORD)
    with pytest.raises(CaseworkError), worker.session() as session:
        supervision.dashboard(session, actor_of(worker), date.today())
    worker.lock()


def _case_for(vault: OpenVault, name: str, today: date) -> str:
    with vault.transaction() as session:
        return cases.record_survivor(
            session, actor_of(vault), cases.SurvivorInput(first_name=name, intake_date=today), today
        ).case_id


def test_reviews_schedule_the_next_one(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    case_id = _case_for(amina, "Ana", today)
    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    with pytest.raises(CaseworkError), amina.transaction() as session:
        supervision.record_review(session, actor_of(amina), case_id, today, "ok", None, today)
    with pytest.raises(ValidationError, match="after this one"), sara.transaction() as session:
        supervision.record_review(session, actor_of(sara), case_id, today, "ok", today, today)
    with sara.transaction() as session:
        supervision.record_review(
            session,
            actor_of(sara),
            case_id,
            today - timedelta(days=40),
            "Safety plan in place; housing pending.",
            today - timedelta(days=10),
            today,
        )
        board = supervision.dashboard(session, actor_of(sara), today)
        assert case_id in board.reviews_overdue.case_ids
        supervision.record_review(
            session, actor_of(sara), case_id, today, "Housed.", today + timedelta(days=90), today
        )
        board = supervision.dashboard(session, actor_of(sara), today)
        assert case_id not in board.reviews_overdue.case_ids
        reviews = supervision.case_reviews(session, actor_of(sara), case_id)
    assert [r.summary for r in reviews] == ["Housed.", "Safety plan in place; housing pending."]
    assert reviews[0].reviewer == "Sara M."
    amina.lock()
    sara.lock()


def test_bulk_reassignment_moves_access(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    moved = [_case_for(amina, name, today) for name in ("Ana", "Bea", "Cruz")]
    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    with sara.transaction() as session:
        bruno_id = next(
            uid for uid, name in cases.caseworkers(session, actor_of(sara)) if name == "Bruno L."
        )
        handover = supervision.open_cases_of(session, actor_of(sara), actor_of(amina).user_id)
        assert sorted(handover) == sorted(moved)
        with pytest.raises(ValidationError, match="Say why"):
            supervision.reassign_many(session, actor_of(sara), handover, bruno_id, " ")
        count = supervision.reassign_many(
            session, actor_of(sara), handover, bruno_id, "Amina is on leave"
        )
    assert count == 3
    with amina.session() as session:
        for case_id in moved:
            with pytest.raises(CaseworkError):
                cases.open_case(session, actor_of(amina), case_id)
    bruno = unlock(vault_folder, "bruno", WORKER_PASSWORD)
    with bruno.session() as session:
        assert all(cases.open_case(session, actor_of(bruno), c).case_id == c for c in moved)
        reasons = (
            session.execute(select(Assignment.reason).where(Assignment.case_id.in_(moved)))
            .scalars()
            .all()
        )
        actions = session.execute(
            text("SELECT action FROM audit_events WHERE action = 'case.reassign'")
        ).all()
    assert list(reasons).count("Amina is on leave") == 3 and len(actions) == 3
    for vault in (amina, bruno, sara):
        vault.lock()


def test_erasure_requests_are_decided_with_a_comment(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    case_id = _case_for(amina, "Dana", today)
    with amina.transaction() as session:
        with pytest.raises(ValidationError):
            supervision.request_erasure(session, actor_of(amina), case_id, "")
        request_id = supervision.request_erasure(
            session, actor_of(amina), case_id, "Asked in person on 2026-11-20; consent withdrawn."
        )
        with pytest.raises(ValidationError, match="already waiting"):
            supervision.request_erasure(session, actor_of(amina), case_id, "again")
    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    with sara.transaction() as session:
        [waiting] = supervision.erasure_requests(session, actor_of(sara))
        assert waiting.case_id == case_id and waiting.requested_by == "Amina K."
        with pytest.raises(ValidationError, match="Say why"):
            supervision.decide_erasure(session, actor_of(sara), request_id, False, "")
        supervision.decide_erasure(
            session, actor_of(sara), request_id, False, "Court order requires we keep the file."
        )
        assert supervision.erasure_requests(session, actor_of(sara)) == []
    with amina.session() as session:
        [seen] = supervision.erasure_requests(session, actor_of(amina), False, case_id)
    assert seen.decision == ClosureDecision.REJECTED and seen.decided_by == "Sara M."
    assert "Court order" in seen.decision_comment
    by_kind: dict[str, int] = defaultdict(int)
    with sara.session() as session:
        for (action,) in session.execute(text("SELECT action FROM audit_events")).all():
            by_kind[action] += 1
    assert by_kind["case.erasure.request"] == 1 and by_kind["case.erasure.rejected"] == 1
    amina.lock()
    sara.lock()
