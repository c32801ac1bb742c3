"""The audit chain's arithmetic, and the walk that checks a stretch of it.

``mac_i = HMAC(K_i, prev_mac || canonical row)``, then ``K_{i+1} = SHA-256(K_i)``. Checking a
stretch needs only the key at its first row (``K_0`` moved forward) and the stored rows, so a
long chain is checked in two halves at once: this process walks the first, a helper process
(this module run on its own, given its keys over a pipe) the second, and the halves must meet
where they join.
The module has no SQLAlchemy in it, so the helper starts in a fraction of a second.
"""

from __future__ import annotations

import hmac
import json
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import astuple, dataclass
from datetime import datetime
from hashlib import sha256
from itertools import chain, repeat
from pathlib import Path
from typing import Any

from casework.platform import helper_answer, helper_request, start_helper, stop_helper

GENESIS_MAC = bytes(32)
BLOCK_ROWS = 5000
# The row that starts a new key epoch (a removed user's K_0 no longer reaches further rows):
# MACed under the old chain key, its detail names the new root by fingerprint, and the row
# after it is MACed under that root.
EPOCH_ACTION = "audit.epoch"

Epochs = Mapping[str, bytes]  # fingerprint -> root key, for every epoch a verifier holds


def epoch_fingerprint(root: bytes) -> str:
    return sha256(b"safehold/audit-epoch\x00" + root).hexdigest()


def epoch_detail(root: bytes) -> str:
    return json.dumps({"root": epoch_fingerprint(root)}, sort_keys=True, separators=(",", ":"))


def _after(row: Sequence[Any], key: bytes, epochs: Epochs | None) -> bytes | None:
    """The key for the row after ``row``: the next in the hash chain, or, after an epoch row,
    the root it names (None if the verifier holds no such root)."""
    if row[3] != EPOCH_ACTION:
        return sha256(key).digest()
    try:
        named = json.loads(row[6])["root"]
    except (TypeError, ValueError, KeyError):
        return None
    return (epochs or {}).get(named)


# The columns a check reads, as stored: in table order within a range of rowids, or (when the
# table's order is not the chain's) in sequence order.
_READ = (
    "SELECT seq, at, actor_id, action, entity, entity_id, detail, prev_mac, mac FROM audit_events"
)
SEGMENT_SQL = f"{_READ} WHERE rowid BETWEEN ? AND ? ORDER BY rowid"
BY_SEQUENCE_SQL = f"{_READ} ORDER BY seq"


def canonical(
    seq: int, at: datetime, actor_id: str, action: str, entity: str, entity_id: str, detail: str
) -> bytes:
    stamp = at.replace(tzinfo=None).isoformat(timespec="microseconds")
    fields = [str(seq), stamp, actor_id, action, entity, entity_id]
    if detail:  # rows written before details existed keep their original MAC input
        fields.append(detail)
    return "\x1f".join(fields).encode("utf-8")


def mac(key: bytes, prev_mac: bytes, canonical_row: bytes) -> bytes:
    return hmac.new(key, prev_mac + canonical_row, sha256).digest()


def next_key(key: bytes) -> bytes:
    return sha256(key).digest()


def key_at(root_key: bytes, seq: int, epoch_start: tuple[int, bytes] | None = None) -> bytes:
    """``K_{seq-1}``, the key row ``seq`` is MACed with: from the genesis root, or from the
    root of the last epoch started before ``seq`` (the epoch row's sequence number, its root)."""
    key, first = root_key, 1
    if epoch_start is not None:
        key, first = epoch_start[1], epoch_start[0] + 1
    for _ in range(seq - first):
        key = sha256(key).digest()
    return key


@dataclass(frozen=True)
class ChainReport:
    rows_checked: int
    first_bad_seq: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


@dataclass(frozen=True)
class Segment:
    """A stretch of rows checked on its own: where it starts (its first row's sequence number
    and stored ``prev_mac``) and where it leaves the chain (next sequence number, last MAC,
    next key), or the first row in it that does not fit. An empty stretch has ``first_seq``
    None."""

    first_seq: int | None
    first_prev: bytes
    next_seq: int
    last_mac: bytes
    key: bytes
    failure: ChainReport | None = None


def _message(row: tuple[Any, ...], prev_mac: bytes) -> bytes:
    """What row ``row`` (as stored) is MACed over, its time stamp taken as stored with a "T"."""
    seq, stored_at, actor, action, entity, entity_id, detail = row[:7]
    text = (
        f"{seq}\x1f{stored_at.replace(' ', 'T')}\x1f{actor}\x1f{action}\x1f{entity}\x1f{entity_id}"
    )
    if detail:
        text = f"{text}\x1f{detail}"
    return prev_mac + text.encode("utf-8")


