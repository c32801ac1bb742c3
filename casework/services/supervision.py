"""Supervision: the caseload dashboard, periodic case reviews, moving cases between caseworkers,
and erasure requests (asked by a caseworker, decided by a supervisor)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.errors import NotFound, ValidationError
from casework.model import (
    Case,
    CaseReview,
    ClosureRequest,
    ErasureRequest,
    Hearing,
    LegalMatter,
    Task,
    User,
)
from casework.model.actor import Actor
from casework.model.base import utcnow
from casework.model.vocab import ClosureDecision, Role, TaskStatus
from casework.services import audit, lifecycle
from casework.services.cases import visible_case
from casework.services.erasure import erase_person
from casework.services.lifecycle import OPEN_STATUSES
from casework.services.shelter import occupancy, occupancy_by_week

DEFAULT_NO_CONTACT_DAYS = 30
MAX_REASSIGN = 100_000


# -- the dashboard ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One number on the dashboard and the cases behind it (for the click-through)."""

    key: str
    label: str
    case_ids: tuple[str, ...]

    @property
    def value(self) -> int:
        return len(self.case_ids)


@dataclass(frozen=True)
class Dashboard:
    today: date
    no_contact_days: int
    open_by_caseworker: list[Figure]
    overdue_tasks_by_caseworker: list[Figure]
    new_this_month: Figure
    new_this_quarter: Figure
    closed_this_month: Figure
    closed_this_quarter: Figure
    no_recent_contact: Figure
    pending_approvals: Figure
    reviews_overdue: Figure
    sheltered_today: Figure
    beds: int
    occupancy_weeks: list[tuple[date, int, int]]  # week start, bed-nights used, available
    hearings_this_week: Figure

    def figures(self) -> list[Figure]:
        return [
            *self.open_by_caseworker,
            *self.overdue_tasks_by_caseworker,
            self.new_this_month,
            self.new_this_quarter,
            self.closed_this_month,
            self.closed_this_quarter,
            self.no_recent_contact,
            self.pending_approvals,
            self.reviews_overdue,
            self.sheltered_today,
            self.hearings_this_week,
        ]


def dashboard(
    session: Session, actor: Actor, today: date, no_contact_days: int = DEFAULT_NO_CONTACT_DAYS
) -> Dashboard:
    actor.require(Role.SUPERVISOR)
    if not 1 <= no_contact_days <= 3650:
        raise ValidationError("Choose between 1 and 3650 days.", field="no_contact_days")
    names: dict[str, str] = {
        uid: name for uid, name in session.execute(select(User.id, User.display_name)).all()
    }
    month_start = today.replace(day=1)
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    contact_cutoff = today - timedelta(days=no_contact_days)
    open_by: dict[str, list[str]] = defaultdict(list)
    new_month, new_quarter, closed_month, closed_quarter = [], [], [], []
    silent, review_due = [], []
    references: dict[str, str] = {}

    def _sorted(ids: set[str] | list[str]) -> tuple[str, ...]:
        """Distinct case ids in the order of their references (the order lists show)."""
        return tuple(sorted(set(ids), key=lambda c: references.get(c, c)))

    for case_id, reference, worker, status, intake, closed, contact, review in session.execute(
        select(
            Case.id,
            Case.reference,
            Case.assigned_caseworker_id,
            Case.status,
            Case.intake_date,
            Case.closed_date,
            Case.last_contact_date,
            Case.next_review_on,
        ).where(Case.deleted_at.is_(None))
    ).all():
        references[case_id] = reference
        if quarter_start <= intake <= today:
            new_quarter.append(case_id)
            if intake >= month_start:
                new_month.append(case_id)
        if closed is not None and quarter_start <= closed <= today:
            closed_quarter.append(case_id)
            if closed >= month_start:
                closed_month.append(case_id)
        if status not in OPEN_STATUSES:
            continue
        open_by[worker or ""].append(case_id)
        if (contact or intake) < contact_cutoff:
            silent.append(case_id)
        if review is not None and review < today:
            review_due.append(case_id)
    overdue_by: dict[str, list[str]] = defaultdict(list)
    for task_case, assignee in session.execute(
        select(Task.case_id, Task.assignee_id).where(
            Task.deleted_at.is_(None),
            Task.status == TaskStatus.OPEN,
            Task.due_on < today,
            Task.case_id.is_not(None),
        )
    ).all():
        if task_case is not None:
            overdue_by[assignee].append(task_case)
    pending = set(
        session.execute(
            select(ClosureRequest.case_id).where(ClosureRequest.decision == ClosureDecision.PENDING)
        ).scalars()
    ) | set(
        session.execute(
            select(ErasureRequest.case_id).where(
                ErasureRequest.decision == ClosureDecision.PENDING,
                ErasureRequest.deleted_at.is_(None),
            )
        ).scalars()
    )
    beds = occupancy(session, actor, today)
    week_start = datetime.combine(today, time(), tzinfo=UTC)
    hearings = session.execute(
        select(LegalMatter.case_id)
        .join(Hearing, Hearing.matter_id == LegalMatter.id)
        .where(
            Hearing.deleted_at.is_(None),
            LegalMatter.deleted_at.is_(None),
            Hearing.starts_at >= week_start,
            Hearing.starts_at < week_start + timedelta(days=7),
        )
    ).scalars()

    def name(user_id: str) -> str:
        return names.get(user_id) or "Unassigned"

    return Dashboard(
        today=today,
        no_contact_days=no_contact_days,
        open_by_caseworker=[
            Figure(f"open:{worker}", name(worker), _sorted(ids))
            for worker, ids in sorted(open_by.items(), key=lambda item: name(item[0]))
        ],
        overdue_tasks_by_caseworker=[
            Figure(f"overdue:{worker}", name(worker), _sorted(ids))
            for worker, ids in sorted(overdue_by.items(), key=lambda item: name(item[0]))
        ],
        new_this_month=Figure("new-month", "New this month", _sorted(new_month)),
        new_this_quarter=Figure("new-quarter", "New this quarter", _sorted(new_quarter)),
        closed_this_month=Figure("closed-month", "Closed this month", _sorted(closed_month)),
        closed_this_quarter=Figure(
            "closed-quarter", "Closed this quarter", _sorted(closed_quarter)
        ),
        no_recent_contact=Figure("no-contact", "No contact recorded", _sorted(silent)),
        pending_approvals=Figure("approvals", "Waiting for approval", _sorted(pending)),
        reviews_overdue=Figure("reviews", "Overdue for review", _sorted(review_due)),
        sheltered_today=Figure(
            "sheltered", "In shelter today", _sorted([b.case_id for b in beds if b.case_id])
        ),
        beds=len(beds),
        occupancy_weeks=occupancy_by_week(session, actor, 12, today),
        hearings_this_week=Figure("hearings", "Hearings this week", _sorted(list(hearings))),
    )


