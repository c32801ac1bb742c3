"""Recording survivors and their cases, the caseload, and opening a case.

A caseworker sees the cases assigned to them; a supervisor sees every case; an administrator
or data officer without a case role sees no case content at all. Every view and change is
audited in the same transaction.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    String,
    and_,
    false,
    func,
    literal,
    select,
    true,
)
from sqlalchemy import case as case_
from sqlalchemy.orm import Session

from casework import limits
from casework.errors import NotFound, PermissionDenied, ValidationError
from casework.folding import fold
from casework.model import Assignment, Case, StatusChange, Survivor, Task, User, UserRole
from casework.model.actor import Actor
from casework.model.vocab import (
    CaseStatus,
    ClosureReason,
    Control,
    Education,
    Exploitation,
    Gender,
    Industry,
    Recruitment,
    Relationship,
    RiskLevel,
    Role,
    TaskStatus,
    TraffickingStatus,
    Vocabulary,
)
from casework.services import audit, people_index

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
V = TypeVar("V", bound=Vocabulary)


@dataclass(frozen=True)
class SurvivorInput:
    """What the intake form collects (HTCDS person and victim fields)."""

    first_name: str
    intake_date: date
    middle_name: str = ""
    last_name: str = ""
    aliases: tuple[str, ...] = ()
    birth_date: date | None = None
    estimated_age: int | None = None
    gender: Gender = Gender.NOT_SPECIFIED
    citizenship: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    safe_contact_note: str = ""
    trafficking_status: TraffickingStatus = TraffickingStatus.POSSIBLE
    exploitation_types: tuple[Exploitation, ...] = ()
    assigned_caseworker_id: str | None = None
    risk_level: RiskLevel = RiskLevel.MEDIUM
    province: str = ""
    country_of_exploitation: str = ""
    immigration_notes: str = ""
    referring_organisation: str = ""
    incoming_referral_date: date | None = None
    recruitment_methods: tuple[Recruitment, ...] = ()
    relationship_to_trafficker: Relationship | None = None
    forced_labour_industry: Industry | None = None
    age_when_trafficked: int | None = None
    methods_of_control: tuple[Control, ...] = ()
    number_of_children: int | None = None
    education_level: Education | None = None
    other_details: str = ""


@dataclass(frozen=True)
class CaseFilter:
    """Caseload filters; None means "any"."""

    statuses: tuple[CaseStatus, ...] = ()
    caseworker_id: str | None = None
    risk_levels: tuple[RiskLevel, ...] = ()
    intake_from: date | None = None
    intake_to: date | None = None
    no_contact_since: date | None = None
    with_overdue_tasks_on: date | None = None  # "overdue as of this day"


@dataclass(frozen=True)
class CaseRow:
    """One line of the caseload."""

    case_id: str
    reference: str
    survivor_name: str
    intake_date: date
    status: CaseStatus
    caseworker: str
    risk_level: RiskLevel = RiskLevel.MEDIUM
    last_contact_date: date | None = None


@dataclass(frozen=True)
class CaseDetail:
    case_id: str
    reference: str
    intake_date: date
    status: CaseStatus
    caseworker_id: str | None
    caseworker: str
    survivor_id: str
    first_name: str
    middle_name: str
    last_name: str
    aliases: tuple[str, ...]
    birth_date: date | None
    estimated_age: int | None
    gender: Gender
    citizenship: tuple[str, ...]
    languages: tuple[str, ...]
    phone: str
    email: str
    safe_contact_note: str
    trafficking_status: TraffickingStatus
    exploitation_types: tuple[Exploitation, ...] = field(default=())
    risk_level: RiskLevel = RiskLevel.MEDIUM
    province: str = ""
    country_of_exploitation: str = ""
    immigration_notes: str = ""
    referring_organisation: str = ""
    incoming_referral_date: date | None = None
    closure_reason: ClosureReason | None = None
    closed_date: date | None = None
    follow_up_date: date | None = None
    last_contact_date: date | None = None
    recruitment_methods: tuple[Recruitment, ...] = ()
    relationship_to_trafficker: Relationship | None = None
    forced_labour_industry: Industry | None = None
    age_when_trafficked: int | None = None
    methods_of_control: tuple[Control, ...] = ()
    number_of_children: int | None = None
    education_level: Education | None = None
    other_details: str = ""

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)


class CaseSort(StrEnum):
    REFERENCE = "reference"
    NAME = "name"
    INTAKE_DATE = "intake_date"
    STATUS = "status"
    CASEWORKER = "caseworker"
    RISK = "risk"
    LAST_CONTACT = "last_contact"


def require_case_role(actor: Actor) -> None:
    if not actor.works_cases:
        raise PermissionDenied("Your role does not give access to case records.")


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """The SQL condition for the cases an actor may see (one place, used by every query)."""
    if actor.has(Role.SUPERVISOR):
        return true()
    if actor.has(Role.CASEWORKER):
        return Case.assigned_caseworker_id == actor.user_id
    return false()


def _new_reference(today: date) -> str:
    suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"SH-{today.year}-{suffix}"


def _clean_list(
    values: tuple[str, ...], pattern: re.Pattern[str], what: str, upper: bool
) -> list[str]:
    cleaned: list[str] = []
    for value in values:
        code = value.strip().upper() if upper else value.strip().lower()
        if not code:
            continue
        if not pattern.match(code):
            raise ValidationError(f"“{value}” is not a valid {what} code.", field=what)
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


def _check_texts(data: SurvivorInput) -> None:
    """Every text field within its limit and storable (casework.limits), as it will be stored."""
    short = [
        (data.first_name, limits.NAME, "the first name", "first_name"),
        (data.middle_name, limits.NAME, "the middle name", "middle_name"),
        (data.last_name, limits.NAME, "the last name", "last_name"),
        (data.phone, limits.PHONE, "the phone number", "phone"),
        (data.email, limits.EMAIL, "the email address", "email"),
        (data.province, limits.PROVINCE, "the province", "province"),
        (
            data.referring_organisation,
            limits.ORGANISATION,
            "the referring organisation",
            "referring_organisation",
        ),
    ]
    for value, limit, what, name in short:
        limits.check_text(value.strip(), limit, what, name)
    limits.check_aliases(data.aliases)
    for value, what, name in (
        (data.safe_contact_note, "the note on safe contact", "safe_contact_note"),
        (data.immigration_notes, "the note on immigration", "immigration_notes"),
        (data.other_details, "the note of other details", "other_details"),
    ):
        limits.check_text(value.strip(), limits.LONG_TEXT, what, name, multiline=True)


def validate(data: SurvivorInput, today: date) -> None:
    _check_texts(data)
    if not data.first_name.strip():
        raise ValidationError(
            "Enter at least a first name or the name the person uses.", field="first_name"
        )
    if data.intake_date > today:
        raise ValidationError("The intake date cannot be in the future.", field="intake_date")
    if data.birth_date is not None:
        if data.birth_date > today:
            raise ValidationError("The birth date cannot be in the future.", field="birth_date")
        if data.birth_date.year < today.year - 120:
            raise ValidationError("The birth date is more than 120 years ago.", field="birth_date")
    if data.estimated_age is not None and not 0 <= data.estimated_age <= 120:
        raise ValidationError("The estimated age must be between 0 and 120.", field="estimated_age")
    if data.email and "@" not in data.email:
        raise ValidationError("The email address is not valid.", field="email")
    if data.country_of_exploitation and not COUNTRY_CODE.match(
        data.country_of_exploitation.upper()
    ):
        raise ValidationError(
            "The country of exploitation must be a two-letter code.",
            field="country_of_exploitation",
        )
    if data.age_when_trafficked is not None and not 0 <= data.age_when_trafficked <= 120:
        raise ValidationError(
            "The age when trafficked must be between 0 and 120.", field="age_when_trafficked"
        )
    if data.number_of_children is not None and not 0 <= data.number_of_children <= 30:
        raise ValidationError(
            "The number of children must be between 0 and 30.", field="number_of_children"
        )
    if data.incoming_referral_date is not None and data.incoming_referral_date > today:
        raise ValidationError(
            "The referral date cannot be in the future.", field="incoming_referral_date"
        )
    contradictions = date_contradictions(
        data.intake_date, data.birth_date, data.incoming_referral_date
    )
    if contradictions:
        raise contradictions[0]


class DatesDisagree(ValidationError):
    """Two dates of one person or case that cannot both be true."""

    code = "dates-disagree"


def date_contradictions(
    intake_date: date,
    birth_date: date | None = None,
    incoming_referral_date: date | None = None,
    closed_date: date | None = None,
) -> list[DatesDisagree]:
    """Every way these dates contradict the intake date (the intake form and the importer
    apply the same rule): born after the intake, referred in after it, or closed before it."""
    found = []
    if birth_date is not None and birth_date > intake_date:
        found.append(
            DatesDisagree(
                "The birth date is after the intake date; correct one of them.",
                field="birth_date",
            )
        )
    if incoming_referral_date is not None and incoming_referral_date > intake_date:
        found.append(
            DatesDisagree(
                "The referral date is after the intake date; correct one of them.",
                field="incoming_referral_date",
            )
        )
    if closed_date is not None and closed_date < intake_date:
        found.append(
            DatesDisagree(
                "The closing date is before the intake date; correct one of them.",
                field="closed_date",
            )
        )
    return found


# Where each field of the intake form is stored: on the person, or on their case.
SURVIVOR_FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "aliases",
    "birth_date",
    "estimated_age",
    "gender",
    "citizenship",
    "languages",
    "phone",
    "email",
    "safe_contact_note",
    "trafficking_status",
    "exploitation_types",
    "recruitment_methods",
    "relationship_to_trafficker",
    "forced_labour_industry",
    "age_when_trafficked",
    "methods_of_control",
    "number_of_children",
    "education_level",
    "other_details",
)
CASE_FIELDS = (
    "intake_date",
    "risk_level",
    "province",
    "country_of_exploitation",
    "immigration_notes",
    "referring_organisation",
    "incoming_referral_date",
)


# What each picklist is called in a refusal (which never repeats the value: it may be anything)
PICKLISTS = {
    "recruitment_methods": "the method of recruitment",
    "relationship_to_trafficker": "the relationship to the trafficker",
    "forced_labour_industry": "the forced labour industry",
    "methods_of_control": "the methods of control",
    "education_level": "the level of education",
}


def _member(vocabulary: type[Vocabulary], value: object, name: str) -> str:
    """A picklist's stored value: its HTCDS value name, or "" when nothing was chosen."""
    if value is None or value == "":
        return ""
    try:
        return vocabulary(str(value)).value
    except ValueError:
        raise ValidationError(
            f"Choose {PICKLISTS[name]} from its list: a value was not one of its choices.",
            field=name,
        ) from None


