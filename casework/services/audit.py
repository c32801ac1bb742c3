"""The audit trail: an HMAC chain whose key moves forward with every row.

``mac_i = HMAC(K_i, prev_mac || canonical row)``, then ``K_{i+1} = SHA-256(K_i)`` replaces
``K_i`` in the database. Verifying needs K_0, which only supervisor, administrator and recovery
slots hold; a caseworker who holds the database key sees only the current key and cannot
recompute the MAC of any earlier row.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from casework.model import AuditEvent, AuditState
from casework.model.base import utcnow

GENESIS_MAC = bytes(32)


def _canonical(
    seq: int, at: datetime, actor_id: str, action: str, entity: str, entity_id: str, detail: str
) -> bytes:
    stamp = at.replace(tzinfo=None).isoformat(timespec="microseconds")
    fields = [str(seq), stamp, actor_id, action, entity, entity_id]
    if detail:  # rows written before details existed keep their original MAC input
        fields.append(detail)
    return "\x1f".join(fields).encode("utf-8")


def encode_detail(detail: dict[str, object] | None) -> str:
    return json.dumps(detail, sort_keys=True, separators=(",", ":")) if detail else ""


def _mac(key: bytes, prev_mac: bytes, canonical: bytes) -> bytes:
    return hmac.new(key, prev_mac + canonical, hashlib.sha256).digest()


def _next_key(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()


def initialise(session: Session, root_key: bytes, actor_id: str) -> None:
    session.add(
        AuditState(
            next_seq=1,
            head_mac=GENESIS_MAC,
            current_key=root_key,
            created_by=actor_id,
            updated_by=actor_id,
        )
    )
    session.flush()


def record(
    session: Session,
    actor_id: str,
    action: str,
    entity: str,
    entity_id: str,
    detail: dict[str, object] | None = None,
) -> int:
    """Append one audit row in the caller's transaction; returns its sequence number.

    The state row is claimed with an UPDATE first, so concurrent writers queue on SQLite's
    write lock instead of both reading the same head.
    """
    claimed = session.execute(
        text(
            "UPDATE audit_state SET next_seq = next_seq + 1 "
            "RETURNING next_seq - 1, head_mac, current_key, id"
        )
    ).one()
    seq, prev_mac, key, state_id = int(claimed[0]), bytes(claimed[1]), bytes(claimed[2]), claimed[3]
    at = utcnow()
    detail_text = encode_detail(detail)
    mac = _mac(key, prev_mac, _canonical(seq, at, actor_id, action, entity, entity_id, detail_text))
    session.add(
        AuditEvent(
            seq=seq,
            at=at,
            actor_id=actor_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail=detail_text,
            prev_mac=prev_mac,
            mac=mac,
            created_by=actor_id,
            updated_by=actor_id,
        )
    )
    session.execute(
        text("UPDATE audit_state SET head_mac = :mac, current_key = :key WHERE id = :id"),
        {"mac": mac, "key": _next_key(key), "id": state_id},
    )
    session.flush()
    return seq


@dataclass(frozen=True)
class ChainReport:
    rows_checked: int
    first_bad_seq: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


def verify(
    session: Session, root_key: bytes, progress: Callable[[int, int], None] | None = None
) -> ChainReport:
    """Walk the chain from K_0; name the first row that does not fit. ``progress`` hears
    (rows checked, rows in all) now and then."""
    total = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    key = root_key
    prev_mac = GENESIS_MAC
    expected_seq = 1
    checked = 0
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()
    for row in rows:
        if row.seq != expected_seq:
            return ChainReport(checked, expected_seq, f"row {expected_seq} is missing")
        canonical = _canonical(
            row.seq, row.at, row.actor_id, row.action, row.entity, row.entity_id, row.detail
        )
        if row.prev_mac != prev_mac or not hmac.compare_digest(
            row.mac, _mac(key, prev_mac, canonical)
        ):
            return ChainReport(checked, row.seq, f"row {row.seq} was altered")
        prev_mac = row.mac
        key = _next_key(key)
        expected_seq += 1
        checked += 1
        session.expunge(row)
        if progress is not None and checked % 5000 == 0:
            progress(checked, total)
    state = session.execute(select(AuditState)).scalar_one()
    if state.next_seq != expected_seq or state.head_mac != prev_mac:
        return ChainReport(checked, expected_seq, f"rows from {expected_seq} on were removed")
    if not hmac.compare_digest(state.current_key, key):
        return ChainReport(checked, expected_seq, "the chain's key was replaced")
    return ChainReport(checked, None, "ok")


def head(session: Session) -> tuple[int, bytes]:
    state = session.execute(select(AuditState)).scalar_one()
    return state.next_seq - 1, state.head_mac
