"""One chronological view of everything that happened on a case, filterable by kind. It shows
what the reader may see: counseling notes and sensitive notes follow their own rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy.orm import Session

from casework.model.actor import Actor
from casework.model.vocab import CaseStatus, Confidentiality
from casework.services import consent, counseling, legal, lifecycle, notes, referrals, shelter
from casework.services.cases import visible_case


class EventKind(StrEnum):
    INTAKE = "intake"
    STATUS = "status"
    NOTE = "note"
    CONSENT = "consent"
    STAY = "stay"
    COUNSELING = "counseling"
    HEARING = "hearing"
    REFERRAL = "referral"


@dataclass(frozen=True)
class Event:
    on: date
    kind: EventKind
    text: str


def case_timeline(
    session: Session, actor: Actor, case_id: str, kinds: frozenset[EventKind] | None = None
) -> list[Event]:
    """Events newest first; ``kinds`` limits them (None: everything)."""
    case = visible_case(session, actor, case_id)
    wanted = kinds or frozenset(EventKind)
    events: list[Event] = []
    if EventKind.INTAKE in wanted:
        events.append(Event(case.intake_date, EventKind.INTAKE, "Intake: case opened"))
    if EventKind.STATUS in wanted:
        for change in lifecycle.status_history(session, actor, case_id):
            if change.from_status is None and change.to_status == CaseStatus.ACTIVE:
                continue  # the intake itself
            events.append(
                Event(
                    change.at.astimezone().date(),
                    EventKind.STATUS,
                    f"Status: {change.to_status.label}"
                    + (f" — {change.comment}" if change.comment else ""),
                )
            )
    if EventKind.NOTE in wanted:
        for note in notes.case_notes(session, actor, case_id):
            mark = "[Sensitive] " if note.confidentiality == Confidentiality.SENSITIVE else ""
            events.append(
                Event(
                    note.noted_on,
                    EventKind.NOTE,
                    f"{mark}Note by {note.author}: {note.body[:200]}",
                )
            )
    if EventKind.CONSENT in wanted:
        for record in consent.consents(session, actor, case_id):
            target = f" to {record.partner_organisation}" if record.partner_organisation else ""
            events.append(
                Event(
                    record.given_on,
                    EventKind.CONSENT,
                    f"Consent given: {record.kind.label}{target}",
                )
            )
            if record.withdrawn_on:
                events.append(
                    Event(
                        record.withdrawn_on,
                        EventKind.CONSENT,
                        f"Consent withdrawn: {record.kind.label}{target}",
                    )
                )
    if EventKind.STAY in wanted:
        for stay in shelter.case_stays(session, actor, case_id):
            events.append(
                Event(stay.admitted_on, EventKind.STAY, f"Admitted to shelter, bed {stay.bed}")
            )
            if stay.discharged_on:
                reason = stay.discharge_reason.label if stay.discharge_reason else ""
                events.append(
                    Event(stay.discharged_on, EventKind.STAY, f"Discharged from shelter: {reason}")
                )
    if EventKind.COUNSELING in wanted:
        for item in counseling.case_sessions(session, actor, case_id):
            events.append(
                Event(
                    item.held_on,
                    EventKind.COUNSELING,
                    f"Counseling ({item.kind.label}, {item.attendance.label}) "
                    f"with {item.counselor}",
                )
            )
    if EventKind.HEARING in wanted:
        for matter in legal.case_matters(session, actor, case_id):
            for hearing in matter.hearings:
                events.append(
                    Event(
                        hearing.starts_at.astimezone().date(),
                        EventKind.HEARING,
                        f"Hearing ({matter.kind.label}) at "
                        f"{hearing.place or 'place to be confirmed'}",
                    )
                )
    if EventKind.REFERRAL in wanted:
        for referral in referrals.case_referrals(session, actor, case_id):
            events.append(
                Event(
                    referral.referred_on,
                    EventKind.REFERRAL,
                    f"Referred to {referral.partner} ({referral.category.label}): "
                    f"{referral.status.label}",
                )
            )
    events.sort(key=lambda e: e.on, reverse=True)
    return events
