"""Cases: one survivor's journey through the organisation's services."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.model.base import Base, Replicated, UTCDateTime, text_enum
from casework.model.people import Survivor
from casework.model.users import User
from casework.model.vocab import (
    CaseStatus,
    ClosureDecision,
    ClosureReason,
    Confidentiality,
    ConsentKind,
    RiskLevel,
    TaskSource,
    TaskStatus,
)


class Case(Replicated, Base):
    __tablename__ = "cases"
    # The caseload's default order (newest intake first) read from the index alone.
    __table_args__ = (
        Index("ix_cases_caseload_intake", "intake_date", "reference", "id", "deleted_at"),
        Index("ix_cases_caseload_name", "sort_name", "reference", "id", "deleted_at"),
        # "No contact since" counted from the index alone.
        Index("ix_cases_last_contact", "last_contact_date", "deleted_at"),
    )

    reference: Mapped[str] = mapped_column(String(40), unique=True)
    survivor_id: Mapped[str] = mapped_column(ForeignKey("survivors.id"), index=True)
    intake_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[CaseStatus] = mapped_column(text_enum(CaseStatus), default=CaseStatus.ACTIVE)
    assigned_caseworker_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), index=True)
    risk_level: Mapped[RiskLevel] = mapped_column(text_enum(RiskLevel), default=RiskLevel.MEDIUM)
    province: Mapped[str] = mapped_column(String(100), default="")
    country_of_exploitation: Mapped[str] = mapped_column(String(2), default="")
    immigration_notes: Mapped[str] = mapped_column(Text, default="")
    referring_organisation: Mapped[str] = mapped_column(String(200), default="")
    incoming_referral_date: Mapped[date | None] = mapped_column(Date)
    closure_reason: Mapped[ClosureReason | None] = mapped_column(text_enum(ClosureReason))
    closed_date: Mapped[date | None] = mapped_column(Date)
    follow_up_date: Mapped[date | None] = mapped_column(Date)
    last_contact_date: Mapped[date | None] = mapped_column(Date)
    next_review_on: Mapped[date | None] = mapped_column(Date, index=True)
    # The survivor's name folded for sorting (lower case, no accents), kept on the case so the
    # caseload sorts by name from an index instead of joining every survivor.
    sort_name: Mapped[str] = mapped_column(String(200), default="")

    survivor: Mapped[Survivor] = relationship()
    assigned_caseworker: Mapped[User | None] = relationship()


class StatusChange(Replicated, Base):
    """A case's status history: one row per change, never edited."""

    __tablename__ = "case_status_changes"
    __table_args__ = (
        # The quarterly export's reopenings: changes to a status in a period, from the index.
        Index("ix_case_status_changes_report", "to_status", "created_at", "from_status", "case_id"),
    )

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    from_status: Mapped[CaseStatus | None] = mapped_column(text_enum(CaseStatus))
    to_status: Mapped[CaseStatus] = mapped_column(text_enum(CaseStatus))
    comment: Mapped[str] = mapped_column(Text, default="")


class Assignment(Replicated, Base):
    """Who was responsible for a case from when (created_by assigned them)."""

    __tablename__ = "case_assignments"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    caseworker_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")


class ClosureRequest(Replicated, Base):
    """A caseworker asks to close a case; a supervisor approves or rejects with a comment."""

    __tablename__ = "closure_requests"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    target_status: Mapped[CaseStatus] = mapped_column(text_enum(CaseStatus))
    reason: Mapped[ClosureReason] = mapped_column(text_enum(ClosureReason))
    comment: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[ClosureDecision] = mapped_column(
        text_enum(ClosureDecision), default=ClosureDecision.PENDING, index=True
    )
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_comment: Mapped[str] = mapped_column(Text, default="")


