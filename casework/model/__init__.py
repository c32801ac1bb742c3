"""The SQLAlchemy model, one module per aggregate. Importing this registers every table."""

from casework.model.audit import AuditEvent, AuditState
from casework.model.base import Base
from casework.model.cases import Case
from casework.model.people import Survivor
from casework.model.users import Organisation, User, UserRole

__all__ = [
    "AuditEvent",
    "AuditState",
    "Base",
    "Case",
    "Organisation",
    "Survivor",
    "User",
    "UserRole",
]
