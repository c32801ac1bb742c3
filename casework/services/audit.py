"""The audit trail: an HMAC chain whose key moves forward with every row.

``mac_i = HMAC(K_i, prev_mac || canonical row)``, then ``K_{i+1} = SHA-256(K_i)`` replaces
``K_i`` in the database. Verifying needs K_0, which only supervisor, administrator and recovery
slots hold; a caseworker who holds the database key sees only the current key and cannot
recompute the MAC of any earlier row.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import func, insert, literal_column, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from casework.model import AuditEvent, AuditState
from casework.model.actor import authored_by
from casework.model.base import new_id, utcnow
from casework.services.audit_chain import (
    BY_SEQUENCE_SQL,
    EPOCH_ACTION,
    GENESIS_MAC,
    ChainReport,
    Epochs,
    RangeChecker,
    Segment,
    blocks_of,
    canonical,
    check_range,
    epoch_detail,
    next_key,
    walk,
)
from casework.services.audit_chain import mac as chain_mac

__all__ = ["GENESIS_MAC", "ChainReport", "head", "record", "record_many", "verify"]

log = logging.getLogger(__name__)


def encode_detail(detail: dict[str, object] | None) -> str:
    return json.dumps(detail, sort_keys=True, separators=(",", ":")) if detail else ""


def initialise(session: Session, root_key: bytes, actor_id: str) -> None:
    session.add(
        AuditState(
            next_seq=1,
            head_mac=GENESIS_MAC,
            current_key=root_key,
            **authored_by(actor_id),
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
        mac = chain_mac(
            key, prev_mac, canonical(seq, at, actor_id, action, entity, entity_id, detail)
        )
        key = next_key(key)
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


# Below this many rows the helper process would take longer to start than it saves.
PARALLEL_MIN_ROWS = 200_000


def verify(
    session: Session,
    root_key: bytes,
    progress: Callable[[int, int], None] | None = None,
    helper: RangeChecker | None = None,
    epochs: Epochs | None = None,
) -> ChainReport:
    """Walk the chain from K_0; name the first row that does not fit. ``progress`` hears
    (rows checked, rows in all) now and then; ``helper`` (see ``audit_chain.Helper``), when
    given, checks the second half of a long chain in another process meanwhile.

    Rows are appended in sequence, so the table's own order is the chain's: read that way,
    a million rows come off the disk a third faster than through the sequence index. If the
    table's order ever differs (rows written by a sync peer, say), the walk is redone in
    sequence order before anything is reported."""
    total = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    rowid: ColumnElement[int] = literal_column("rowid")
    bounds = session.execute(select(func.min(rowid), func.max(rowid)).select_from(AuditEvent))
    lowest, highest = bounds.one()
    # A million rows are read as stored, through the driver, without SQLAlchemy's per-value
    # conversions, in the session's transaction: one snapshot of the chain and its head.
    connection: Any = session.connection().connection.dbapi_connection
    if lowest is None:
        segments: list[Segment] = []
    elif helper is None or total < PARALLEL_MIN_ROWS:
        heard = _rows_heard(progress, total, 1.0)
        segments = [check_range(connection, root_key, lowest, highest, heard, epochs)]
    else:
        segments = _in_two_halves(
            connection, root_key, lowest, highest, total, progress, helper, epochs
        )
    report = _joined(session, segments, root_key)
    if report.ok or not report.reason.endswith("is missing"):
        return report
    cursor = connection.cursor()
    try:
        cursor.execute(BY_SEQUENCE_SQL)
        heard = _rows_heard(progress, total, 1.0)
        whole = walk(blocks_of(cursor), root_key, GENESIS_MAC, 1, heard, epochs)
    finally:
        cursor.close()
    return _joined(session, [whole], root_key)


def _rows_heard(
    progress: Callable[[int, int], None] | None, total: int, scale: float
) -> Callable[[int], None] | None:
    if progress is None:
        return None
    return lambda done: progress(min(total, int(done * scale)), total)


def _in_two_halves(
    connection: Any,
    root_key: bytes,
    lowest: int,
    highest: int,
    total: int,
    progress: Callable[[int, int], None] | None,
    helper: RangeChecker,
    epochs: Epochs | None = None,
) -> list[Segment]:
    middle = (lowest + highest) // 2
    second = helper(middle + 1, highest)
    # This half's progress stands for both halves'.
    heard = _rows_heard(progress, total, total / max(1, middle - lowest + 1))
    first = check_range(connection, root_key, lowest, middle, heard, epochs)
    try:
        rest = second.result()
    except OSError:  # no helper process here: check the rest in this one
        log.warning("the audit check's helper process failed; checking in one process")
        rest = check_range(connection, root_key, middle + 1, highest, None, epochs)
    return [first, rest]


def _joined(session: Session, segments: list[Segment], root_key: bytes) -> ChainReport:
    """The stretches must follow each other (each starting on the row after the last one's
    end, with that row's MAC as its ``prev_mac``) and end at the head the state row records."""
    key, prev_mac, expected_seq = root_key, GENESIS_MAC, 1
    for segment in segments:
        if segment.first_seq is None:
            continue
        if segment.first_seq != expected_seq:
            return ChainReport(expected_seq - 1, expected_seq, f"row {expected_seq} is missing")
        if segment.first_prev != prev_mac:
            return ChainReport(expected_seq - 1, expected_seq, f"row {expected_seq} was altered")
        if segment.failure is not None:
            return segment.failure
        key, prev_mac, expected_seq = segment.key, segment.last_mac, segment.next_seq
    checked = expected_seq - 1
    state = session.execute(select(AuditState)).scalar_one()
    if state.next_seq != expected_seq or state.head_mac != prev_mac:
        return ChainReport(checked, expected_seq, f"rows from {expected_seq} on were removed")
    if not hmac.compare_digest(state.current_key, key):
        return ChainReport(checked, expected_seq, "the chain's key was replaced")
    return ChainReport(checked, None, "ok")


def start_epoch(session: Session, actor_id: str, new_root: bytes, entity_id: str) -> None:
    """Start a new key epoch: a row, MACed under the current chain key, naming the new root by
    fingerprint; the rows after it are MACed from the new root, which someone who held only
    the old one (a removed supervisor or administrator) cannot compute."""
    record_many(session, [(actor_id, EPOCH_ACTION, "keyring", entity_id, epoch_detail(new_root))])
    session.execute(text("UPDATE audit_state SET current_key = :key"), {"key": new_root})
    # The first row of the epoch, in the same transaction: the state row then holds the next
    # key, SHA-256 of the root, so the root itself is never stored where every database-key
    # holder could read it (and forge the new epoch's rows with it).
    record_many(session, [(actor_id, "audit.epoch-start", "keyring", entity_id, "")])


def head(session: Session) -> tuple[int, bytes]:
    state = session.execute(select(AuditState)).scalar_one()
    return state.next_seq - 1, state.head_mac
