"""Counseling sessions. Survivors are told that what they say in counseling stays with their
counselor: a session's notes are shown only to the counselor who wrote them and to supervisors;
everyone else who may see the case sees that a session took place, not what was said."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.errors import ValidationError
from casework.model import CounselingSession, User
from casework.model.actor import Actor
from casework.model.vocab import Attendance, Modality, Role, SessionKind
from casework.services import audit
from casework.services.cases import visible_case


@dataclass(frozen=True)
class SessionView:
    session_id: str
    held_on: date
    duration_minutes: int
    kind: SessionKind
    modality: Modality
    attendance: Attendance
    counselor: str
    notes: str | None  # None: the reader may not see them

    @property
    def notes_hidden(self) -> bool:
        return self.notes is None


def may_read_notes(actor: Actor, record: CounselingSession) -> bool:
    """The counseling-notes permission: the writer, or a supervisor."""
    return record.counselor_id == actor.user_id or actor.has(Role.SUPERVISOR)


def record_session(
    session: Session,
    actor: Actor,
    case_id: str,
    held_on: date,
    duration_minutes: int,
    kind: SessionKind,
    modality: Modality,
    attendance: Attendance,
    notes: str,
    today: date,
) -> SessionView:
    """Record a session the actor held (the actor is the counselor)."""
    case = visible_case(session, actor, case_id)
    if held_on > today:
        raise ValidationError("A session cannot be recorded before it happens.", field="held_on")
    if not 5 <= duration_minutes <= 480:
        raise ValidationError("A session lasts between 5 minutes and 8 hours.", field="duration")
    record = CounselingSession(
        case_id=case.id,
        counselor_id=actor.user_id,
        held_on=held_on,
        duration_minutes=duration_minutes,
        kind=kind,
        modality=modality,
        attendance=attendance,
        notes=notes.strip(),
        **actor.stamp(),
    )
    session.add(record)
    session.flush()
    audit.record(session, actor.user_id, "counseling.record", "counseling", record.id)
    return _view(actor, record, actor.display_name)


def _view(actor: Actor, record: CounselingSession, counselor: str) -> SessionView:
    return SessionView(
        record.id,
        record.held_on,
        record.duration_minutes,
        record.kind,
        record.modality,
        record.attendance,
        counselor,
        record.notes if may_read_notes(actor, record) else None,
    )


def case_sessions(session: Session, actor: Actor, case_id: str) -> list[SessionView]:
    case = visible_case(session, actor, case_id)
    rows = session.execute(
        select(CounselingSession, User.display_name)
        .join(User, User.id == CounselingSession.counselor_id)
        .where(CounselingSession.case_id == case.id, CounselingSession.deleted_at.is_(None))
        .order_by(CounselingSession.held_on.desc())
    ).all()
    views = [_view(actor, record, name) for record, name in rows]
    if any(v.notes is not None and v.notes for v in views):
        audit.record(session, actor.user_id, "counseling.read", "case", case.id)
    return views
