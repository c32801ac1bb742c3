"""Legal aid: matters by type with the lawyer, status and outcome; hearings with time and place,
each raising a reminder task for the caseworker ahead of time; and the calendar of hearings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import SYSTEM
from casework.errors import NotFound, ValidationError
from casework.model import Case, Hearing, LegalMatter, Task
from casework.model.actor import Actor
from casework.model.base import utcnow
from casework.model.vocab import LegalMatterKind, LegalStatus, TaskSource
from casework.services import audit
from casework.services.cases import require_case_role, visible_case, visible_to

REMINDER_DAYS_BEFORE = 3


@dataclass(frozen=True)
class MatterView:
    matter_id: str
    kind: LegalMatterKind
    lawyer: str
    status: LegalStatus
    outcome: str
    hearings: tuple[HearingView, ...]


@dataclass(frozen=True)
class HearingView:
    hearing_id: str
    matter_id: str
    case_id: str
    case_reference: str
    starts_at: datetime
    place: str
    purpose: str
    kind: LegalMatterKind


def open_matter(
    session: Session, actor: Actor, case_id: str, kind: LegalMatterKind, lawyer: str
) -> str:
    case = visible_case(session, actor, case_id)
    matter = LegalMatter(case_id=case.id, kind=kind, lawyer=lawyer.strip(), **actor.stamp())
    session.add(matter)
    session.flush()
    audit.record(session, actor.user_id, "legal.open", "legal", matter.id)
    return matter.id


def update_matter(
    session: Session, actor: Actor, matter_id: str, status: LegalStatus, outcome: str = ""
) -> None:
    matter = session.get(LegalMatter, matter_id)
    if matter is None or matter.deleted_at is not None:
        raise NotFound()
    visible_case(session, actor, matter.case_id)
    if status == LegalStatus.CLOSED and not outcome.strip():
        raise ValidationError("Record the outcome when closing a legal matter.", field="outcome")
    matter.status = status
    matter.outcome = outcome.strip() or matter.outcome
    matter.updated_by = actor.user_id
    audit.record(session, actor.user_id, f"legal.{status.value}", "legal", matter.id)


def schedule_hearing(
    session: Session,
    actor: Actor,
    matter_id: str,
    starts_at: datetime,
    place: str,
    purpose: str,
    today: date | None = None,
) -> str:
    """Add a hearing (a UTC instant) and a reminder task for the case's caseworker, due
    three days before, or ``today`` (the desk's clock) if the hearing is sooner."""
    matter = session.get(LegalMatter, matter_id)
    if matter is None or matter.deleted_at is not None:
        raise NotFound()
    case = visible_case(session, actor, matter.case_id)
    if starts_at.tzinfo is None:
        raise ValidationError("A hearing time needs its time zone.", field="starts_at")
    if starts_at < utcnow() - timedelta(days=1):
        raise ValidationError("That hearing is in the past.", field="starts_at")
    hearing = Hearing(
        matter_id=matter.id,
        starts_at=starts_at,
        place=place.strip(),
        purpose=purpose.strip(),
        **actor.stamp(),
    )
    session.add(hearing)
    session.flush()
    worker = case.assigned_caseworker_id or actor.user_id
    hearing_day = starts_at.astimezone().date()
    due = max(hearing_day - timedelta(days=REMINDER_DAYS_BEFORE), today or SYSTEM.today())
    session.add(
        Task(
            case_id=case.id,
            assignee_id=worker,
            due_on=due,
            title=(
                f"Prepare for the hearing on {hearing_day.isoformat()} "
                f"({place.strip() or 'place to be confirmed'})"
            ),
            source=TaskSource.FOLLOW_UP,
            source_key=f"hearing:{hearing.id}",
            **actor.stamp(),
        )
    )
    audit.record(session, actor.user_id, "legal.hearing", "hearing", hearing.id)
    return hearing.id


def case_matters(session: Session, actor: Actor, case_id: str) -> list[MatterView]:
    case = visible_case(session, actor, case_id)
    matters = (
        session.execute(
            select(LegalMatter)
            .where(LegalMatter.case_id == case.id, LegalMatter.deleted_at.is_(None))
            .order_by(LegalMatter.created_at)
        )
        .scalars()
        .all()
    )
    hearings = (
        session.execute(
            select(Hearing)
            .where(Hearing.matter_id.in_([m.id for m in matters]), Hearing.deleted_at.is_(None))
            .order_by(Hearing.starts_at)
        )
        .scalars()
        .all()
    )
    by_matter: dict[str, list[HearingView]] = {}
    kinds = {m.id: m.kind for m in matters}
    for h in hearings:
        by_matter.setdefault(h.matter_id, []).append(
            HearingView(
                h.id,
                h.matter_id,
                case.id,
                case.reference,
                h.starts_at,
                h.place,
                h.purpose,
                kinds[h.matter_id],
            )
        )
    return [
        MatterView(m.id, m.kind, m.lawyer, m.status, m.outcome, tuple(by_matter.get(m.id, ())))
        for m in matters
    ]


def calendar(session: Session, actor: Actor, start: datetime, end: datetime) -> list[HearingView]:
    """Hearings between two instants on the cases the actor may see, in time order."""
    require_case_role(actor)
    rows = session.execute(
        select(Hearing, LegalMatter.kind, Case.id, Case.reference)
        .join(LegalMatter, LegalMatter.id == Hearing.matter_id)
        .join(Case, Case.id == LegalMatter.case_id)
        .where(
            Hearing.deleted_at.is_(None),
            Hearing.starts_at >= start,
            Hearing.starts_at < end,
            Case.deleted_at.is_(None),
            visible_to(actor),
        )
        .order_by(Hearing.starts_at)
    ).all()
    return [
        HearingView(h.id, h.matter_id, case_id, reference, h.starts_at, h.place, h.purpose, kind)
        for h, kind, case_id, reference in rows
    ]