def walk(
    blocks: Iterator[Sequence[tuple[Any, ...]]],
    key: bytes,
    prev_mac: bytes,
    expected_seq: int,
    progress: Callable[[int], None] | None = None,
    epochs: Epochs | None = None,
) -> Segment:
    """Check rows (a block at a time) that should continue the chain from ``expected_seq``.

    Each block is checked whole, its keys, messages and MACs computed by C-level maps and
    compared as lists; only a block that fails is walked row by row, to name the first row
    that does not fit. ``progress`` hears the rows checked so far after each block."""
    first_seq, first_prev, start = expected_seq, prev_mac, expected_seq
    for block in blocks:
        count = len(block)
        keys = [key]
        if any(row[3] == EPOCH_ACTION for row in block):
            for row in block:  # a new epoch's root replaces the next key
                keys.append(_after(row, keys[-1], epochs) or NOT_A_MAC)
        else:
            for _ in range(count):
                keys.append(sha256(keys[-1]).digest())
        stored = [row[8] for row in block]
        chained = [prev_mac, *stored]
        try:
            whole = (
                [row[0] for row in block] == list(range(expected_seq, expected_seq + count))
                and [row[7] for row in block] == chained[:-1]
                and list(map(hmac.digest, keys, map(_message, block, chained), repeat("sha256")))
                == stored
            )
        except (TypeError, AttributeError):  # a value altered into another kind (a time into
            whole = False  # a number, a MAC into text): the row walk below names the row
        if whole:
            key, prev_mac, expected_seq = keys[count], stored[-1], expected_seq + count
        else:
            walked = _row_by_row(block, key, prev_mac, expected_seq, epochs)
            if isinstance(walked, ChainReport):
                return Segment(first_seq, first_prev, expected_seq, prev_mac, key, walked)
            key, prev_mac, expected_seq = walked
        if progress is not None:
            progress(expected_seq - start)
    return Segment(first_seq, first_prev, expected_seq, prev_mac, key)


def _row_by_row(
    block: Sequence[Any], key: bytes, prev_mac: bytes, expected_seq: int, epochs: Epochs | None
) -> ChainReport | tuple[bytes, bytes, int]:
    """Walk a block that failed as a whole row by row: the first row that does not fit, or
    (a time stamp stored in another form than usual, checked the slow, exact way) where the
    chain stands after the block."""
    for row in block:
        seq, stored_at, actor, action, entity, entity_id, detail, row_prev, row_mac = row
        if seq != expected_seq:
            return ChainReport(expected_seq - 1, expected_seq, f"row {expected_seq} is missing")
        try:
            computed: bytes | None = hmac.digest(key, _message(row, prev_mac), "sha256")
        except (TypeError, AttributeError):  # the time is not text: see below
            computed = None
        if computed is None or computed != row_mac:
            at = _stored_time(stored_at)
            if at is None:  # not a time at all (text, a number): this row was altered
                return ChainReport(expected_seq - 1, seq, f"row {seq} was altered")
            detail_text = str(detail) if detail else ""
            fields = (str(actor), str(action), str(entity), str(entity_id), detail_text)
            computed = mac(key, prev_mac, canonical(seq, at, *fields))
        # Plain comparisons: the verifier holds the key, there is no oracle to time.
        if row_prev != prev_mac or row_mac != computed:
            return ChainReport(expected_seq - 1, seq, f"row {seq} was altered")
        following = _after(row, key, epochs)
        if following is None:
            return ChainReport(
                seq, seq + 1, f"row {seq} starts a key epoch whose key this slot does not hold"
            )
        prev_mac, key, expected_seq = computed, following, expected_seq + 1
    return key, prev_mac, expected_seq


NOT_A_MAC = b"not a MAC"  # stands for a MAC altered into text or a number: matches nothing


def _blob(value: object) -> bytes:
    return bytes(value) if isinstance(value, bytes | bytearray | memoryview) else NOT_A_MAC


def _stored_time(stored: object) -> datetime | None:
    """A row's time as stored (ISO text), or None if it is not a time."""
    if not isinstance(stored, str):
        return None
    try:
        return datetime.fromisoformat(stored)
    except ValueError:
        return None


def blocks_of(cursor: Any) -> Iterator[Sequence[tuple[Any, ...]]]:
    while block := cursor.fetchmany(BLOCK_ROWS):
        yield block