def _members(vocabulary: type[Vocabulary], values: tuple[object, ...], name: str) -> list[str]:
    chosen: list[str] = []
    for value in values:
        member = _member(vocabulary, value, name)
        if member and member not in chosen:
            chosen.append(member)
    return chosen


def stored_values(data: SurvivorInput) -> dict[str, Any]:
    """The form's values as they are stored (trimmed, codes in one case, no repeats, members of
    their vocabulary even when a widget handed back the plain string), by the name of the
    column that holds each: intake and corrections store alike."""
    return {
        "first_name": data.first_name.strip(),
        "middle_name": data.middle_name.strip(),
        "last_name": data.last_name.strip(),
        "aliases": [a.strip() for a in data.aliases if a.strip()],
        "birth_date": data.birth_date,
        "estimated_age": data.estimated_age if data.birth_date is None else None,
        "gender": Gender(data.gender),
        "citizenship": _clean_list(data.citizenship, COUNTRY_CODE, "country", upper=True),
        "languages": _clean_list(data.languages, LANGUAGE_CODE, "language", upper=False),
        "phone": data.phone.strip(),
        "email": data.email.strip(),
        "safe_contact_note": data.safe_contact_note.strip(),
        "trafficking_status": TraffickingStatus(data.trafficking_status),
        "exploitation_types": [Exploitation(e).value for e in data.exploitation_types],
        "recruitment_methods": _members(
            Recruitment, data.recruitment_methods, "recruitment_methods"
        ),
        "relationship_to_trafficker": _member(
            Relationship, data.relationship_to_trafficker, "relationship_to_trafficker"
        ),
        "forced_labour_industry": _member(
            Industry, data.forced_labour_industry, "forced_labour_industry"
        ),
        "age_when_trafficked": data.age_when_trafficked,
        "methods_of_control": _members(Control, data.methods_of_control, "methods_of_control"),
        "number_of_children": data.number_of_children,
        "education_level": _member(Education, data.education_level, "education_level"),
        "other_details": data.other_details.strip(),
        "intake_date": data.intake_date,
        "risk_level": RiskLevel(data.risk_level),
        "province": data.province.strip(),
        "country_of_exploitation": data.country_of_exploitation.strip().upper(),
        "immigration_notes": data.immigration_notes.strip(),
        "referring_organisation": data.referring_organisation.strip(),
        "incoming_referral_date": data.incoming_referral_date,
    }