class ConsentRecord(Replicated, Base):
    """Consent a survivor gave, for one purpose; withdrawn or expired consent stops data leaving
    the vault for that purpose."""

    __tablename__ = "consent_records"
    # Exports check everyone's consent of one kind from this index alone.
    __table_args__ = (
        Index(
            "ix_consent_records_kind_state",
            "kind",
            "deleted_at",
            "survivor_id",
            "given_on",
            "expires_on",
            "withdrawn_on",
        ),
    )

    survivor_id: Mapped[str] = mapped_column(ForeignKey("survivors.id"), index=True)
    kind: Mapped[ConsentKind] = mapped_column(text_enum(ConsentKind))
    partner_organisation: Mapped[str] = mapped_column(String(200), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    given_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_note: Mapped[str] = mapped_column(Text, default="")
    # For a release: which kinds of information it covers (ReleaseField values).
    release_fields: Mapped[list[str]] = mapped_column(JSON, default=list)


class CaseNote(Replicated, Base):
    """A dated note. Append-only: an amendment is a new version in the same ``thread_id``; the
    older version stays, visible to supervisors."""

    __tablename__ = "case_notes"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    thread_id: Mapped[str] = mapped_column(String(36), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    noted_on: Mapped[date] = mapped_column(Date)
    confidentiality: Mapped[Confidentiality] = mapped_column(
        text_enum(Confidentiality), default=Confidentiality.ORDINARY
    )
    body: Mapped[str] = mapped_column(Text)


class Task(Replicated, Base):
    __tablename__ = "tasks"
    # The caseload's "overdue tasks" filter from indexes alone: which cases have open tasks due
    # before a day (counting), and whether this case has one (walking a page in order).
    __table_args__ = (
        Index("ix_tasks_open_due", "status", "deleted_at", "due_on", "case_id"),
        Index("ix_tasks_case_open", "case_id", "status", "deleted_at", "due_on"),
    )

    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"))
    title: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    assignee_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[TaskStatus] = mapped_column(text_enum(TaskStatus), default=TaskStatus.OPEN)
    source: Mapped[TaskSource] = mapped_column(text_enum(TaskSource), default=TaskSource.MANUAL)
    # For generated tasks: what raised it (a consent record, a case's follow-up date), so that
    # generating again adds nothing.
    source_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CaseReview(Replicated, Base):
    """A supervisor's periodic review of a case (the reviewer is created_by)."""

    __tablename__ = "case_reviews"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    reviewed_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    next_review_on: Mapped[date | None] = mapped_column(Date)


class ErasureRequest(Replicated, Base):
    """A caseworker asks, for the survivor, that the person be forgotten; a supervisor approves
    or rejects with a comment. The erasure itself runs once approved (reliability work)."""

    __tablename__ = "erasure_requests"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[ClosureDecision] = mapped_column(
        text_enum(ClosureDecision), default=ClosureDecision.PENDING, index=True
    )
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_comment: Mapped[str] = mapped_column(Text, default="")


class Erasure(Replicated, Base):
    """What is left of a person who asked to be forgotten: ids only, so other laptops can erase
    their copies when sync arrives, and the audit trail's ids still point somewhere."""

    __tablename__ = "erasures"

    survivor_id: Mapped[str] = mapped_column(String(36), index=True)
    case_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    request_id: Mapped[str] = mapped_column(String(36))


class RetentionRule(Replicated, Base):
    """An administrator's rule for how long records are kept after a case closes: purge the
    narrative notes, or erase the person. Previewed before it is saved; run daily."""

    __tablename__ = "retention_rules"

    action: Mapped[str] = mapped_column(String(20))  # "purge-notes" or "erase-cases"
    years: Mapped[int] = mapped_column(Integer)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RecordChange(Replicated, Base):
    """One field of a survivor's record corrected after intake: who (``created_by``), when
    (``created_at``), the stored value before and after. Never edited; erased with the person."""

    __tablename__ = "record_changes"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    survivor_id: Mapped[str] = mapped_column(ForeignKey("survivors.id"), index=True)
    field: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[object] = mapped_column(JSON, nullable=True)
    new_value: Mapped[object] = mapped_column(JSON, nullable=True)


class Draft(Replicated, Base):
    """What a user typed and has not saved (see casework.services.drafts): theirs alone, one per
    kind and case, deleted once saved or thrown away."""

    __tablename__ = "drafts"

    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
    content: Mapped[dict[str, object]] = mapped_column(JSON)
