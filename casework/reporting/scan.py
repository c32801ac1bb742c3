"""Whole-table reads for the exports, decoded once per distinct value.

An export reads every case and survivor. SQLAlchemy converts each value on its own (a regular
expression per date, ``json.loads`` per list, a lookup per enum), which at 100,000 people costs
several times the query itself. Here the columns come back as SQLite stores them and each
distinct stored text is decoded once: a survivor table holds a few thousand distinct dates and
a few dozen distinct lists. The rows read the same as SQLAlchemy's (dates, enum members, JSON
lists as tuples), so the callers do not change.
"""

from __future__ import annotations

import gc
import json
import threading
from collections import Counter, namedtuple
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from enum import Enum
from itertools import islice
from typing import Any

from sqlalchemy import JSON, Date, Integer, String, select, type_coerce
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql import ColumnElement

BLOCK = 2000

_pause_lock = threading.Lock()
_pauses = 0
_was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while an export builds its hundreds of thousands of
    tuples: each collection walks every live object, and they ran so often that they took
    half of an export's time. Exports make no reference cycles worth collecting meanwhile.
    Safe to nest and to use from several threads at once; the last one out restores it."""
    global _pauses, _was_enabled
    with _pause_lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()


LET_GO_SLICE = 1000


def let_go(*containers: list[Any] | dict[Any, Any] | set[Any]) -> None:
    """Empty big lists, dicts and sets a slice at a time, in the order given (outer first).

    Dropping the last reference to a structure of 100,000 small objects frees them all in one
    C-level cascade, and no other thread runs until it ends (80 ms for the anonymiser's groups
    at 100,000 cases: a frozen window while an export finishes). Emptied piecewise, the
    interpreter hands its lock to the other threads between slices."""
    for container in containers:
        if isinstance(container, list):
            while container:
                del container[-LET_GO_SLICE:]
        elif isinstance(container, dict):
            while container:
                container.popitem()
        else:
            while container:
                container.pop()


TALLY_SLICE = 5000


def tally(value_of: Mapping[Any, Any], keys: Iterable[Any]) -> Counter[Any]:
    """How many of ``keys`` have each value in ``value_of``, counted a slice at a time: a
    Counter over 70,000 keys is one C call that holds the interpreter lock throughout (47 ms
    of frozen window, measured while the quarterly export ran beside a backup)."""
    counts: Counter[Any] = Counter()
    remaining = iter(keys)
    while chunk := list(islice(remaining, TALLY_SLICE)):
        counts.update(map(value_of.__getitem__, chunk))
    return counts


def _decoder(column: InstrumentedAttribute[Any]) -> Callable[[Any], Any] | None:
    kind = column.type
    if isinstance(kind, SqlEnum) and kind.enum_class is not None:
        members: dict[str, Enum] = {m.value: m for m in kind.enum_class}
        return members.__getitem__
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, JSON):
        return lambda text: _as_tuple(json.loads(text))
    if isinstance(kind, String | Integer):  # SQLAlchemy returns these as SQLite does
        return None
    raise TypeError(f"scan cannot read {column.key} ({kind}) as stored")


def _as_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _named_row(names: list[str]) -> Callable[..., Any]:
    return namedtuple("Row", names)


def scan(
    session: Session,
    columns: Sequence[InstrumentedAttribute[Any]],
    *where: ColumnElement[bool],
    order_by: Sequence[Any] = (),
    named: bool = True,
    distinct: bool = False,
    row_type: Callable[..., Any] | None = None,
) -> list[Any]:
    """Rows of ``columns`` matching ``where``: named tuples with the columns' names, or plain
    tuples (a third faster to make) with ``named=False``, or ``row_type(*columns)``."""
    make = row_type
    if make is None and named:
        make = _named_row([column.key for column in columns])
    decoders = [_decoder(column) for column in columns]
    raw = [
        type_coerce(column, String) if decoder is not None else column
        for column, decoder in zip(columns, decoders, strict=True)
    ]
    query = select(*raw).where(*where).order_by(*order_by)
    if distinct:
        query = query.distinct()
    # The driver's tuples, as SQLite returns them: no per-row Row objects or processors (the
    # coerced columns have none), then each column decoded through a table of its distinct
    # values. Done a block at a time: one C call over 100,000 rows would hold the interpreter
    # lock for a tenth of a second and freeze the window while an export runs.
    tables: list[dict[Any, Any]] = [{None: None} for _ in columns]
    rows: list[Any] = []
    result = session.connection().execute(query)
    try:
        cursor = result.cursor
        while cursor is not None and (block := cursor.fetchmany(BLOCK)):
            values: list[Sequence[Any]] = list(zip(*block, strict=True))
            for index, decoder in enumerate(decoders):
                if decoder is not None:
                    table = tables[index]
                    for text in set(values[index]) - table.keys():
                        table[text] = decoder(text)
                    values[index] = list(map(table.__getitem__, values[index]))
            rows.extend(zip(*values, strict=True) if make is None else map(make, *values))
    finally:
        result.close()
    return rows