# -- case reviews ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewView:
    review_id: str
    reviewed_on: date
    summary: str
    next_review_on: date | None
    reviewer: str


def record_review(
    session: Session,
    actor: Actor,
    case_id: str,
    reviewed_on: date,
    summary: str,
    next_review_on: date | None,
    today: date,
) -> str:
    """A supervisor records a periodic review; the case's next review date moves with it."""
    actor.require(Role.SUPERVISOR)
    case = visible_case(session, actor, case_id)
    if reviewed_on > today:
        raise ValidationError("A review cannot be dated in the future.", field="reviewed_on")
    if not summary.strip():
        raise ValidationError("Summarise the review.", field="summary")
    if next_review_on is not None and next_review_on <= reviewed_on:
        raise ValidationError("The next review comes after this one.", field="next_review_on")
    review = CaseReview(
        case_id=case.id,
        reviewed_on=reviewed_on,
        summary=summary.strip(),
        next_review_on=next_review_on,
        **actor.stamp(),
    )
    session.add(review)
    case.next_review_on = next_review_on
    case.updated_by = actor.user_id
    session.flush()
    audit.record(session, actor.user_id, "case.review", "case", case.id)
    return review.id


def case_reviews(session: Session, actor: Actor, case_id: str) -> list[ReviewView]:
    case = visible_case(session, actor, case_id)
    rows = session.execute(
        select(CaseReview, User.display_name)
        .outerjoin(User, User.id == CaseReview.created_by)
        .where(CaseReview.case_id == case.id, CaseReview.deleted_at.is_(None))
        .order_by(CaseReview.reviewed_on.desc(), CaseReview.created_at.desc())
    ).all()
    return [
        ReviewView(r.id, r.reviewed_on, r.summary, r.next_review_on, name or "") for r, name in rows
    ]


# -- reassignment ----------------------------------------------------------------------------


def open_cases_of(session: Session, actor: Actor, caseworker_id: str) -> list[str]:
    """The open cases assigned to a caseworker (to hand over when they leave)."""
    actor.require(Role.SUPERVISOR)
    return list(
        session.execute(
            select(Case.id)
            .where(
                Case.deleted_at.is_(None),
                Case.assigned_caseworker_id == caseworker_id,
                Case.status.in_(OPEN_STATUSES),
            )
            .order_by(Case.reference)
        ).scalars()
    )


