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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from itertools import repeat
from typing import Any

from sqlalchemy import String, func, insert, literal_column, select, text, type_coerce
from sqlalchemy.orm import Session

from casework.model import AuditEvent, AuditState
from casework.model.base import new_id, utcnow

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
    """Append one audit row in the caller's transaction; returns its sequence number."""
    return record_many(session, [(actor_id, action, entity, entity_id, encode_detail(detail))])


def record_many(session: Session, entries: Sequence[tuple[str, str, str, str, str]]) -> int:
    """Append rows of (actor, action, entity, entity id, encoded detail) in the caller's
    transaction, in order; returns the sequence number of the last.

    The state row is claimed with an UPDATE first, so concurrent writers queue on SQLite's
    write lock instead of both reading the same head.
    """
    claimed = session.execute(
        text(
            "UPDATE audit_state SET next_seq = next_seq + :n "
            "RETURNING next_seq - :n, head_mac, current_key, id"
        ),
        {"n": len(entries)},
    ).one()
    first, mac, key, state_id = int(claimed[0]), bytes(claimed[1]), bytes(claimed[2]), claimed[3]
    at = utcnow()
    rows = []
    for seq, (actor_id, action, entity, entity_id, detail) in enumerate(entries, start=first):
        prev_mac = mac
        mac = _mac(key, prev_mac, _canonical(seq, at, actor_id, action, entity, entity_id, detail))
        key = _next_key(key)
        rows.append(
            {
                "id": new_id(),
                "created_at": at,
                "updated_at": at,
                "created_by": actor_id,
                "updated_by": actor_id,
                "seq": seq,
                "at": at,
                "actor_id": actor_id,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "detail": detail,
                "prev_mac": prev_mac,
                "mac": mac,
            }
        )
    session.flush()
    session.execute(insert(AuditEvent), rows)
    session.execute(
        text("UPDATE audit_state SET head_mac = :mac, current_key = :key WHERE id = :id"),
        {"mac": mac, "key": key, "id": state_id},
    )
    return first + len(entries) - 1


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
    (rows checked, rows in all) now and then.

    Rows are appended in sequence, so the table's own order is the chain's: read that way,
    a million rows come off the disk a third faster than through the sequence index. If the
    table's order ever differs (rows written by a sync peer, say), the walk is redone in
    sequence order before anything is reported."""
    report = _walk(session, root_key, progress, in_table_order=True)
    if report.ok or not report.reason.endswith("is missing"):
        return report
    return _walk(session, root_key, progress, in_table_order=False)


def _message(row: tuple[Any, ...], prev_mac: bytes) -> bytes:
    """What row ``row`` (as stored) is MACed over, its time stamp taken as stored with a "T"."""
    seq, stored_at, actor, action, entity, entity_id, detail = row[:7]
    text = (
        f"{seq}\x1f{stored_at.replace(' ', 'T')}\x1f{actor}\x1f{action}\x1f{entity}\x1f{entity_id}"
    )
    if detail:
        text = f"{text}\x1f{detail}"
    return prev_mac + text.encode("utf-8")


_COLUMNS = select(
    AuditEvent.seq,
    type_coerce(AuditEvent.at, String),
    AuditEvent.actor_id,
    AuditEvent.action,
    AuditEvent.entity,
    AuditEvent.entity_id,
    AuditEvent.detail,
    AuditEvent.prev_mac,
    AuditEvent.mac,
)


def _walk(
    session: Session,
    root_key: bytes,
    progress: Callable[[int, int], None] | None,
    in_table_order: bool,
) -> ChainReport:
    total = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    key = root_key
    prev_mac = GENESIS_MAC
    expected_seq = 1
    # A million rows: read as stored, a block at a time, without SQLAlchemy's per-value
    # conversions. Each block is checked whole, its keys, messages and MACs computed by C-level
    # maps and compared as lists; only a block that fails is walked row by row, to name the
    # first row that does not fit.
    query = _COLUMNS.order_by(literal_column("rowid") if in_table_order else AuditEvent.seq)
    result = session.connection().execute(query)
    try:
        cursor = result.cursor
        while cursor is not None and (block := cursor.fetchmany(5000)):
            count = len(block)
            keys = [key]
            for _ in range(count):
                keys.append(sha256(keys[-1]).digest())
            stored = [row[8] for row in block]
            chained = [prev_mac, *stored]
            whole = (
                [row[0] for row in block] == list(range(expected_seq, expected_seq + count))
                and [row[7] for row in block] == chained[:-1]
                and list(map(hmac.digest, keys, map(_message, block, chained), repeat("sha256")))
                == stored
            )
            if whole:
                key, prev_mac, expected_seq = keys[count], stored[-1], expected_seq + count
            else:
                walked = _row_by_row(block, key, prev_mac, expected_seq)
                if isinstance(walked, ChainReport):
                    return walked
                key, prev_mac, expected_seq = walked
            if progress is not None:
                progress(expected_seq - 1, total)
    finally:
        result.close()
    checked = expected_seq - 1
    state = session.execute(select(AuditState)).scalar_one()
    if state.next_seq != expected_seq or state.head_mac != prev_mac:
        return ChainReport(checked, expected_seq, f"rows from {expected_seq} on were removed")
    if not hmac.compare_digest(state.current_key, key):
        return ChainReport(checked, expected_seq, "the chain's key was replaced")
    return ChainReport(checked, None, "ok")


def _row_by_row(
    block: Sequence[Any], key: bytes, prev_mac: bytes, expected_seq: int
) -> ChainReport | tuple[bytes, bytes, int]:
    """Walk a block that failed as a whole row by row: the first row that does not fit, or
    (a time stamp stored in another form than usual, checked the slow, exact way) where the
    chain stands after the block."""
    for row in block:
        seq, stored_at, actor, action, entity, entity_id, detail, row_prev, row_mac = row
        if seq != expected_seq:
            return ChainReport(expected_seq - 1, expected_seq, f"row {expected_seq} is missing")
        mac = hmac.digest(key, _message(row, prev_mac), "sha256")
        if mac != row_mac:
            at = datetime.fromisoformat(stored_at)
            mac = _mac(key, prev_mac, _canonical(seq, at, actor, action, entity, entity_id, detail))
        # Plain comparisons: the verifier holds the key, there is no oracle to time.
        if row_prev != prev_mac or row_mac != mac:
            return ChainReport(expected_seq - 1, seq, f"row {seq} was altered")
        prev_mac, key, expected_seq = mac, sha256(key).digest(), expected_seq + 1
    return key, prev_mac, expected_seq


def head(session: Session) -> tuple[int, bytes]:
    state = session.execute(select(AuditState)).scalar_one()
    return state.next_seq - 1, state.head_mac
