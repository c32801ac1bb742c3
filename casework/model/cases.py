"""Cases: one survivor's journey through the organisation's services."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.model.base import Base, Replicated, text_enum
from casework.model.people import Survivor
from casework.model.users import User
from casework.model.vocab import CaseStatus


class Case(Replicated, Base):
    __tablename__ = "cases"

    reference: Mapped[str] = mapped_column(String(40), unique=True)
    survivor_id: Mapped[str] = mapped_column(ForeignKey("survivors.id"), index=True)
    intake_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[CaseStatus] = mapped_column(text_enum(CaseStatus), default=CaseStatus.ACTIVE)
    assigned_caseworker_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), index=True)

    survivor: Mapped[Survivor] = relationship()
    assigned_caseworker: Mapped[User | None] = relationship()
