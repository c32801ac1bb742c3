"""Legal aid: matters and their hearings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.model.base import Base, Replicated, UTCDateTime, text_enum
from casework.model.vocab import LegalMatterKind, LegalStatus


class LegalMatter(Replicated, Base):
    __tablename__ = "legal_matters"
    # Also answers "which cases had legal aid" without reading the table.
    __table_args__ = (Index("ix_legal_matters_case", "case_id", "deleted_at"),)

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[LegalMatterKind] = mapped_column(text_enum(LegalMatterKind))
    lawyer: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[LegalStatus] = mapped_column(text_enum(LegalStatus), default=LegalStatus.OPEN)
    outcome: Mapped[str] = mapped_column(Text, default="")


class Hearing(Replicated, Base):
    __tablename__ = "hearings"

    matter_id: Mapped[str] = mapped_column(ForeignKey("legal_matters.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    place: Mapped[str] = mapped_column(String(300), default="")
    purpose: Mapped[str] = mapped_column(String(300), default="")