def record_survivor(session: Session, actor: Actor, data: SurvivorInput, today: date) -> CaseDetail:
    """Record a new survivor and open their case, assigned to the acting caseworker unless a
    supervisor names someone else."""
    require_case_role(actor)
    validate(data, today)
    assignee = data.assigned_caseworker_id or actor.user_id
    if assignee != actor.user_id and not actor.has(Role.SUPERVISOR):
        raise PermissionDenied("Only a supervisor can assign a case to someone else.")
    if session.get(User, assignee) is None:
        raise ValidationError(
            "The chosen caseworker does not exist.", field="assigned_caseworker_id"
        )
    values = stored_values(data)
    survivor = Survivor(
        **{name: values[name] for name in SURVIVOR_FIELDS},
        **actor.stamp(),
    )
    session.add(survivor)
    session.flush()
    reference = _new_reference(today)
    while session.execute(select(Case.id).where(Case.reference == reference)).first():
        reference = _new_reference(today)
    case = Case(
        reference=reference,
        survivor_id=survivor.id,
        status=CaseStatus.ACTIVE,
        assigned_caseworker_id=assignee,
        sort_name=sort_name(survivor.first_name, survivor.last_name),
        **{name: values[name] for name in CASE_FIELDS},
        **actor.stamp(),
    )
    session.add(case)
    session.flush()
    stamp = {"created_by": actor.user_id, "updated_by": actor.user_id}
    session.add(StatusChange(case_id=case.id, from_status=None, to_status=case.status, **stamp))
    index_person(session, case, survivor)
    session.add(Assignment(case_id=case.id, caseworker_id=assignee, **stamp))
    audit.record(session, actor.user_id, "survivor.create", "survivor", survivor.id)
    audit.record(session, actor.user_id, "case.create", "case", case.id)
    return detail_of(session, case)


