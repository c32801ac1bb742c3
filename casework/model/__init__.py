"""The SQLAlchemy model, one module per aggregate.

The first name taken from this package imports every model module, so every table and
relationship is registered before any is used. Until then nothing is imported: the vocabulary
(``casework.model.vocab``) loads without SQLAlchemy, and the sign-in window appears without
waiting for the model.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
        Draft,
        Erasure,
        ErasureRequest,
        RecordChange,
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

_MODULES = (
    "attachments",
    "audit",
    "base",
    "cases",
    "counseling",
    "legal",
    "people",
    "referrals",
    "reporting",
    "shelter",
    "users",
)


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    modules = [importlib.import_module(f"{__name__}.{module}") for module in _MODULES]
    for module in modules:
        for exported in __all__:
            if hasattr(module, exported):
                globals()[exported] = getattr(module, exported)
    return globals()[name]


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
    "Draft",
    "Erasure",
    "ErasureRequest",
    "Facility",
    "Hearing",
    "LegalMatter",
    "Organisation",
    "Partner",
    "RecordChange",
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
