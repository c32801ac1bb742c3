"""Survivors: HTCDS 2.0 person and victim fields."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.model.base import Base, Replicated, text_enum
from casework.model.vocab import Gender, TraffickingStatus


class Survivor(Replicated, Base):
    __tablename__ = "survivors"

    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")  # HTCDS prs_SecondName
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    birth_date: Mapped[date | None] = mapped_column(Date)
    estimated_age: Mapped[int | None] = mapped_column(Integer)  # when no birth date is known
    gender: Mapped[Gender] = mapped_column(text_enum(Gender), default=Gender.NOT_SPECIFIED)
    citizenship: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO 3166 alpha-2
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO 639
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    safe_contact_note: Mapped[str] = mapped_column(Text, default="")
    trafficking_status: Mapped[TraffickingStatus] = mapped_column(
        text_enum(TraffickingStatus), default=TraffickingStatus.POSSIBLE
    )
    exploitation_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    number_of_children: Mapped[int | None] = mapped_column(Integer)
    # HTCDS picklist values (casework.model.vocab), or "" / [] when not recorded
    education_level: Mapped[str] = mapped_column(String(100), default="")
    forced_labour_industry: Mapped[str] = mapped_column(String(100), default="")
    age_when_trafficked: Mapped[int | None] = mapped_column(Integer)
    methods_of_control: Mapped[list[str]] = mapped_column(JSON, default=list)
    recruitment_methods: Mapped[list[str]] = mapped_column(JSON, default=list)
    relationship_to_trafficker: Mapped[str] = mapped_column(String(100), default="")
    # What a caseworker adds in her own words ("other, specify"); never exported
    other_details: Mapped[str] = mapped_column(Text, default="")
