"""A case's lifecycle: Active and FollowUp, closure with a supervisor's approval, reopening,
and (re)assignment. Every change keeps its history row and an audit row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.clock import SYSTEM
from casework.errors import PermissionDenied, ValidationError
from casework.model import (
    Assignment,
    Case,
    ClosureRequest,
    Referral,
    StatusChange,
    Stay,
    Task,
    User,
)
from casework.model.actor import Actor
from casework.model.base import utcnow
from casework.model.vocab import (
    CaseStatus,
    ClosureDecision,
    ClosureReason,
    DischargeReason,
    ReferralStatus,
    Role,
    TaskStatus,
)
from casework.services import audit
from casework.services.cases import visible_case

OPEN_STATUSES = (CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP)
CLOSED_STATUSES = (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED)


@dataclass(frozen=True)
class StatusEntry:
    at: datetime
    from_status: CaseStatus | None
    to_status: CaseStatus
    by: str
    comment: str


@dataclass(frozen=True)
class ClosureRequestView:
    request_id: str
    case_id: str
    case_reference: str
    target_status: CaseStatus
    reason: ClosureReason
    comment: str
    requested_by: str
    requested_at: datetime
    decision: ClosureDecision
    decision_comment: str
    requested_by_id: str | None = None


def _change_status(
    session: Session, actor: Actor, case: Case, to: CaseStatus, comment: str
) -> None:
    session.add(
        StatusChange(
            case_id=case.id, from_status=case.status, to_status=to, comment=comment, **actor.stamp()
        )
    )
    case.status = to
    case.updated_by = actor.user_id
    audit.record(session, actor.user_id, f"case.status.{to.value}", "case", case.id)


def set_follow_up(
    session: Session,
    actor: Actor,
    case_id: str,
    follow_up: bool,
    follow_up_date: date | None = None,
) -> None:
    """Move an open case between Active and FollowUp (with the date to follow up)."""
    case = visible_case(session, actor, case_id)
    if case.status not in OPEN_STATUSES:
        raise ValidationError("Only an open case can be moved to or from follow-up.")
    target = CaseStatus.FOLLOW_UP if follow_up else CaseStatus.ACTIVE
    case.follow_up_date = follow_up_date if follow_up else None
    if case.status != target:
        _change_status(session, actor, case, target, "")


def request_closure(
    session: Session,
    actor: Actor,
    case_id: str,
    reason: ClosureReason,
    comment: str = "",
    referred: bool = False,
) -> str:
    """Ask a supervisor to close the case; returns the request id. One pending request at a time."""
    case = visible_case(session, actor, case_id)
    if case.status not in OPEN_STATUSES:
        raise ValidationError("This case is already closed.")
    pending = session.execute(
        select(ClosureRequest.id).where(
            ClosureRequest.case_id == case.id, ClosureRequest.decision == ClosureDecision.PENDING
        )
    ).first()
    if pending:
        raise ValidationError("A request to close this case is already waiting for a supervisor.")
    if reason == ClosureReason.OTHER and not comment.strip():
        raise ValidationError("Say why the case is being closed.", field="comment")
    request = ClosureRequest(
        case_id=case.id,
        target_status=CaseStatus.CLOSED_REFERRED if referred else CaseStatus.CLOSED,
        reason=reason,
        comment=comment.strip(),
        **actor.stamp(),
    )
    session.add(request)
    session.flush()
    audit.record(session, actor.user_id, "case.closure.request", "case", case.id)
    return request.id


@dataclass(frozen=True)
class OpenWork:
    """What is still open on a case that is to close: a person still in a shelter bed keeps
    the dashboard counting them, a pending referral keeps a partner waiting."""

    in_shelter_since: date | None
    open_tasks: int
    pending_referrals: int

    @property
    def any(self) -> bool:
        return self.in_shelter_since is not None or bool(self.open_tasks or self.pending_referrals)


def open_work(session: Session, actor: Actor, case_id: str) -> OpenWork:
    case = visible_case(session, actor, case_id)
    stay = session.execute(
        select(Stay.admitted_on).where(
            Stay.case_id == case.id, Stay.discharged_on.is_(None), Stay.deleted_at.is_(None)
        )
    ).scalar()
    tasks = session.execute(
        select(func.count()).where(
            Task.case_id == case.id, Task.status == TaskStatus.OPEN, Task.deleted_at.is_(None)
        )
    ).scalar_one()
    referrals = session.execute(
        select(func.count()).where(
            Referral.case_id == case.id,
            Referral.status == ReferralStatus.PENDING,
            Referral.deleted_at.is_(None),
        )
    ).scalar_one()
    return OpenWork(stay, int(tasks), int(referrals))


def _tidy(session: Session, actor: Actor, case: Case, today: date) -> None:
    """Close what is still open on a closing case: discharge from the shelter today, cancel the
    open tasks, withdraw the pending referrals; each audited as if done by hand."""
    for stay in session.execute(
        select(Stay).where(
            Stay.case_id == case.id, Stay.discharged_on.is_(None), Stay.deleted_at.is_(None)
        )
    ).scalars():
        stay.discharged_on = max(today, stay.admitted_on)
        stay.discharge_reason = DischargeReason.OTHER
        stay.note = "The case was closed."
        stay.updated_by = actor.user_id
        audit.record(session, actor.user_id, "shelter.discharge", "stay", stay.id)
    for task in session.execute(
        select(Task).where(
            Task.case_id == case.id, Task.status == TaskStatus.OPEN, Task.deleted_at.is_(None)
        )
    ).scalars():
        task.status = TaskStatus.CANCELLED
        task.updated_by = actor.user_id
        audit.record(session, actor.user_id, "task.cancel", "task", task.id)
    for referral in session.execute(
        select(Referral).where(
            Referral.case_id == case.id,
            Referral.status == ReferralStatus.PENDING,
            Referral.deleted_at.is_(None),
        )
    ).scalars():
        referral.status = ReferralStatus.WITHDRAWN
        referral.follow_up_on = None
        referral.updated_by = actor.user_id
        audit.record(session, actor.user_id, "referral.withdrawn", "referral", referral.id)


def withdraw_closure(session: Session, actor: Actor, request_id: str) -> None:
    """The caseworker who asked (or a supervisor) takes a closure request back before it is
    decided: the case goes on as it was."""
    request = session.get(ClosureRequest, request_id)
    if request is None or request.decision != ClosureDecision.PENDING:
        raise ValidationError("That request has already been decided or no longer exists.")
    case = visible_case(session, actor, request.case_id)
    if request.created_by != actor.user_id and not actor.has(Role.SUPERVISOR):
        raise PermissionDenied("Only the person who asked, or a supervisor, can withdraw it.")
    request.decision = ClosureDecision.WITHDRAWN
    request.decided_by = actor.user_id
    request.decided_at = utcnow()
    request.updated_by = actor.user_id
    audit.record(session, actor.user_id, "case.closure.withdrawn", "case", case.id)


def decide_closure(
    session: Session,
    actor: Actor,
    request_id: str,
    approve: bool,
    comment: str = "",
    today: date | None = None,
    tidy: bool = False,
) -> None:
    """A supervisor approves (the case closes) or rejects (with a comment) a closure request.
    With ``tidy``, an approval also closes what is still open on the case (see OpenWork)."""
    actor.require(Role.SUPERVISOR)
    request = session.get(ClosureRequest, request_id)
    if request is None or request.decision != ClosureDecision.PENDING:
        raise ValidationError("That request has already been decided or no longer exists.")
    if not approve and not comment.strip():
        raise ValidationError(
            "Say why the request is rejected, for the caseworker.", field="comment"
        )
    case = visible_case(session, actor, request.case_id)
    request.decision = ClosureDecision.APPROVED if approve else ClosureDecision.REJECTED
    request.decided_by = actor.user_id
    request.decided_at = utcnow()
    request.decision_comment = comment.strip()
    request.updated_by = actor.user_id
    if approve:
        case.closure_reason = request.reason
        case.closed_date = today or SYSTEM.today()
        case.follow_up_date = None
        _change_status(session, actor, case, request.target_status, request.comment)
        if tidy:
            _tidy(session, actor, case, case.closed_date)
    audit.record(session, actor.user_id, f"case.closure.{request.decision.value}", "case", case.id)


def reopen(session: Session, actor: Actor, case_id: str, comment: str) -> None:
    """Reopen a closed case (a survivor comes back); the closure stays in the history."""
    case = visible_case(session, actor, case_id)
    if case.status not in CLOSED_STATUSES:
        raise ValidationError("This case is not closed.")
    if not comment.strip():
        raise ValidationError("Say why the case is reopened.", field="comment")
    case.closure_reason = None
    case.closed_date = None
    _change_status(session, actor, case, CaseStatus.ACTIVE, comment.strip())


def reassign(
    session: Session, actor: Actor, case_id: str, caseworker_id: str, reason: str = ""
) -> bool:
    """Give the case to another caseworker (supervisors only); the assignment history is kept.
    Returns whether anything changed."""
    actor.require(Role.SUPERVISOR)
    case = visible_case(session, actor, case_id)
    worker = session.get(User, caseworker_id)
    if worker is None or worker.disabled_at is not None or Role.CASEWORKER not in worker.role_set():
        raise ValidationError("Choose an active caseworker.", field="caseworker")
    if case.assigned_caseworker_id == caseworker_id:
        return False
    before = case.assigned_caseworker_id
    case.assigned_caseworker_id = caseworker_id
    case.updated_by = actor.user_id
    assignment = Assignment(
        case_id=case.id, caseworker_id=caseworker_id, reason=reason.strip(), **actor.stamp()
    )
    session.add(assignment)
    session.flush()
    # ids only: the audit view reads the names and the reason from the accounts and the
    # assignment, for those allowed to see them
    moved: dict[str, object] = {"from": before, "to": caseworker_id, "assignment": assignment.id}
    audit.record(session, actor.user_id, "case.reassign", "case", case.id, moved)
    return True


def status_history(session: Session, actor: Actor, case_id: str) -> list[StatusEntry]:
    case = visible_case(session, actor, case_id)
    rows = session.execute(
        select(StatusChange, User.display_name)
        .outerjoin(User, User.id == StatusChange.created_by)
        .where(StatusChange.case_id == case.id)
        .order_by(StatusChange.created_at)
    ).all()
    return [
        StatusEntry(
            change.created_at, change.from_status, change.to_status, name or "", change.comment
        )
        for change, name in rows
    ]


def closure_requests(
    session: Session, actor: Actor, pending_only: bool = True, case_id: str | None = None
) -> list[ClosureRequestView]:
    """Requests a supervisor should decide (or, with case_id, one case's requests)."""
    query = (
        select(ClosureRequest, Case.reference, User.display_name)
        .join(Case, Case.id == ClosureRequest.case_id)
        .outerjoin(User, User.id == ClosureRequest.created_by)
        .order_by(ClosureRequest.created_at)
    )
    if case_id is not None:
        visible_case(session, actor, case_id)
        query = query.where(ClosureRequest.case_id == case_id)
    else:
        if not actor.has(Role.SUPERVISOR):
            raise PermissionDenied()
    if pending_only:
        query = query.where(ClosureRequest.decision == ClosureDecision.PENDING)
    return [
        ClosureRequestView(
            r.id,
            r.case_id,
            reference,
            r.target_status,
            r.reason,
            r.comment,
            name or "",
            r.created_at,
            r.decision,
            r.decision_comment,
            r.created_by,
        )
        for r, reference, name in session.execute(query).all()
    ]