def sort_name(first_name: str, last_name: str) -> str:
    """The caseload's name sort key: lower case, accents folded ("Ángel" sorts with "Angel")."""
    return fold(f"{first_name} {last_name}")


def _caseload_query(actor: Actor) -> Select[str]:
    """No joins: at 100,000 cases each join costs a lookup per row."""
    return select(Case.id).where(Case.deleted_at.is_(None), visible_to(actor))


def _filtered(query: Select[str], where: CaseFilter, counting: bool = False) -> Select[str]:
    """The filter's conditions. ``counting``: the query visits every matching case (a count),
    rather than the first page of them in an index's order."""
    if where.statuses:
        query = query.where(Case.status.in_(where.statuses))
    if where.caseworker_id:
        query = query.where(Case.assigned_caseworker_id == where.caseworker_id)
    if where.risk_levels:
        query = query.where(Case.risk_level.in_(where.risk_levels))
    if where.intake_from:
        query = query.where(Case.intake_date >= where.intake_from)
    if where.intake_to:
        query = query.where(Case.intake_date <= where.intake_to)
    if where.no_contact_since:
        query = query.where(
            (Case.last_contact_date.is_(None)) | (Case.last_contact_date < where.no_contact_since)
        )
    if where.with_overdue_tasks_on:
        overdue = (Task.status == TaskStatus.OPEN) & (Task.deleted_at.is_(None))
        overdue &= Task.due_on < where.with_overdue_tasks_on
        if counting:  # from the tasks side: open overdue tasks are few, cases many
            query = query.where(Case.id.in_(select(Task.case_id).where(overdue)))
        else:  # walking cases in order, a first page is found after a few lookups each
            query = query.where(select(Task.id).where(Task.case_id == Case.id, overdue).exists())
    return query


def _sort_key(session: Session, sort: CaseSort) -> SQLColumnExpression[Any]:
    if sort == CaseSort.CASEWORKER:
        # The caseworkers are few: rank them by name here and sort the cases by that rank,
        # rather than join every case to its caseworker's name (twice as fast at 100,000).
        users = session.execute(select(User.id, User.display_name)).all()
        ranked = sorted(users, key=lambda u: ((u.display_name or "").casefold(), u.id))
        ranks = {user_id: rank for rank, (user_id, _name) in enumerate(ranked)}
        if not ranks:
            return literal(-1)
        return case_(ranks, value=Case.assigned_caseworker_id, else_=-1)
    return {
        CaseSort.REFERENCE: Case.reference,
        CaseSort.NAME: Case.sort_name,
        CaseSort.INTAKE_DATE: Case.intake_date,
        CaseSort.STATUS: Case.status,
        CaseSort.RISK: case_({"low": 0, "medium": 1, "high": 2}, value=Case.risk_level, else_=1),
        CaseSort.LAST_CONTACT: func.coalesce(Case.last_contact_date, "0000-00-00", type_=String),
    }[sort]


