"""Reporting profiles: one per recipient of de-identified exports (docs/reporting.md)."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.model.base import Base, Replicated


class ReportingProfile(Replicated, Base):
    __tablename__ = "reporting_profiles"

    name: Mapped[str] = mapped_column(String(120), unique=True)
    recipient: Mapped[str] = mapped_column(String(200), default="")
    hub_id: Mapped[str] = mapped_column(String(40))
    threshold: Mapped[int] = mapped_column(Integer, default=10)
    rounding_base: Mapped[int] = mapped_column(Integer, default=5)
    records_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    k: Mapped[int] = mapped_column(Integer, default=11)
    l_diversity: Mapped[int] = mapped_column(Integer, default=2)
    max_dropped_percent: Mapped[int] = mapped_column(Integer, default=5)
