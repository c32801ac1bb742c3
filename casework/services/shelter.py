"""Shelter: beds set up by an administrator, admissions and discharges, the occupancy board,
shelter nights, and the waiting list when no bed is free.

A stay runs from its admission date up to, not including, its discharge date: a stay from the
3rd to the 5th is two nights (the 3rd and the 4th), and each night counts in the period its
date falls in, so a stay across a quarter boundary splits between the quarters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from casework import limits
from casework.errors import NotFound, ValidationError
from casework.model import Bed, Case, Facility, Room, Stay, Survivor, WaitingListEntry
from casework.model.actor import Actor
from casework.model.vocab import CaseStatus, DischargeReason, Role
from casework.services import audit
from casework.services.cases import require_case_role, visible_case


@dataclass(frozen=True)
class BedState:
    """One line of the occupancy board: who (by case reference and preferred name) and since."""

    bed_id: str
    facility: str
    room: str
    bed: str
    stay_id: str | None = None
    case_id: str | None = None
    case_reference: str = ""
    preferred_name: str = ""
    since: date | None = None

    @property
    def free(self) -> bool:
        return self.stay_id is None


@dataclass(frozen=True)
class StayView:
    stay_id: str
    bed: str
    admitted_on: date
    discharged_on: date | None
    discharge_reason: DischargeReason | None


@dataclass(frozen=True)
class Waiting:
    entry_id: str
    case_id: str
    case_reference: str
    preferred_name: str
    requested_on: date
    priority: int


def add_facility(session: Session, actor: Actor, name: str, rooms: dict[str, int]) -> str:
    """An administrator sets up a facility with rooms and their number of beds."""
    actor.require(Role.ADMINISTRATOR)
    if not name.strip():
        raise ValidationError("Name the facility.", field="name")
    limits.check_text(name.strip(), limits.ORGANISATION, "the facility's name", "name")
    for room_name in rooms:
        limits.check_text(room_name.strip(), limits.SHORT_TEXT, "a room's name", "rooms")
    if not rooms or any(count < 1 or count > 50 for count in rooms.values()):
        raise ValidationError("Give each room between 1 and 50 beds.", field="rooms")
    facility = Facility(name=name.strip(), **actor.stamp())
    session.add(facility)
    session.flush()
    for room_name, count in rooms.items():
        room = Room(facility_id=facility.id, name=room_name.strip() or "Room", **actor.stamp())
        session.add(room)
        session.flush()
        for number in range(1, count + 1):
            session.add(Bed(room_id=room.id, label=f"{room.name}-{number}", **actor.stamp()))
    audit.record(session, actor.user_id, "shelter.facility.add", "facility", facility.id)
    return facility.id


def _occupying(on: date) -> ColumnElement[bool]:
    """Stays that hold their bed on the night of ``on``."""
    return and_(
        Stay.deleted_at.is_(None),
        Stay.admitted_on <= on,
        or_(Stay.discharged_on.is_(None), Stay.discharged_on > on),
    )


def occupancy(session: Session, actor: Actor, on: date) -> list[BedState]:
    """Every bed in service, with who is in it on that night; free beds have no stay."""
    require_case_role(actor)
    beds = session.execute(
        select(Bed.id, Facility.name, Room.name, Bed.label)
        .join(Room, Room.id == Bed.room_id)
        .join(Facility, Facility.id == Room.facility_id)
        .where(Bed.in_service.is_(True), Bed.deleted_at.is_(None))
        .order_by(Facility.name, Room.name, Bed.label)
    ).all()
    occupied = {
        row[0]: row[1:]
        for row in session.execute(
            select(
                Stay.bed_id, Stay.id, Case.id, Case.reference, Survivor.first_name, Stay.admitted_on
            )
            .join(Case, Case.id == Stay.case_id)
            .join(Survivor, Survivor.id == Case.survivor_id)
            .where(_occupying(on))
        ).all()
    }
    board = []
    for bed_id, facility, room, label in beds:
        if bed_id in occupied:
            stay_id, case_id, reference, name, since = occupied[bed_id]
            board.append(
                BedState(bed_id, facility, room, label, stay_id, case_id, reference, name, since)
            )
        else:
            board.append(BedState(bed_id, facility, room, label))
    return board


def _require_open(case: Case) -> None:
    """A bed, or a place waiting for one, is for someone whose case is open: a closed case is
    reopened first (the count of people sheltered would otherwise hold a closed case)."""
    if case.status in (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED):
        raise ValidationError("This case is closed. Reopen it before giving the person a bed.")


def admit(session: Session, actor: Actor, case_id: str, bed_id: str, on: date, today: date) -> str:
    """Admit the case's survivor to a bed from ``on``. A bed holds one person at a time, and a
    person holds one bed; the case must be open."""
    case = visible_case(session, actor, case_id)
    _require_open(case)
    if on > today:
        raise ValidationError("An admission cannot be recorded in advance.", field="admitted_on")
    bed = session.get(Bed, bed_id)
    if bed is None or not bed.in_service or bed.deleted_at is not None:
        raise NotFound("That bed does not exist or is out of service.")
    # An open-ended stay from `on` overlaps every stay that has not ended by then.
    ongoing = or_(Stay.discharged_on.is_(None), Stay.discharged_on > on)
    taken = session.execute(
        select(Stay.id).where(Stay.bed_id == bed_id, Stay.deleted_at.is_(None), ongoing)
    ).first()
    if taken:
        raise ValidationError("That bed is taken on that date. Choose a free bed.", field="bed")
    already = session.execute(
        select(Stay.id).where(Stay.case_id == case.id, Stay.deleted_at.is_(None), ongoing)
    ).first()
    if already:
        raise ValidationError("This person already has a bed; discharge or move them first.")
    stay = Stay(case_id=case.id, bed_id=bed_id, admitted_on=on, **actor.stamp())
    session.add(stay)
    for entry in session.execute(
        select(WaitingListEntry).where(
            WaitingListEntry.case_id == case.id, WaitingListEntry.closed_on.is_(None)
        )
    ).scalars():
        entry.closed_on = on
    session.flush()
    audit.record(session, actor.user_id, "shelter.admit", "stay", stay.id)
    return stay.id


def discharge(
    session: Session,
    actor: Actor,
    stay_id: str,
    on: date,
    reason: DischargeReason,
    today: date,
    note: str = "",
) -> None:
    stay = session.get(Stay, stay_id)
    if stay is None or stay.deleted_at is not None:
        raise NotFound()
    visible_case(session, actor, stay.case_id)
    if stay.discharged_on is not None:
        raise ValidationError("This stay has already ended.")
    if on < stay.admitted_on or on > today:
        raise ValidationError(
            "The discharge date must be between the admission date and today.",
            field="discharged_on",
        )
    stay.discharged_on = on
    stay.discharge_reason = reason
    stay.note = note.strip()
    stay.updated_by = actor.user_id
    audit.record(session, actor.user_id, "shelter.discharge", "stay", stay.id)


def nights(admitted_on: date, discharged_on: date | None, start: date, end: date) -> int:
    """Shelter nights of one stay whose night falls in [start, end); an ongoing stay counts up
    to ``end``."""
    first = max(admitted_on, start)
    last = min(discharged_on or end, end)
    return max(0, (last - first).days)


def shelter_nights(session: Session, start: date, end: date) -> int:
    """All shelter nights in [start, end), for reports."""
    stays = session.execute(
        select(Stay.admitted_on, Stay.discharged_on).where(
            Stay.deleted_at.is_(None),
            Stay.admitted_on < end,
            or_(Stay.discharged_on.is_(None), Stay.discharged_on > start),
        )
    ).all()
    return sum(nights(a, d, start, end) for a, d in stays)


def case_stays(session: Session, actor: Actor, case_id: str) -> list[StayView]:
    case = visible_case(session, actor, case_id)
    rows = session.execute(
        select(Stay, Bed.label)
        .join(Bed, Bed.id == Stay.bed_id)
        .where(Stay.case_id == case.id, Stay.deleted_at.is_(None))
        .order_by(Stay.admitted_on.desc())
    ).all()
    return [
        StayView(s.id, label, s.admitted_on, s.discharged_on, s.discharge_reason)
        for s, label in rows
    ]


def add_to_waiting_list(
    session: Session, actor: Actor, case_id: str, on: date, priority: int = 2
) -> str:
    case = visible_case(session, actor, case_id)
    _require_open(case)
    if priority not in (1, 2, 3):
        raise ValidationError("Priority is 1 (urgent), 2 (normal) or 3 (when possible).")
    waiting = session.execute(
        select(WaitingListEntry.id).where(
            WaitingListEntry.case_id == case.id, WaitingListEntry.closed_on.is_(None)
        )
    ).first()
    if waiting:
        raise ValidationError("This person is already on the waiting list.")
    entry = WaitingListEntry(case_id=case.id, requested_on=on, priority=priority, **actor.stamp())
    session.add(entry)
    session.flush()
    audit.record(session, actor.user_id, "shelter.wait", "case", case.id)
    return entry.id


def waiting_list(session: Session, actor: Actor) -> list[Waiting]:
    require_case_role(actor)
    rows = session.execute(
        select(WaitingListEntry, Case.reference, Survivor.first_name)
        .join(Case, Case.id == WaitingListEntry.case_id)
        .join(Survivor, Survivor.id == Case.survivor_id)
        .where(WaitingListEntry.closed_on.is_(None), WaitingListEntry.deleted_at.is_(None))
        .order_by(WaitingListEntry.priority, WaitingListEntry.requested_on)
    ).all()
    return [
        Waiting(e.id, e.case_id, reference, name, e.requested_on, e.priority)
        for e, reference, name in rows
    ]


def occupancy_by_week(
    session: Session, actor: Actor, weeks: int, today: date
) -> list[tuple[date, int, int]]:
    """(week start, occupied bed-nights, available bed-nights) for the last ``weeks`` weeks,
    from one read of the stays that overlap them."""
    require_case_role(actor)
    beds = len(occupancy(session, actor, today))
    start_of_week = today - timedelta(days=today.weekday())
    first = start_of_week - timedelta(weeks=weeks - 1)
    last = start_of_week + timedelta(days=7)
    stays = session.execute(
        select(Stay.admitted_on, Stay.discharged_on).where(
            Stay.deleted_at.is_(None),
            Stay.admitted_on < last,
            or_(Stay.discharged_on.is_(None), Stay.discharged_on > first),
        )
    ).all()
    series = []
    for back in range(weeks - 1, -1, -1):
        start = start_of_week - timedelta(weeks=back)
        end = start + timedelta(days=7)
        used = sum(nights(admitted, discharged, start, end) for admitted, discharged in stays)
        series.append((start, used, beds * 7))
    return series
