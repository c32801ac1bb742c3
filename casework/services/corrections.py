"""Correcting a survivor's record after intake, field by field: every field the intake form
records can be changed by whoever may see the case, each change kept (who, when, the value
before and after) and audited. Only a supervisor reads the values a change replaced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.errors import CaseworkError
from casework.model import Case, RecordChange, Survivor, User
from casework.model.actor import Actor
from casework.model.vocab import (
    Control,
    Education,
    Exploitation,
    Gender,
    Industry,
    Recruitment,
    Relationship,
    RiskLevel,
    TraffickingStatus,
)
from casework.services import audit
from casework.services.cases import (
    CASE_FIELDS,
    SURVIVOR_FIELDS,
    CaseDetail,
    SurvivorInput,
    detail_of,
    index_person,
    require_case_role,
    sort_name,
    stored_values,
    validate,
    visible_case,
)

# What a person reads for each field, in the history and in the message of a conflict.
FIELD_LABELS = {
    "first_name": "First name",
    "middle_name": "Middle name",
    "last_name": "Last name",
    "aliases": "Aliases",
    "birth_date": "Birth date",
    "estimated_age": "Estimated age",
    "gender": "Gender",
    "citizenship": "Citizenship",
    "languages": "Languages",
    "phone": "Phone",
    "email": "Email",
    "safe_contact_note": "Safe to contact",
    "trafficking_status": "Trafficking status",
    "exploitation_types": "Types of exploitation",
    "recruitment_methods": "Method of recruitment",
    "relationship_to_trafficker": "Relationship to trafficker",
    "forced_labour_industry": "Forced labour industry",
    "age_when_trafficked": "Age when trafficked",
    "methods_of_control": "Methods of control",
    "number_of_children": "Number of children",
    "education_level": "Highest level of education",
    "other_details": "Other details",
    "intake_date": "Intake date",
    "risk_level": "Risk",
    "province": "Province or state",
    "country_of_exploitation": "Country of exploitation",
    "immigration_notes": "Immigration status notes",
    "referring_organisation": "Referred by",
    "incoming_referral_date": "Referred on",
}
# A person's fields that were stored under another name: their history is still shown.
FORMER_FIELDS = {"recruitment_method": "Method of recruitment"}
# Fields the people search and the caseload's name order are built from.
INDEXED = {"first_name", "middle_name", "last_name", "aliases", "phone"}
_DATES = {"birth_date", "intake_date", "incoming_referral_date"}
_ENUMS: dict[str, type[Enum]] = {
    "gender": Gender,
    "trafficking_status": TraffickingStatus,
    "risk_level": RiskLevel,
    "relationship_to_trafficker": Relationship,
    "forced_labour_industry": Industry,
    "education_level": Education,
    "exploitation_types": Exploitation,
    "recruitment_methods": Recruitment,
    "methods_of_control": Control,
}


class ChangedMeanwhile(CaseworkError):
    """Someone else saved a field of this record after the form was filled from it."""

    code = "changed-meanwhile"


@dataclass(frozen=True)
class FieldChange:
    """One corrected field, as the history shows it. ``before`` and ``after`` are the stored
    values (dates, vocabulary members, tuples), for supervisors only: None for others, who
    read who changed which field and when."""

    at: datetime
    by: str
    field: str
    label: str
    before: object = None
    after: object = None
    values_shown: bool = False


def _encode(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(name: str, value: Any) -> object:
    if value is None:
        return None
    if name in _DATES:
        return date.fromisoformat(value)
    if isinstance(value, list):
        return tuple(_decode(name, v) for v in value)
    if name in _ENUMS and value != "":
        try:
            return _ENUMS[name](value)
        except ValueError:  # a value from before its field had a picklist: shown as it was
            return value
    return value


def correct_record(
    session: Session,
    actor: Actor,
    case_id: str,
    before: SurvivorInput,
    after: SurvivorInput,
    today: date,
) -> CaseDetail:
    """Store the fields that differ between ``before`` (the record as the form showed it) and
    ``after`` (as the user left it). A field someone else saved meanwhile is not overwritten:
    nothing is stored and the user is told which. Names, aliases and phone are indexed again
    for search, and the caseload's name order follows."""
    require_case_role(actor)
    case = visible_case(session, actor, case_id)
    survivor = case.survivor
    validate(after, today)
    seen, wanted = stored_values(before), stored_values(after)
    edited = [name for name in FIELD_LABELS if _encode(wanted[name]) != _encode(seen[name])]
    stored = {
        name: _encode(getattr(survivor if name in SURVIVOR_FIELDS else case, name))
        for name in FIELD_LABELS
    }
    overtaken = [name for name in edited if stored[name] != _encode(seen[name])]
    if overtaken:
        fields = ", ".join(FIELD_LABELS[name].lower() for name in overtaken)
        raise ChangedMeanwhile(
            f"Someone else changed this record after you opened it ({fields}). "
            "Your changes are not saved: open the case again to see theirs, then make yours."
        )
    changed = [name for name in edited if stored[name] != _encode(wanted[name])]
    if not changed:
        return detail_of(session, case)
    for name in changed:
        target = survivor if name in SURVIVOR_FIELDS else case
        setattr(target, name, wanted[name])
        session.add(
            RecordChange(
                case_id=case.id,
                survivor_id=survivor.id,
                field=name,
                old_value=stored[name],
                new_value=_encode(wanted[name]),
                **actor.stamp(),
            )
        )
    survivor.updated_by = actor.user_id
    if any(name in CASE_FIELDS for name in changed):
        case.updated_by = actor.user_id
    if INDEXED & set(changed):
        _reindex(session, survivor)
    session.flush()
    audit.record(
        session,
        actor.user_id,
        "survivor.correct",
        "case",  # so that the audit trail of this case shows it
        case.id,
        {"survivor": survivor.id, "fields": changed},
    )
    return detail_of(session, case)


def _reindex(session: Session, survivor: Survivor) -> None:
    """Every case of the person: their search entries and their place in the name order."""
    cases = session.execute(
        select(Case).where(Case.survivor_id == survivor.id, Case.deleted_at.is_(None))
    ).scalars()
    for case in cases:
        case.sort_name = sort_name(survivor.first_name, survivor.last_name)
        index_person(session, case, survivor)


def record_changes(session: Session, actor: Actor, case_id: str) -> list[FieldChange]:
    """The corrections to a case's record, newest first: the person's fields (from any of
    their cases) and this case's own."""
    require_case_role(actor)
    case = visible_case(session, actor, case_id)
    rows = session.execute(
        select(RecordChange, User.display_name)
        .outerjoin(User, User.id == RecordChange.created_by)
        .where(
            RecordChange.deleted_at.is_(None),
            (RecordChange.survivor_id == case.survivor_id)
            & (
                RecordChange.field.in_((*SURVIVOR_FIELDS, *FORMER_FIELDS))
                | (RecordChange.case_id == case.id)
            ),
        )
        .order_by(RecordChange.created_at.desc(), RecordChange.field)
    ).all()
    shown = actor.sees_all_cases
    return [
        FieldChange(
            at=change.created_at,
            by=name or "",
            field=change.field,
            label=FIELD_LABELS.get(change.field) or FORMER_FIELDS.get(change.field, change.field),
            before=_decode(change.field, change.old_value) if shown else None,
            after=_decode(change.field, change.new_value) if shown else None,
            values_shown=shown,
        )
        for change, name in rows
    ]
