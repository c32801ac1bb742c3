"""The SQLAlchemy model, one module per aggregate. Importing this registers every table."""

from casework.model.attachments import Attachment, AttachmentContent
from casework.model.audit import AuditEvent, AuditState
from casework.model.base import Base
from casework.model.cases import (
    Assignment,
    Case,
    CaseNote,
    CaseReview,
    ClosureRequest,
    ConsentRecord,
    Erasure,
    ErasureRequest,
    RetentionRule,
    StatusChange,
    Task,
)
from casework.model.counseling import CounselingSession
from casework.model.legal import Hearing, LegalMatter
from casework.model.people import Survivor
from casework.model.referrals import Partner, Referral
from casework.model.reporting import ReportingProfile
from casework.model.shelter import Bed, Facility, Room, Stay, WaitingListEntry
from casework.model.users import Organisation, User, UserRole

__all__ = [
    "Assignment",
    "Attachment",
    "AttachmentContent",
    "AuditEvent",
    "AuditState",
    "Base",
    "Bed",
    "Case",
    "CaseNote",
    "CaseReview",
    "ClosureRequest",
    "ConsentRecord",
    "CounselingSession",
    "Erasure",
    "ErasureRequest",
    "Facility",
    "Hearing",
    "LegalMatter",
    "Organisation",
    "Partner",
    "Referral",
    "ReportingProfile",
    "RetentionRule",
    "Room",
    "StatusChange",
    "Stay",
    "Survivor",
    "Task",
    "User",
    "UserRole",
    "WaitingListEntry",
]
