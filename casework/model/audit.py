"""The audit trail: ids only, never names, chained with a forward-secure MAC."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.model.base import Base, Replicated, UTCDateTime


class AuditEvent(Replicated, Base):
    __tablename__ = "audit_events"
    # one action's rows, newest first, without reading the whole trail
    __table_args__ = (Index("ix_audit_events_action_seq", "action", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(36))
    # Non-identifying facts about the action, as canonical JSON (an export's period and file
    # digests); never names or free text. Empty for most rows.
    detail: Mapped[str] = mapped_column(Text, default="")
    prev_mac: Mapped[bytes] = mapped_column(LargeBinary(32))
    mac: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditState(Replicated, Base):
    """The head of the chain and the current (evolved) MAC key K_i.

    K_0 lives only in supervisor, administrator and recovery keyring slots; the database holds
    K_i for the next row, and SHA-256 cannot be run backwards to reach earlier keys.
    """

    __tablename__ = "audit_state"

    next_seq: Mapped[int] = mapped_column(Integer)
    head_mac: Mapped[bytes] = mapped_column(LargeBinary(32))
    current_key: Mapped[bytes] = mapped_column(LargeBinary(32))