def check_range(
    connection: Any,
    root_key: bytes,
    first_rowid: int,
    last_rowid: int,
    progress: Callable[[int], None] | None = None,
    epochs: Epochs | None = None,
) -> Segment:
    """Check the rows between two rowids (a DB-API connection), taking the first row's stored
    ``prev_mac`` as given: whoever joins the stretches checks it against the row before."""
    cursor = connection.cursor()
    try:
        cursor.execute(SEGMENT_SQL, (first_rowid, last_rowid))
        first = cursor.fetchmany(1)
        if not first:
            return Segment(None, b"", 0, b"", b"")
        # A sequence number altered into something else walks from 0, to be reported missing.
        seq = first[0][0] if isinstance(first[0][0], int) else 0
        prev_mac = _blob(first[0][7])
        rows = chain([first], blocks_of(cursor))
        start = _epoch_before(connection, seq, epochs) if epochs and len(epochs) > 1 else None
        return walk(rows, key_at(root_key, seq, start), prev_mac, seq, progress, epochs)
    finally:
        cursor.close()


def _epoch_before(connection: Any, seq: int, epochs: Epochs) -> tuple[int, bytes] | None:
    """The last epoch row before ``seq`` whose root the verifier holds, as (its sequence
    number, the root): where a stretch starting at ``seq`` takes its key from. Read as
    stored; the walk of the stretch before checks that row."""
    rows = connection.execute(
        "SELECT seq, detail FROM audit_events WHERE action = ? AND seq < ? ORDER BY seq DESC",
        (EPOCH_ACTION, seq),
    ).fetchall()
    for epoch_seq, _detail in rows:
        root = _after((None, None, None, EPOCH_ACTION, None, None, _detail), b"", epochs)
        if root is not None:
            return int(epoch_seq), root
    return None


class Pending:
    """The helper's answer, read when asked for."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process

    def result(self) -> Segment:
        return _segment_from(helper_answer(self._process))


RangeChecker = Callable[[int, int], Pending]


class Helper:
    """Starts a helper process that checks one stretch of the chain while this one checks
    another: a fresh interpreter running this module (nothing of this process's memory or
    threads is copied into it), given the keys through its standard input (never a file, its
    command line or its environment), taking no core dumps, silent on standard error (an
    error's text stays out of any log), gone when its answer is read."""

    def __init__(
        self, database: Path, database_key: bytes, root_key: bytes, epochs: Epochs | None = None
    ) -> None:
        self._request = {
            "database": str(database),
            "database_key": database_key.hex(),
            "root_key": root_key.hex(),
            "epochs": {name: root.hex() for name, root in (epochs or {}).items()},
        }
        self._started: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> RangeChecker:
        return self._check

    def _check(self, first_rowid: int, last_rowid: int) -> Pending:
        request = {**self._request, "first_rowid": first_rowid, "last_rowid": last_rowid}
        process = start_helper("casework.services.audit_chain", request)
        self._started.append(process)
        return Pending(process)

    def __exit__(self, *_exc: object) -> None:
        for process in self._started:
            stop_helper(process)
        self._started.clear()


def _segment_to(segment: Segment) -> dict[str, Any]:
    failure = segment.failure
    return {
        "first_seq": segment.first_seq,
        "first_prev": segment.first_prev.hex(),
        "next_seq": segment.next_seq,
        "last_mac": segment.last_mac.hex(),
        "key": segment.key.hex(),
        "failure": None if failure is None else [*astuple(failure)],
    }


def _segment_from(answer: dict[str, Any]) -> Segment:
    failure = answer["failure"]
    return Segment(
        answer["first_seq"],
        bytes.fromhex(answer["first_prev"]),
        answer["next_seq"],
        bytes.fromhex(answer["last_mac"]),
        bytes.fromhex(answer["key"]),
        None if failure is None else ChainReport(*failure),
    )


def _serve() -> None:
    """The helper process: one request on standard input, one answer on standard output."""
    from casework.vault.engine import raw_connection

    request = helper_request()
    connection = raw_connection(
        Path(request["database"]), bytes.fromhex(request["database_key"]), read_only=True
    )
    try:
        connection.execute("BEGIN")
        segment = check_range(
            connection,
            bytes.fromhex(request["root_key"]),
            request["first_rowid"],
            request["last_rowid"],
            None,
            {name: bytes.fromhex(root) for name, root in request.get("epochs", {}).items()},
        )
    finally:
        connection.close()
    sys.stdout.write(json.dumps(_segment_to(segment)))


if __name__ == "__main__":
    _serve()
