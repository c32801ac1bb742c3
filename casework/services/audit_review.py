"""Reading the audit trail: who did what, to which case, when. Rows name ids; this view joins
them to user names and case references for supervisors and administrators."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from casework.model import (
    Assignment,
    Attachment,
    AuditEvent,
    Case,
    CaseNote,
    ConsentRecord,
    CounselingSession,
    Hearing,
    LegalMatter,
    Referral,
    Stay,
    Task,
    User,
)
from casework.model.actor import Actor
from casework.model.vocab import Role

LIMIT = 1000

# The records of a case that audit rows name, and the column that holds their case.
CASE_OF: dict[str, tuple[InstrumentedAttribute[str], InstrumentedAttribute[Any]]] = {
    "stay": (Stay.id, Stay.case_id),
    "task": (Task.id, Task.case_id),  # a case's (a task of one's own has no case)
    "referral": (Referral.id, Referral.case_id),
    "note": (CaseNote.id, CaseNote.case_id),
    "attachment": (Attachment.id, Attachment.case_id),
    "counseling": (CounselingSession.id, CounselingSession.case_id),
    "legal": (LegalMatter.id, LegalMatter.case_id),
}


def _about_case(case_id: str) -> ColumnElement[bool]:
    """Rows about the case or about one of its records (a stay, a task, a note, a hearing…)."""
    about = [and_(AuditEvent.entity == "case", AuditEvent.entity_id == case_id)]
    for entity, (key, case_column) in CASE_OF.items():
        about.append(
            and_(
                AuditEvent.entity == entity,
                AuditEvent.entity_id.in_(select(key).where(case_column == case_id)),
            )
        )
    about.append(
        and_(
            AuditEvent.entity == "hearing",
            AuditEvent.entity_id.in_(
                select(Hearing.id)
                .join(LegalMatter, LegalMatter.id == Hearing.matter_id)
                .where(LegalMatter.case_id == case_id)
            ),
        )
    )
    about.append(
        and_(
            AuditEvent.entity == "consent",
            AuditEvent.entity_id.in_(
                select(ConsentRecord.id)
                .join(Case, Case.survivor_id == ConsentRecord.survivor_id)
                .where(Case.id == case_id)
            ),
        )
    )
    return or_(*about)


def _references(session: Session, events: list[AuditEvent]) -> dict[tuple[str, str], str]:
    """(entity, id) → the reference of the case a record belongs to, for the rows shown."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        wanted.setdefault(event.entity, set()).add(event.entity_id)
    found: dict[tuple[str, str], str] = {}
    queries = {
        entity: select(key, Case.reference)
        .join(Case, Case.id == case_column)
        .where(key.in_(sorted(wanted[entity])))
        for entity, (key, case_column) in CASE_OF.items()
        if entity in wanted
    }
    if "hearing" in wanted:
        queries["hearing"] = (
            select(Hearing.id, Case.reference)
            .join(LegalMatter, LegalMatter.id == Hearing.matter_id)
            .join(Case, Case.id == LegalMatter.case_id)
            .where(Hearing.id.in_(sorted(wanted["hearing"])))
        )
    if "consent" in wanted:
        queries["consent"] = (
            select(ConsentRecord.id, Case.reference)
            .join(Case, Case.survivor_id == ConsentRecord.survivor_id)
            .where(ConsentRecord.id.in_(sorted(wanted["consent"])))
        )
    for entity, query in queries.items():
        for record_id, reference in session.execute(query).all():
            found.setdefault((entity, record_id), reference)
    return found


@dataclass(frozen=True)
class Move:
    """A case given to another caseworker, as the audit view says it."""

    before: str  # the caseworker's name ("" when the case had none)
    after: str
    reason: str


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: datetime
    user: str
    action: str
    entity: str
    entity_id: str
    case_reference: str  # when the row is about a case
    moved: Move | None = None  # a reassignment: from whom, to whom, why


@dataclass(frozen=True)
class AuditFilter:
    user_id: str | None = None
    case_id: str | None = None
    action: str | None = None
    start: date | None = None
    end: date | None = None  # inclusive


def trail(session: Session, actor: Actor, where: AuditFilter, limit: int = LIMIT) -> list[AuditRow]:
    """The newest ``limit`` rows that match, newest first."""
    actor.require(Role.SUPERVISOR, Role.ADMINISTRATOR)
    query = (
        select(AuditEvent, User.display_name, Case.reference)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(Case, (AuditEvent.entity == "case") & (Case.id == AuditEvent.entity_id))
        .order_by(AuditEvent.seq.desc())
        .limit(limit)
    )
    if where.user_id:
        query = query.where(AuditEvent.actor_id == where.user_id)
    if where.case_id:
        query = query.where(_about_case(where.case_id))
    if where.action:
        query = query.where(AuditEvent.action == where.action)
    if where.start:
        query = query.where(AuditEvent.at >= datetime.combine(where.start, time(), tzinfo=UTC))
    if where.end:
        after = datetime.combine(where.end + timedelta(days=1), time(), tzinfo=UTC)
        query = query.where(AuditEvent.at < after)
    rows = session.execute(query).all()
    of_records = _references(session, [event for event, _name, reference in rows if not reference])
    said = _reassignments(session, [event for event, _name, _reference in rows])
    return [
        AuditRow(
            event.seq,
            event.at,
            name or event.actor_id,
            event.action,
            event.entity,
            event.entity_id,
            reference or of_records.get((event.entity, event.entity_id), ""),
            said.get(event.seq),
        )
        for event, name, reference in rows
    ]


def _reassignments(session: Session, events: list[AuditEvent]) -> dict[int, Move]:
    """seq → the move, for the reassignments shown: the row holds ids; the names and the
    reason are read here, for a supervisor or an administrator."""
    moves: dict[int, dict[str, str]] = {}
    for event in events:
        if event.action == "case.reassign" and event.detail:
            detail = json.loads(event.detail)
            if isinstance(detail, dict):
                moves[event.seq] = {k: v for k, v in detail.items() if isinstance(v, str)}
    if not moves:
        return {}
    people = sorted({m[k] for m in moves.values() for k in ("from", "to") if k in m})
    names: dict[str, str] = {
        uid: name
        for uid, name in session.execute(
            select(User.id, User.display_name).where(User.id.in_(people))
        ).all()
    }
    wanted = sorted({m["assignment"] for m in moves.values() if "assignment" in m})
    reasons: dict[str, str] = {
        key: reason
        for key, reason in session.execute(
            select(Assignment.id, Assignment.reason).where(Assignment.id.in_(wanted))
        ).all()
    }
    return {
        seq: Move(
            names.get(move.get("from", ""), ""),
            names.get(move.get("to", ""), ""),
            reasons.get(move.get("assignment", ""), ""),
        )
        for seq, move in moves.items()
    }


def actions(session: Session, actor: Actor) -> list[str]:
    actor.require(Role.SUPERVISOR, Role.ADMINISTRATOR)
    return list(
        session.execute(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).scalars()
    )


def users(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """Everyone who may appear in the trail, disabled accounts included."""
    actor.require(Role.SUPERVISOR, Role.ADMINISTRATOR)
    return [
        (uid, name or username)
        for uid, name, username in session.execute(
            select(User.id, User.display_name, User.username).order_by(User.display_name)
        ).all()
    ]
