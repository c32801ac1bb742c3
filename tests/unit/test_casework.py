"""Casework rules: consent, the case lifecycle, notes, tasks, search and duplicates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from casework.errors import NotFound, PermissionDenied, ValidationError
from casework.model.vocab import (
    CaseStatus,
    ClosureDecision,
    ClosureReason,
    Confidentiality,
    ConsentKind,
    RiskLevel,
    TaskSource,
)
from casework.services import cases, consent, lifecycle, notes, search, tasks
from casework.services.cases import CaseFilter
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import actor_of, unlock

# Two caseworkers and a supervisor, each signed in: amina, bruno, sara.
Team = tuple[OpenVault, OpenVault, OpenVault]


@pytest.fixture
def team(staffed_vault: OpenVault, vault_folder: VaultFolder) -> Iterator[Team]:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    bruno = unlock(vault_folder, "bruno", WORKER_PASSWORD)
    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    yield amina, bruno, sara
    for vault in (amina, bruno, sara):
        vault.lock()


def new_case(vault: OpenVault, today: date, **fields: Any) -> cases.CaseDetail:
    fields.setdefault("first_name", "Olena")
    with vault.transaction() as session:
        return cases.record_survivor(
            session, actor_of(vault), cases.SurvivorInput(intake_date=today, **fields), today
        )


def test_a_release_defaults_to_90_days_and_expiry_raises_one_task(team: Team, today: date) -> None:
    amina, _bruno, _sara = team
    case = new_case(amina, today)
    with amina.transaction() as session:
        release = consent.record_consent(
            session,
            actor_of(amina),
            case.case_id,
            ConsentKind.RELEASE,
            today - timedelta(days=80),
            today,
            partner_organisation="Legal Aid Kenya",
            purpose="Immigration advice",
        )
    assert release.expires_on == today + timedelta(days=10)
    with amina.transaction() as session:
        assert tasks.raise_reminders(session, actor_of(amina), today) == 1
        assert tasks.raise_reminders(session, actor_of(amina), today) == 0
        upcoming = tasks.my_tasks(session, actor_of(amina), today).upcoming
    assert [t.source for t in upcoming] == [TaskSource.CONSENT_EXPIRY]
    assert "Legal Aid Kenya" in upcoming[0].title and upcoming[0].due_on == release.expires_on


def test_withdrawn_or_expired_consent_stops_data_leaving(team: Team, today: date) -> None:
    amina, _bruno, _sara = team
    case = new_case(amina, today)
    with amina.transaction() as session:
        release = consent.record_consent(
            session,
            actor_of(amina),
            case.case_id,
            ConsentKind.RELEASE,
            today,
            today,
            expires_on=today + timedelta(days=30),
            partner_organisation="Clinic A",
            purpose="Care",
        )
        consent.record_consent(
            session, actor_of(amina), case.case_id, ConsentKind.AGGREGATE_REPORTING, today, today
        )
    with amina.session() as session:
        consent.require_consent(session, case.survivor_id, ConsentKind.RELEASE, today, "clinic a")
        with pytest.raises(consent.ConsentMissing, match="Clinic B"):
            consent.require_consent(
                session, case.survivor_id, ConsentKind.RELEASE, today, "Clinic B"
            )
        with pytest.raises(consent.ConsentMissing):  # expired by then
            consent.require_consent(
                session,
                case.survivor_id,
                ConsentKind.RELEASE,
                today + timedelta(days=31),
                "Clinic A",
            )
        assert consent.has_consent(
            session, case.survivor_id, ConsentKind.AGGREGATE_REPORTING, today
        )
        assert not consent.has_consent(session, case.survivor_id, ConsentKind.RECORD_SHARING, today)
    with amina.transaction() as session:
        consent.withdraw_consent(session, actor_of(amina), case.case_id, release.consent_id, today)
    with amina.session() as session, pytest.raises(consent.ConsentMissing):
        consent.require_consent(session, case.survivor_id, ConsentKind.RELEASE, today, "Clinic A")
    with pytest.raises(ValidationError), amina.transaction() as session:
        consent.record_consent(
            session,
            actor_of(amina),
            case.case_id,
            ConsentKind.RELEASE,
            today,
            today,
            partner_organisation="",
            purpose="x",
        )


def test_closing_a_case_needs_a_supervisors_approval(team: Team, today: date) -> None:
    amina, _bruno, sara = team
    case = new_case(amina, today)
    with amina.transaction() as session:
        request_id = lifecycle.request_closure(
            session, actor_of(amina), case.case_id, ClosureReason.GOALS_MET
        )
        with pytest.raises(ValidationError):  # one pending request at a time
            lifecycle.request_closure(
                session, actor_of(amina), case.case_id, ClosureReason.GOALS_MET
            )
        with pytest.raises(PermissionDenied):
            lifecycle.decide_closure(session, actor_of(amina), request_id, approve=True)
    with sara.transaction() as session:
        assert [r.request_id for r in lifecycle.closure_requests(session, actor_of(sara))] == [
            request_id
        ]
        with pytest.raises(ValidationError):  # a rejection says why
            lifecycle.decide_closure(session, actor_of(sara), request_id, approve=False)
        lifecycle.decide_closure(
            session, actor_of(sara), request_id, approve=False, comment="Court date pending"
        )
    with amina.transaction() as session:
        assert cases.open_case(session, actor_of(amina), case.case_id).status == CaseStatus.ACTIVE
        [rejected] = lifecycle.closure_requests(
            session, actor_of(amina), pending_only=False, case_id=case.case_id
        )
        assert (
            rejected.decision == ClosureDecision.REJECTED
            and rejected.decision_comment == "Court date pending"
        )
        second = lifecycle.request_closure(
            session, actor_of(amina), case.case_id, ClosureReason.REFERRED, referred=True
        )
    with sara.transaction() as session:
        lifecycle.decide_closure(session, actor_of(sara), second, approve=True, today=today)
    with amina.transaction() as session:
        closed = cases.open_case(session, actor_of(amina), case.case_id)
        assert (closed.status, closed.closure_reason, closed.closed_date) == (
            CaseStatus.CLOSED_REFERRED,
            ClosureReason.REFERRED,
            today,
        )
        with pytest.raises(ValidationError):
            lifecycle.reopen(session, actor_of(amina), case.case_id, "")
        lifecycle.reopen(session, actor_of(amina), case.case_id, "She came back for support")
        history = lifecycle.status_history(session, actor_of(amina), case.case_id)
    assert [h.to_status for h in history] == [
        CaseStatus.ACTIVE,
        CaseStatus.CLOSED_REFERRED,
        CaseStatus.ACTIVE,
    ]


def test_only_a_supervisor_reassigns_and_the_history_is_kept(team: Team, today: date) -> None:
    amina, bruno, sara = team
    case = new_case(amina, today)
    with pytest.raises(PermissionDenied), amina.transaction() as session:
        lifecycle.reassign(session, actor_of(amina), case.case_id, actor_of(bruno).user_id)
    with sara.transaction() as session:
        lifecycle.reassign(session, actor_of(sara), case.case_id, actor_of(bruno).user_id)
    with amina.session() as session, pytest.raises(NotFound):
        cases.open_case(session, actor_of(amina), case.case_id)
    with bruno.transaction() as session:
        assert cases.open_case(session, actor_of(bruno), case.case_id).caseworker == "Bruno L."


def test_notes_are_append_only_and_old_versions_are_for_supervisors(
    team: Team, today: date
) -> None:
    amina, _bruno, sara = team
    case = new_case(amina, today)
    with amina.transaction() as session:
        first = notes.add_note(
            session, actor_of(amina), case.case_id, "Met at the bus station", today, today
        )
        notes.amend_note(
            session, actor_of(amina), first.note_id, "Met at the central bus station", today
        )
        with pytest.raises(ValidationError):
            notes.amend_note(session, actor_of(amina), first.note_id, "again", today)
        mine = notes.case_notes(session, actor_of(amina), case.case_id, with_history=True)
    assert [(n.version, n.body) for n in mine] == [(2, "Met at the central bus station")]
    with sara.session() as session:
        history = notes.case_notes(session, actor_of(sara), case.case_id, with_history=True)
    assert sorted(n.version for n in history) == [1, 2]
    assert {n.thread_id for n in history} == {first.note_id}
    with amina.session() as session:
        assert notes.search_notes(session, actor_of(amina), "central")[0].case_id == case.case_id
        assert notes.search_notes(session, actor_of(amina), "bus station")
        # The superseded text is no longer in the index.
        old_only = notes.search_notes(session, actor_of(amina), "Met at the bus")
    assert len(old_only) == 1 and "central" in old_only[0].snippet


def test_sensitive_notes_and_search_respect_who_may_read(team: Team, today: date) -> None:
    amina, bruno, sara = team
    case = new_case(amina, today)
    with sara.transaction() as session:
        lifecycle.reassign(session, actor_of(sara), case.case_id, actor_of(amina).user_id)
        notes.add_note(
            session,
            actor_of(sara),
            case.case_id,
            "Disclosed trafficker's nickname Tigerfish",
            today,
            today,
            Confidentiality.SENSITIVE,
        )
        notes.add_note(
            session,
            actor_of(sara),
            case.case_id,
            "Tigerfish mentioned again at lunch",
            today,
            today,
        )
    bruno_case = new_case(bruno, today, first_name="Bilal")
    with bruno.transaction() as session:
        notes.add_note(
            session, actor_of(bruno), bruno_case.case_id, "Tigerfish unrelated", today, today
        )
    with amina.session() as session:  # the case's caseworker sees the sensitive note
        assert len(notes.search_notes(session, actor_of(amina), "tigerfish")) == 2
        assert len(notes.case_notes(session, actor_of(amina), case.case_id)) == 2
    with sara.transaction() as session:
        lifecycle.reassign(session, actor_of(sara), case.case_id, actor_of(bruno).user_id)
    with bruno.session() as session:  # the newly assigned caseworker reads the case's notes
        visible = notes.case_notes(session, actor_of(bruno), case.case_id)
        hits = notes.search_notes(session, actor_of(bruno), "tigerfish")
    assert len(visible) == 2
    assert len(hits) == 3
    with amina.session() as session:  # amina no longer sees the case at all
        assert notes.search_notes(session, actor_of(amina), "tigerfish") == []
    with amina.session() as session:
        assert notes.search_notes(session, actor_of(amina), 'OR "') == []  # FTS syntax is not taken


def test_my_tasks_sorts_overdue_today_and_upcoming(team: Team, today: date) -> None:
    amina, bruno, _sara = team
    case = new_case(amina, today)
    with amina.transaction() as session:
        for days, title in (
            (-2, "Overdue call"),
            (0, "Court papers"),
            (3, "Clinic visit"),
            (30, "Later"),
        ):
            tasks.add_task(
                session, actor_of(amina), case.case_id, title, today + timedelta(days=days)
            )
        with pytest.raises(PermissionDenied):
            tasks.add_task(
                session,
                actor_of(amina),
                case.case_id,
                "x",
                today,
                assignee_id=actor_of(bruno).user_id,
            )
        mine = tasks.my_tasks(session, actor_of(amina), today)
        assert [t.title for t in mine.overdue] == ["Overdue call"]
        assert [t.title for t in mine.today] == ["Court papers"]
        assert [t.title for t in mine.upcoming] == ["Clinic visit"]
        tasks.complete_task(session, actor_of(amina), mine.overdue[0].task_id)
        assert tasks.my_tasks(session, actor_of(amina), today).overdue == []
        ids = cases.caseload_ids(
            session,
            actor_of(amina),
            where=CaseFilter(with_overdue_tasks_on=today + timedelta(days=1)),
        )
        assert ids == [case.case_id]


def test_follow_up_dates_raise_a_task(team: Team, today: date) -> None:
    amina, _bruno, _sara = team
    case = new_case(amina, today)
    with amina.transaction() as session:
        lifecycle.set_follow_up(
            session, actor_of(amina), case.case_id, True, today + timedelta(days=3)
        )
        assert tasks.raise_reminders(session, actor_of(amina), today) == 1
        assert (
            tasks.my_tasks(session, actor_of(amina), today).upcoming[0].source
            == TaskSource.FOLLOW_UP
        )


def test_caseload_filters(team: Team, today: date) -> None:
    amina, _bruno, sara = team
    high = new_case(amina, today, risk_level=RiskLevel.HIGH)
    old = new_case(amina, today - timedelta(days=400))
    with amina.transaction() as session:
        notes.add_note(session, actor_of(amina), high.case_id, "Call", today, today)
    with sara.session() as session:

        def ids(**where: Any) -> set[str]:
            return set(cases.caseload_ids(session, actor_of(sara), where=CaseFilter(**where)))

        assert ids(risk_levels=(RiskLevel.HIGH,)) == {high.case_id}
        assert ids(intake_to=today - timedelta(days=30)) == {old.case_id}
        assert ids(no_contact_since=today) == {old.case_id}
        assert ids(caseworker_id=actor_of(amina).user_id) == {high.case_id, old.case_id}
        assert ids(statuses=(CaseStatus.CLOSED,)) == set()
        by_risk = cases.caseload_ids(session, actor_of(sara), cases.CaseSort.RISK, descending=True)
        assert by_risk[0] == high.case_id


def test_search_finds_people_by_name_alias_reference_and_phone(team: Team, today: date) -> None:
    amina, bruno, _sara = team
    case = new_case(
        amina,
        today,
        first_name="Siti",
        last_name="Wijaya",
        aliases=("Dewi",),
        phone="+62 812-3456-7890",
    )
    new_case(bruno, today, first_name="Siti", last_name="Rahman")
    # her phone number holds the digits of Siti's case reference
    other = new_case(amina, today, first_name="Ayu", phone="+62 " + search.digits(case.reference))
    with amina.session() as session:

        def found(text: str) -> list[tuple[str, str]]:
            return [
                (h.case_id, h.matched_on)
                for h in search.search_people(session, actor_of(amina), text)
            ]

        assert found("wija") == [(case.case_id, "name")]
        assert found("siti") == [(case.case_id, "name")]  # not bruno's Siti
        assert found("dewi") == [(case.case_id, "alias")]
        assert found(case.reference[-4:]) == [(case.case_id, "reference")]
        assert found("3456 7890") == [(case.case_id, "phone")]
        # a whole reference finds its case alone: its year is not a phone number to look for
        assert found(case.reference.lower()) == [(case.case_id, "reference")]
        assert found("+62 " + search.digits(case.reference)) == [(other.case_id, "phone")]
        assert found("100%") == []
        assert found("wi") == [(case.case_id, "name")]  # two letters: the slower scan
    accented = new_case(amina, today, first_name="José", last_name="Hernández")
    with amina.session() as session:
        hits = search.search_people(session, actor_of(amina), "hernandez")
        assert [h.case_id for h in hits] == [accented.case_id]


def test_duplicates_are_found_before_a_person_is_entered_twice(team: Team, today: date) -> None:
    amina, bruno, _sara = team
    mine = new_case(
        amina,
        today,
        first_name="Olena",
        last_name="Kovalenko",
        birth_date=date(1998, 4, 2),
        phone="+380 67 123 4567",
    )
    new_case(bruno, today, first_name="Olena", last_name="Kovalenco")
    with amina.session() as session:
        matches = search.possible_duplicates(session, actor_of(amina), "Olena", "Kovalenko")
    by_visibility = {m.case_id is not None: m for m in matches}
    assert (
        by_visibility[True].case_id == mine.case_id and "same name" in by_visibility[True].reasons
    )
    other = by_visibility[False]  # bruno's: amina learns whom to ask, not who it is
    assert other.name is None and other.reference is None and other.caseworker == "Bruno L."
    assert "similar name" in other.reasons
    with amina.session() as session:
        by_phone = search.possible_duplicates(
            session, actor_of(amina), "Lena", "", phone="067-123-4567"
        )
        assert [m.case_id for m in by_phone] == [mine.case_id] and "same phone" in by_phone[
            0
        ].reasons
        assert search.possible_duplicates(session, actor_of(amina), "Grace", "Otieno") == []


def test_a_caseworkers_search_of_own_notes_matches_the_index(team: Team, today: date) -> None:
    """Caseworkers' searches read their own notes; supervisors' go through the full-text
    index. Both must find the same notes under the same rules."""
    amina, bruno, sara = team
    mine = new_case(amina, today)
    theirs = new_case(bruno, today)
    bodies = [
        "Meeting at the Café about tailoring classes.",
        "Visited the tailor shop; she enjoyed it.",
        "MEETING postponed, nothing else.",
        "Court date set for Friday.",
    ]
    with amina.transaction() as session:
        for body in bodies:
            notes.add_note(session, actor_of(amina), mine.case_id, body, today, today)
    with bruno.transaction() as session:
        notes.add_note(
            session, actor_of(bruno), theirs.case_id, "Tailoring at the café", today, today
        )
    for query in ("cafe", "TAILOR", "meet tail", "meeting", "court friday", "zebra", "caf"):
        with amina.session() as session:
            own = notes.search_notes(session, actor_of(amina), query)
        with sara.session() as session:
            indexed = notes.search_notes(session, actor_of(sara), query)
        expected = {h.note_id for h in indexed if h.case_id == mine.case_id}
        assert {h.note_id for h in own} == expected, query
        assert all(h.case_id == mine.case_id for h in own)
        assert all("[" in h.snippet and "]" in h.snippet for h in own), query
    with amina.session() as session:
        [hit] = notes.search_notes(session, actor_of(amina), "court")
    assert hit.snippet == "[Court] date set for Friday."
