"""Counseling sessions. Their notes are for the counselor who wrote them and supervisors only."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.model.base import Base, Replicated, text_enum
from casework.model.vocab import Attendance, Modality, SessionKind


class CounselingSession(Replicated, Base):
    __tablename__ = "counseling_sessions"
    # The quarterly report reads who attended in a date range from this index alone.
    __table_args__ = (
        Index("ix_counseling_sessions_report", "held_on", "attendance", "deleted_at", "case_id"),
    )

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    counselor_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    kind: Mapped[SessionKind] = mapped_column(text_enum(SessionKind))
    modality: Mapped[Modality] = mapped_column(text_enum(Modality))
    attendance: Mapped[Attendance] = mapped_column(text_enum(Attendance))
    notes: Mapped[str] = mapped_column(Text, default="")
