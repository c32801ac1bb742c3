"""Tasks and reminders: by hand on a case, or raised by consent expiry and follow-up dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from casework import limits
from casework.errors import NotFound, PermissionDenied, ValidationError
from casework.model import Case, ConsentRecord, Task, User
from casework.model.actor import Actor
from casework.model.base import utcnow
from casework.model.vocab import CaseStatus, ConsentKind, Role, TaskSource, TaskStatus
from casework.services import audit
from casework.services.cases import require_case_role, visible_case

CONSENT_WARNING_DAYS = 14


@dataclass(frozen=True)
class TaskView:
    task_id: str
    case_id: str | None
    case_reference: str
    title: str
    due_on: date
    assignee: str
    status: TaskStatus
    source: TaskSource


@dataclass(frozen=True)
class MyTasks:
    overdue: list[TaskView]
    today: list[TaskView]
    upcoming: list[TaskView]


def _query() -> Select[Task, str | None, str | None]:
    return (
        select(Task, Case.reference, User.display_name)
        .outerjoin(Case, Case.id == Task.case_id)
        .outerjoin(User, User.id == Task.assignee_id)
        .where(Task.deleted_at.is_(None))
    )


def _view(task: Task, reference: str | None, assignee: str | None) -> TaskView:
    return TaskView(
        task.id,
        task.case_id,
        reference or "",
        task.title,
        task.due_on,
        assignee or "",
        task.status,
        task.source,
    )


def add_task(
    session: Session,
    actor: Actor,
    case_id: str,
    title: str,
    due_on: date,
    assignee_id: str | None = None,
) -> TaskView:
    case = visible_case(session, actor, case_id)
    if not title.strip():
        raise ValidationError("Describe the task.", field="title")
    limits.check_text(title.strip(), limits.SHORT_TEXT * 3, "the task", "title")
    assignee_id = assignee_id or actor.user_id
    if (
        assignee_id != actor.user_id
        and not actor.has(Role.SUPERVISOR)
        and (assignee_id != case.assigned_caseworker_id)
    ):
        raise PermissionDenied("You can give tasks to yourself or to the case's caseworker.")
    assignee = session.get(User, assignee_id)
    if assignee is None or assignee.disabled_at is not None:
        raise ValidationError("Choose an active user for the task.", field="assignee")
    task = Task(
        case_id=case.id,
        title=title.strip(),
        due_on=due_on,
        assignee_id=assignee_id,
        **actor.stamp(),
    )
    session.add(task)
    session.flush()
    audit.record(session, actor.user_id, "task.add", "task", task.id)
    return _view(task, case.reference, assignee.display_name)


def complete_task(session: Session, actor: Actor, task_id: str) -> None:
    task = session.get(Task, task_id)
    if task is None or task.deleted_at is not None:
        raise NotFound()
    if task.case_id is not None:
        visible_case(session, actor, task.case_id)
    elif task.assignee_id != actor.user_id:
        raise NotFound()
    task.status = TaskStatus.DONE
    task.completed_at = utcnow()
    task.updated_by = actor.user_id
    audit.record(session, actor.user_id, "task.complete", "task", task.id)


def case_tasks(session: Session, actor: Actor, case_id: str) -> list[TaskView]:
    case = visible_case(session, actor, case_id)
    rows = session.execute(_query().where(Task.case_id == case.id).order_by(Task.due_on)).all()
    return [_view(*row) for row in rows]


def my_tasks(session: Session, actor: Actor, today: date, horizon_days: int = 14) -> MyTasks:
    """The actor's open tasks: overdue, due today, and due in the next ``horizon_days``."""
    require_case_role(actor)
    rows = session.execute(
        _query()
        .where(
            Task.assignee_id == actor.user_id,
            Task.status == TaskStatus.OPEN,
            Task.due_on <= today + timedelta(days=horizon_days),
        )
        .order_by(Task.due_on, Task.title)
    ).all()
    views = [_view(*row) for row in rows]
    return MyTasks(
        overdue=[t for t in views if t.due_on < today],
        today=[t for t in views if t.due_on == today],
        upcoming=[t for t in views if t.due_on > today],
    )


def raise_reminders(session: Session, actor: Actor, today: date) -> int:
    """Create the tasks that consent expiry and follow-up dates call for; returns how many were
    new. Running it again adds nothing (each reminder has a unique source key)."""
    require_case_role(actor)
    existing = set(
        session.execute(select(Task.source_key).where(Task.source_key.is_not(None))).scalars()
    )
    created = 0
    soon = today + timedelta(days=CONSENT_WARNING_DAYS)
    releases = session.execute(
        select(ConsentRecord, Case)
        .join(Case, Case.survivor_id == ConsentRecord.survivor_id)
        .where(
            ConsentRecord.kind == ConsentKind.RELEASE,
            ConsentRecord.withdrawn_on.is_(None),
            ConsentRecord.expires_on.is_not(None),
            ConsentRecord.expires_on <= soon,
            ConsentRecord.expires_on >= today - timedelta(days=1),
            Case.status.in_((CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP)),
            Case.assigned_caseworker_id.is_not(None),
        )
    ).all()
    for consent, case in releases:
        key = f"consent:{consent.id}"
        if key in existing or consent.expires_on is None or case.assigned_caseworker_id is None:
            continue
        session.add(
            Task(
                case_id=case.id,
                assignee_id=case.assigned_caseworker_id,
                due_on=consent.expires_on,
                title=(
                    f"Release of information to {consent.partner_organisation} expires: "
                    "renew it or let it lapse"
                ),
                source=TaskSource.CONSENT_EXPIRY,
                source_key=key,
                **actor.stamp(),
            )
        )
        existing.add(key)
        created += 1
    follow_ups = session.execute(
        select(Case).where(
            Case.status == CaseStatus.FOLLOW_UP,
            Case.follow_up_date.is_not(None),
            Case.follow_up_date <= soon,
            Case.assigned_caseworker_id.is_not(None),
        )
    ).scalars()
    for case in follow_ups:
        key = f"follow-up:{case.id}:{case.follow_up_date}"
        if key in existing or case.follow_up_date is None or case.assigned_caseworker_id is None:
            continue
        session.add(
            Task(
                case_id=case.id,
                assignee_id=case.assigned_caseworker_id,
                due_on=case.follow_up_date,
                title="Follow up with the survivor",
                source=TaskSource.FOLLOW_UP,
                source_key=key,
                **actor.stamp(),
            )
        )
        existing.add(key)
        created += 1
    session.flush()
    if created:
        audit.record(session, actor.user_id, "task.reminders", "task", actor.user_id)
    return created
