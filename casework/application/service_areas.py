"""The desk areas of the services a survivor receives: referrals, shelter, counseling, legal
aid."""

from __future__ import annotations

from datetime import date, datetime

from casework.application.area import Area, reads, writes
from casework.model.vocab import (
    Attendance,
    DischargeReason,
    Modality,
    ServiceCategory,
    SessionKind,
)
from casework.services import (
    counseling,
    legal,
    referrals,
    shelter,
)


class Referrals(Area):
    """Partner agencies and referrals to them, with the releases they need."""

    partners = reads(referrals.partners)

    add_partner = writes(referrals.add_partner)

    of_case = reads(referrals.case_referrals)

    def send(
        self, case_id: str, partner_id: str, category: ServiceCategory, reason: str
    ) -> referrals.ReferralView:
        with self.vault.transaction() as session:
            return referrals.send_referral(
                session, self.actor, case_id, partner_id, category, reason, self.today()
            )

    update = writes(referrals.update_referral)


class Shelter(Area):
    """Beds, stays and the waiting list."""

    def occupancy(self, on: date | None = None) -> list[shelter.BedState]:
        with self.vault.session() as session:
            return shelter.occupancy(session, self.actor, on or self.today())

    waiting_list = reads(shelter.waiting_list)

    def admit(self, case_id: str, bed_id: str, on: date | None = None) -> str:
        """Admit the case's survivor to a bed from ``on`` (today unless given; never later)."""
        with self.vault.transaction() as session:
            return shelter.admit(
                session, self.actor, case_id, bed_id, on or self.today(), self.today()
            )

    def discharge(self, stay_id: str, reason: DischargeReason) -> None:
        with self.vault.transaction() as session:
            shelter.discharge(session, self.actor, stay_id, self.today(), reason, self.today())

    def add_to_waiting_list(self, case_id: str, priority: int) -> None:
        with self.vault.transaction() as session:
            shelter.add_to_waiting_list(session, self.actor, case_id, self.today(), priority)

    add_facility = writes(shelter.add_facility)


class Counseling(Area):
    """Counseling sessions."""

    of_case = writes(counseling.case_sessions)

    def record(
        self,
        case_id: str,
        held_on: date,
        minutes: int,
        kind: SessionKind,
        modality: Modality,
        attendance: Attendance,
        notes_text: str,
    ) -> counseling.SessionView:
        with self.vault.transaction() as session:
            return counseling.record_session(
                session,
                self.actor,
                case_id,
                held_on,
                minutes,
                kind,
                modality,
                attendance,
                notes_text,
                self.today(),
            )


class Legal(Area):
    """Legal matters and their hearings."""

    of_case = reads(legal.case_matters)

    open_matter = writes(legal.open_matter)

    update_matter = writes(legal.update_matter)

    def schedule_hearing(
        self, matter_id: str, starts_at: datetime, place: str, purpose: str
    ) -> str:
        with self.vault.transaction() as session:
            return legal.schedule_hearing(
                session, self.actor, matter_id, starts_at, place, purpose, self.today()
            )

    hearings = reads(legal.calendar)