def _sorted_ids(
    session: Session, actor: Actor, sort: CaseSort, descending: bool, where: CaseFilter
) -> Select[str]:
    key = _sort_key(session, sort)
    order = key.desc() if descending else key.asc()
    tiebreak = Case.reference.desc() if descending else Case.reference.asc()
    return _filtered(_caseload_query(actor), where).order_by(order, tiebreak)


def caseload_ids(
    session: Session,
    actor: Actor,
    sort: CaseSort = CaseSort.INTAKE_DATE,
    descending: bool = True,
    where: CaseFilter | None = None,
) -> list[str]:
    """Every visible case id, filtered and sorted by the database (for lists of a few thousand
    at most; the caseload window below pages instead)."""
    require_case_role(actor)
    return list(
        session.execute(
            _sorted_ids(session, actor, sort, descending, where or CaseFilter())
        ).scalars()
    )


@dataclass(frozen=True)
class CaseloadWindow:
    """How many cases match, and the rows of one page of them in order."""

    total: int
    offset: int
    rows: list[CaseRow]


def caseload_count(session: Session, actor: Actor, where: CaseFilter | None = None) -> int:
    require_case_role(actor)
    query = _filtered(_caseload_query(actor), where or CaseFilter(), True)
    return int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())


def caseload_page(
    session: Session,
    actor: Actor,
    sort: CaseSort,
    descending: bool,
    where: CaseFilter | None,
    offset: int,
    limit: int,
) -> list[CaseRow]:
    """One page of the sorted, filtered caseload. The ids are paged by the database (an index
    walk for most sorts, a bounded top-N sort for the others), then only those rows are read."""
    require_case_role(actor)
    query = _sorted_ids(session, actor, sort, descending, where or CaseFilter())
    ids = list(session.execute(query.limit(limit).offset(offset)).scalars())
    return caseload_rows(session, actor, ids)


def caseload_position(
    session: Session,
    actor: Actor,
    sort: CaseSort,
    descending: bool,
    where: CaseFilter | None,
    case_id: str,
) -> int | None:
    """Where a case sits in the sorted, filtered caseload (None if it is not in it), counted by
    the database: the rows whose (key, reference) come before the case's."""
    require_case_role(actor)
    where = where or CaseFilter()
    key = _sort_key(session, sort)
    mine = session.execute(
        _filtered(_caseload_query(actor), where)
        .add_columns(key, Case.reference)
        .where(Case.id == case_id)
    ).one_or_none()
    if mine is None:
        return None
    _id, value, reference = mine
    if descending:
        before = (key > value) | ((key == value) & (Case.reference > reference))
    else:
        before = (key < value) | ((key == value) & (Case.reference < reference))
    query = _filtered(_caseload_query(actor), where, True).where(before)
    return int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())


def caseload_rows(session: Session, actor: Actor, case_ids: list[str]) -> list[CaseRow]:
    """The caseload lines for these ids (in the order given), visible ones only."""
    require_case_role(actor)
    if not case_ids:
        return []
    rows = session.execute(
        select(
            Case.id,
            Case.reference,
            Survivor.first_name,
            Survivor.last_name,
            Case.intake_date,
            Case.status,
            User.display_name,
            Case.risk_level,
            Case.last_contact_date,
        )
        .join(Survivor, Survivor.id == Case.survivor_id)
        .outerjoin(User, User.id == Case.assigned_caseworker_id)
        .where(and_(Case.id.in_(case_ids), visible_to(actor), Case.deleted_at.is_(None)))
    ).all()
    by_id = {
        r[0]: CaseRow(r[0], r[1], f"{r[2]} {r[3]}".strip(), r[4], r[5], r[6] or "", r[7], r[8])
        for r in rows
    }
    return [by_id[i] for i in case_ids if i in by_id]


