"""Partner organisations and referrals to them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.model.base import Base, Replicated, text_enum
from casework.model.vocab import OrganisationType, ReferralStatus, ServiceCategory


class Partner(Replicated, Base):
    __tablename__ = "partners"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    org_type: Mapped[OrganisationType] = mapped_column(text_enum(OrganisationType))
    service_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_person: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)


class Referral(Replicated, Base):
    """An outgoing referral. It is only ever sent under a valid release of information."""

    __tablename__ = "referrals"
    # Reports read a period's referrals (who, which service, how it ended) from this alone.
    __table_args__ = (
        Index("ix_referrals_report", "referred_on", "deleted_at", "case_id", "category", "status"),
    )

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), index=True)
    category: Mapped[ServiceCategory] = mapped_column(text_enum(ServiceCategory))
    status: Mapped[ReferralStatus] = mapped_column(
        text_enum(ReferralStatus), default=ReferralStatus.PENDING, index=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    referred_on: Mapped[date] = mapped_column(Date)
    follow_up_on: Mapped[date | None] = mapped_column(Date, index=True)
    consent_id: Mapped[str] = mapped_column(ForeignKey("consent_records.id"))
    declined_reason: Mapped[str] = mapped_column(Text, default="")
    outcome_note: Mapped[str] = mapped_column(Text, default="")
