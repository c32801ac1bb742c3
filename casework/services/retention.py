"""Retention: how long records are kept once a case is closed. An administrator sets rules
("purge the notes of cases closed more than N years ago", "erase people whose cases all closed
more than N years ago"), sees what each would touch before saving it, and the rules run once a
day in the background; every run is audited with its counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from casework.errors import NotFound, ValidationError
from casework.model import Case, CaseNote, RetentionRule
from casework.model.actor import Actor
from casework.model.base import utcnow
from casework.model.vocab import Role
from casework.services import audit
from casework.services.erasure import erase_person
from casework.services.lifecycle import CLOSED_STATUSES
from casework.services.notes import unindex

PURGE_NOTES = "purge-notes"
ERASE_CASES = "erase-cases"
ACTIONS = (PURGE_NOTES, ERASE_CASES)
MIN_YEARS = 1


@dataclass(frozen=True)
class RuleView:
    rule_id: str
    action: str
    years: int
    last_run_at: datetime | None

    def describe(self) -> str:
        what = (
            "Purge the notes of cases" if self.action == PURGE_NOTES else "Erase people whose cases"
        )
        closed = "closed" if self.action == PURGE_NOTES else "all closed"
        return f"{what} {closed} more than {self.years} year{'s' if self.years != 1 else ''} ago"


@dataclass(frozen=True)
class Preview:
    cases: int
    people: int
    notes: int


def _cutoff(years: int, today: date) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _targets(session: Session, action: str, years: int, today: date) -> dict[str, list[str]]:
    """People (survivor id) and their cases the rule touches."""
    cutoff = _cutoff(years, today)
    by_person: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for case_id, survivor_id, status, closed in session.execute(
        select(Case.id, Case.survivor_id, Case.status, Case.closed_date).where(
            Case.deleted_at.is_(None)
        )
    ).all():
        old = status in CLOSED_STATUSES and closed is not None and closed < cutoff
        by_person[survivor_id].append((case_id, old))
    if action == ERASE_CASES:  # only people none of whose cases is recent or open
        return {
            person: [c for c, _ in rows]
            for person, rows in by_person.items()
            if all(old for _, old in rows)
        }
    return {
        person: [c for c, old in rows if old]
        for person, rows in by_person.items()
        if any(old for _, old in rows)
    }


def _check(action: str, years: int) -> None:
    if action not in ACTIONS:
        raise ValidationError("Choose what the rule does.", field="action")
    if years < MIN_YEARS:
        raise ValidationError(
            f"A rule keeps records at least {MIN_YEARS} year after a case closes.", field="years"
        )


def preview(session: Session, actor: Actor, action: str, years: int, today: date) -> Preview:
    """What the rule would touch today, in counts only (administrators see no case content)."""
    actor.require(Role.ADMINISTRATOR)
    _check(action, years)
    targets = _targets(session, action, years, today)
    case_ids = [c for cases in targets.values() for c in cases]
    note_count = 0
    for start in range(0, len(case_ids), 5000):
        note_count += len(
            session.execute(
                select(CaseNote.id).where(CaseNote.case_id.in_(case_ids[start : start + 5000]))
            ).all()
        )
    return Preview(len(case_ids), len(targets), note_count)


def add_rule(session: Session, actor: Actor, action: str, years: int) -> RuleView:
    actor.require(Role.ADMINISTRATOR)
    _check(action, years)
    rule = RetentionRule(action=action, years=years, **actor.stamp())
    session.add(rule)
    session.flush()
    audit.record(
        session,
        actor.user_id,
        "retention.add",
        "retention",
        rule.id,
        {"action": action, "years": years},
    )
    return RuleView(rule.id, rule.action, rule.years, None)


def remove_rule(session: Session, actor: Actor, rule_id: str) -> None:
    actor.require(Role.ADMINISTRATOR)
    rule = session.get(RetentionRule, rule_id)
    if rule is None or rule.deleted_at is not None:
        raise NotFound("That retention rule no longer exists.")
    rule.deleted_at = utcnow()
    rule.updated_by = actor.user_id
    audit.record(session, actor.user_id, "retention.remove", "retention", rule.id)


def rules(session: Session, actor: Actor) -> list[RuleView]:
    actor.require(Role.ADMINISTRATOR)
    return [
        RuleView(r.id, r.action, r.years, r.last_run_at)
        for r in session.execute(
            select(RetentionRule)
            .where(RetentionRule.deleted_at.is_(None))
            .order_by(RetentionRule.created_at)
        ).scalars()
    ]


def run_rule(session: Session, actor: Actor, rule_id: str, today: date) -> Preview:
    """Apply one rule now, in the caller's transaction; returns what it did."""
    rule = session.get(RetentionRule, rule_id)
    if rule is None or rule.deleted_at is not None:
        raise NotFound("That retention rule no longer exists.")
    targets = _targets(session, rule.action, rule.years, today)
    done = Preview(0, 0, 0)
    if rule.action == PURGE_NOTES:
        case_ids = [c for cases in targets.values() for c in cases]
        purged = 0
        for start in range(0, len(case_ids), 5000):
            batch = case_ids[start : start + 5000]
            note_ids = list(
                session.execute(select(CaseNote.id).where(CaseNote.case_id.in_(batch))).scalars()
            )
            for note_id in note_ids:
                unindex(session, note_id)
            session.execute(delete(CaseNote).where(CaseNote.case_id.in_(batch)))
            purged += len(note_ids)
        done = Preview(len(case_ids), len(targets), purged)
    else:
        erased_cases = 0
        for cases in targets.values():
            erase_person(session, actor, cases[0], f"retention:{rule.id}", by_rule=True)
            erased_cases += len(cases)
        done = Preview(erased_cases, len(targets), 0)
    rule.last_run_at = utcnow()
    audit.record(
        session,
        actor.user_id,
        "retention.run",
        "retention",
        rule.id,
        {"cases": done.cases, "people": done.people, "notes": done.notes},
    )
    return done


def run_due(session: Session, actor: Actor, today: date) -> list[Preview]:
    """Run every rule not run in the last day (the daily schedule, from any signed-in
    session)."""
    now = utcnow()
    results = []
    for rule in session.execute(
        select(RetentionRule).where(RetentionRule.deleted_at.is_(None))
    ).scalars():
        last = rule.last_run_at
        if last is None or now - last >= timedelta(days=1):
            results.append(run_rule(session, actor, rule.id, today))
    return results