def index_person(session: Session, case: Case, survivor: Survivor) -> None:
    """Make ``case`` found by its survivor's names, reference and phone as they are now."""
    people_index.unindex_case(session, case.id)
    people_index.index_cases(
        session,
        [
            {
                "case_id": case.id,
                "first_name": survivor.first_name,
                "middle_name": survivor.middle_name,
                "last_name": survivor.last_name,
                "aliases": survivor.aliases,
                "reference": case.reference,
                "phone": survivor.phone,
            }
        ],
    )


def visible_case(session: Session, actor: Actor, case_id: str) -> Case:
    """The case, if the actor may see it; NotFound otherwise (never "exists but forbidden")."""
    require_case_role(actor)
    case = session.execute(
        select(Case).where(Case.id == case_id, Case.deleted_at.is_(None), visible_to(actor))
    ).scalar_one_or_none()
    if case is None:
        raise NotFound()
    return case


def case_id_for_reference(session: Session, actor: Actor, reference: str) -> str:
    """The id of the visible case with this reference (as typed: case and spaces ignored)."""
    require_case_role(actor)
    found = session.execute(
        select(Case.id).where(
            func.upper(Case.reference) == reference.strip().upper(),
            Case.deleted_at.is_(None),
            visible_to(actor),
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("No case you can see has that reference.")
    return found


def open_case(session: Session, actor: Actor, case_id: str) -> CaseDetail:
    """A case with its survivor, for one who may see it; the view is audited."""
    case = visible_case(session, actor, case_id)
    audit.record(session, actor.user_id, "case.view", "case", case.id)
    return detail_of(session, case)


def _one(vocabulary: type[V], value: str) -> V | None:
    """A stored picklist value as its member; None when not recorded (or, from an import of
    before the picklists, not one of its values)."""
    try:
        return vocabulary(value) if value else None
    except ValueError:
        return None


def _known(vocabulary: type[V], values: list[str]) -> tuple[V, ...]:
    return tuple(m for m in (_one(vocabulary, v) for v in values) if m is not None)


def detail_of(session: Session, case: Case) -> CaseDetail:
    survivor = case.survivor
    worker = session.get(User, case.assigned_caseworker_id) if case.assigned_caseworker_id else None
    return CaseDetail(
        case_id=case.id,
        reference=case.reference,
        intake_date=case.intake_date,
        status=case.status,
        caseworker_id=case.assigned_caseworker_id,
        caseworker=worker.display_name if worker else "",
        survivor_id=survivor.id,
        first_name=survivor.first_name,
        middle_name=survivor.middle_name,
        last_name=survivor.last_name,
        aliases=tuple(survivor.aliases),
        birth_date=survivor.birth_date,
        estimated_age=survivor.estimated_age,
        gender=survivor.gender,
        citizenship=tuple(survivor.citizenship),
        languages=tuple(survivor.languages),
        phone=survivor.phone,
        email=survivor.email,
        safe_contact_note=survivor.safe_contact_note,
        trafficking_status=survivor.trafficking_status,
        exploitation_types=tuple(Exploitation(e) for e in survivor.exploitation_types),
        risk_level=case.risk_level,
        province=case.province,
        country_of_exploitation=case.country_of_exploitation,
        immigration_notes=case.immigration_notes,
        referring_organisation=case.referring_organisation,
        incoming_referral_date=case.incoming_referral_date,
        closure_reason=case.closure_reason,
        closed_date=case.closed_date,
        follow_up_date=case.follow_up_date,
        last_contact_date=case.last_contact_date,
        recruitment_methods=_known(Recruitment, survivor.recruitment_methods),
        relationship_to_trafficker=_one(Relationship, survivor.relationship_to_trafficker),
        forced_labour_industry=_one(Industry, survivor.forced_labour_industry),
        age_when_trafficked=survivor.age_when_trafficked,
        methods_of_control=_known(Control, survivor.methods_of_control),
        number_of_children=survivor.number_of_children,
        education_level=_one(Education, survivor.education_level),
        other_details=survivor.other_details,
    )


def caseworkers(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """(user id, display name) of active caseworkers, for assignment pickers."""
    require_case_role(actor)
    rows = session.execute(
        select(User.id, User.display_name)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            UserRole.role == Role.CASEWORKER,
            User.disabled_at.is_(None),
            UserRole.deleted_at.is_(None),
        )
        .order_by(User.display_name)
    ).all()
    return [(r[0], r[1]) for r in rows]
