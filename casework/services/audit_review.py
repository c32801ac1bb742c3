"""Reading the audit trail: who did what, to which case, when. Rows name ids; this view joins
them to user names and case references for supervisors and administrators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.model import AuditEvent, Case, User
from casework.model.actor import Actor
from casework.model.vocab import Role

LIMIT = 1000


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: datetime
    user: str
    action: str
    entity: str
    entity_id: str
    case_reference: str  # when the row is about a case


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
        query = query.where(AuditEvent.entity == "case", AuditEvent.entity_id == where.case_id)
    if where.action:
        query = query.where(AuditEvent.action == where.action)
    if where.start:
        query = query.where(AuditEvent.at >= datetime.combine(where.start, time(), tzinfo=UTC))
    if where.end:
        after = datetime.combine(where.end + timedelta(days=1), time(), tzinfo=UTC)
        query = query.where(AuditEvent.at < after)
    return [
        AuditRow(
            event.seq,
            event.at,
            name or event.actor_id,
            event.action,
            event.entity,
            event.entity_id,
            reference or "",
        )
        for event, name, reference in session.execute(query).all()
    ]


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