def reassign_many(
    session: Session, actor: Actor, case_ids: list[str], caseworker_id: str, reason: str
) -> int:
    """Move cases to another caseworker in one transaction, with the reason recorded on each
    assignment; the previous caseworker loses access to them. Returns how many moved."""
    actor.require(Role.SUPERVISOR)
    if not reason.strip():
        raise ValidationError("Say why the cases are moving.", field="reason")
    if not case_ids:
        raise ValidationError("Choose at least one case.", field="cases")
    if len(case_ids) > MAX_REASSIGN:
        raise ValidationError("Too many cases at once.", field="cases")
    return sum(
        lifecycle.reassign(session, actor, case_id, caseworker_id, reason)
        for case_id in dict.fromkeys(case_ids)
    )


# -- erasure requests ------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureRequestView:
    request_id: str
    case_id: str
    case_reference: str
    requested_by: str
    requested_at: datetime
    reason: str
    decision: ClosureDecision
    decided_by: str
    decision_comment: str


def request_erasure(session: Session, actor: Actor, case_id: str, reason: str) -> str:
    """The caseworker records that the survivor withdrew consent and asks to be forgotten."""
    case = visible_case(session, actor, case_id)
    if not reason.strip():
        raise ValidationError(
            "Note how and when the survivor asked to be forgotten.", field="reason"
        )
    pending = session.execute(
        select(ErasureRequest.id).where(
            ErasureRequest.case_id == case.id,
            ErasureRequest.decision == ClosureDecision.PENDING,
            ErasureRequest.deleted_at.is_(None),
        )
    ).first()
    if pending:
        raise ValidationError("An erasure request for this case is already waiting.")
    request = ErasureRequest(case_id=case.id, reason=reason.strip(), **actor.stamp())
    session.add(request)
    session.flush()
    audit.record(session, actor.user_id, "case.erasure.request", "case", case.id)
    return request.id


def decide_erasure(
    session: Session, actor: Actor, request_id: str, approve: bool, comment: str
) -> bool:
    """Approve (the person is erased at once) or reject with a comment; returns whether an
    erasure ran."""
    actor.require(Role.SUPERVISOR)
    request = session.get(ErasureRequest, request_id)
    if request is None or request.deleted_at is not None:
        raise NotFound("That erasure request no longer exists.")
    if request.decision != ClosureDecision.PENDING:
        raise ValidationError("That request has already been decided.")
    if not approve and not comment.strip():
        raise ValidationError(
            "Say why the request is rejected, for the caseworker.", field="comment"
        )
    visible_case(session, actor, request.case_id)
    request.decision = ClosureDecision.APPROVED if approve else ClosureDecision.REJECTED
    request.decided_by = actor.user_id
    request.decided_at = utcnow()
    request.decision_comment = comment.strip()
    request.updated_by = actor.user_id
    audit.record(
        session,
        actor.user_id,
        f"case.erasure.{request.decision.value}",
        "case",
        request.case_id,
    )
    if approve:  # approved means done: the person is erased in this same transaction
        session.flush()
        erase_person(session, actor, request.case_id, request.id)
    return approve


def erasure_requests(
    session: Session, actor: Actor, pending_only: bool = True, case_id: str | None = None
) -> list[ErasureRequestView]:
    """Requests a supervisor should decide (or, with case_id, one case's requests, which its
    caseworker sees with the decision)."""
    requester, decider = User.__table__.alias("requester"), User.__table__.alias("decider")
    query = (
        select(ErasureRequest, Case.reference, requester.c.display_name, decider.c.display_name)
        .join(Case, Case.id == ErasureRequest.case_id)
        .outerjoin(requester, requester.c.id == ErasureRequest.created_by)
        .outerjoin(decider, decider.c.id == ErasureRequest.decided_by)
        .where(ErasureRequest.deleted_at.is_(None))
        .order_by(ErasureRequest.created_at)
    )
    if case_id is not None:
        visible_case(session, actor, case_id)
        query = query.where(ErasureRequest.case_id == case_id)
    else:
        actor.require(Role.SUPERVISOR)
    if pending_only:
        query = query.where(ErasureRequest.decision == ClosureDecision.PENDING)
    return [
        ErasureRequestView(
            r.id,
            r.case_id,
            reference,
            asked or "",
            r.created_at,
            r.reason,
            r.decision,
            decided or "",
            r.decision_comment,
        )
        for r, reference, asked, decided in session.execute(query).all()
    ]
