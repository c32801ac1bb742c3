"""Shelter: facilities, rooms and beds; stays; the waiting list."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.model.base import Base, Replicated, text_enum
from casework.model.vocab import DischargeReason


class Facility(Replicated, Base):
    __tablename__ = "facilities"

    name: Mapped[str] = mapped_column(String(200))


class Room(Replicated, Base):
    __tablename__ = "rooms"

    facility_id: Mapped[str] = mapped_column(ForeignKey("facilities.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class Bed(Replicated, Base):
    __tablename__ = "beds"

    room_id: Mapped[str] = mapped_column(ForeignKey("rooms.id"), index=True)
    label: Mapped[str] = mapped_column(String(50))
    in_service: Mapped[bool] = mapped_column(Boolean, default=True)


class Stay(Replicated, Base):
    """A night count runs from the admission date up to, not including, the discharge date."""

    __tablename__ = "stays"
    # Stays overlapping a period (the reports, the exports, the shelter board) are read from
    # this index alone: the ones still open, then the ones discharged after the period began.
    __table_args__ = (
        Index("ix_stays_open", "discharged_on", "admitted_on", "deleted_at", "case_id", "bed_id"),
    )

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    bed_id: Mapped[str] = mapped_column(ForeignKey("beds.id"), index=True)
    admitted_on: Mapped[date] = mapped_column(Date, index=True)
    discharged_on: Mapped[date | None] = mapped_column(Date)
    discharge_reason: Mapped[DischargeReason | None] = mapped_column(text_enum(DischargeReason))
    note: Mapped[str] = mapped_column(Text, default="")


class WaitingListEntry(Replicated, Base):
    __tablename__ = "shelter_waiting_list"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    requested_on: Mapped[date] = mapped_column(Date)
    priority: Mapped[int] = mapped_column(Integer, default=2)  # 1 urgent, 2 normal, 3 when possible
    closed_on: Mapped[date | None] = mapped_column(Date)
