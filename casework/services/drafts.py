"""Drafts: what a user typed and has not saved yet (a half-filled intake, a note), kept inside
the encrypted vault so that switching view, a lock or a crash loses nothing, and offered back.

A draft is its author's alone: nobody else reads it, not even a supervisor (it is not yet part
of the record). One draft per user, kind and case. It is kept DRAFT_KEPT_DAYS at most; saving
the work or discarding the draft deletes it (the vault deletes securely: the text does not stay
in free pages). Drafts are not audited, as keystrokes are not: the saved record is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from casework.errors import ValidationError
from casework.model import Draft
from casework.model.actor import Actor
from casework.services.cases import require_case_role, visible_case

DRAFT_KEPT_DAYS = 30
MAX_DRAFT_CHARS = 200_000  # as JSON; a note is at most 100,000 characters


class DraftKind(Enum):
    INTAKE = "intake"  # the intake form: a person not yet recorded (no case)
    NOTE = "note"  # the note being written on a case


@dataclass(frozen=True)
class KeptDraft:
    kind: DraftKind
    case_id: str | None
    content: dict[str, object]
    kept_at: datetime


def _where(actor: Actor, kind: DraftKind, case_id: str | None) -> tuple[ColumnElement[bool], ...]:
    return (
        Draft.owner_id == actor.user_id,
        Draft.kind == kind.value,
        Draft.case_id.is_(None) if case_id is None else Draft.case_id == case_id,
    )


def _check(session: Session, actor: Actor, kind: DraftKind, case_id: str | None) -> None:
    require_case_role(actor)
    if (kind is DraftKind.NOTE) != (case_id is not None):
        raise ValueError("a note's draft belongs to a case; an intake's to none")
    if case_id is not None:
        visible_case(session, actor, case_id)


def keep_draft(
    session: Session,
    actor: Actor,
    kind: DraftKind,
    case_id: str | None,
    content: dict[str, object],
) -> None:
    """Keep ``content`` (plain JSON values) as the user's draft of ``kind`` on ``case_id``,
    replacing the one kept before."""
    _check(session, actor, kind, case_id)
    if len(json.dumps(content)) > MAX_DRAFT_CHARS:
        raise ValidationError("This is too long to keep as a draft; save it or shorten it.")
    found = session.execute(select(Draft).where(*_where(actor, kind, case_id))).scalars().all()
    if found:
        draft, *extra = found
        for other in extra:
            session.delete(other)
        draft.content = content
        draft.updated_by = actor.user_id
    else:
        session.add(
            Draft(
                owner_id=actor.user_id,
                kind=kind.value,
                case_id=case_id,
                content=content,
                **actor.stamp(),
            )
        )
    session.flush()


def kept_draft(
    session: Session, actor: Actor, kind: DraftKind, case_id: str | None = None
) -> KeptDraft | None:
    """The user's draft of ``kind`` on ``case_id``, if one is kept (and the case still theirs
    to see)."""
    _check(session, actor, kind, case_id)
    draft = (
        session.execute(
            select(Draft).where(*_where(actor, kind, case_id)).order_by(Draft.updated_at.desc())
        )
        .scalars()
        .first()
    )
    if draft is None:
        return None
    return KeptDraft(kind, case_id, dict(draft.content), draft.updated_at)


def discard_draft(
    session: Session, actor: Actor, kind: DraftKind, case_id: str | None = None
) -> None:
    """Forget the user's draft of ``kind`` on ``case_id`` (saved, or thrown away)."""
    require_case_role(actor)
    session.execute(delete(Draft).where(*_where(actor, kind, case_id)))


def purge_stale(session: Session, today: date) -> int:
    """Delete drafts older than DRAFT_KEPT_DAYS; returns how many."""
    cutoff = datetime.combine(
        today - timedelta(days=DRAFT_KEPT_DAYS), datetime.min.time(), tzinfo=UTC
    )
    stale = list(session.execute(select(Draft.id).where(Draft.updated_at < cutoff)).scalars())
    if stale:
        session.execute(delete(Draft).where(Draft.id.in_(stale)))
    return len(stale)


def purge_of_user(session: Session, user_id: str) -> None:
    """Delete every draft of a user whose access is removed."""
    session.execute(delete(Draft).where(Draft.owner_id == user_id))
