"""Whole-table reads for the exports, decoded once per distinct value.

An export reads every case and survivor. SQLAlchemy converts each value on its own (a regular
expression per date, ``json.loads`` per list, a lookup per enum), which at 100,000 people costs
several times the query itself. Here the columns come back as SQLite stores them and each
distinct stored text is decoded once: a survivor table holds a few thousand distinct dates and
a few dozen distinct lists. The rows read the same as SQLAlchemy's (dates, enum members, JSON
lists as tuples), so the callers do not change.
"""

from __future__ import annotations

import json
from collections import Counter, namedtuple
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from enum import Enum
from itertools import islice
from typing import Any

import sqlcipher3
from sqlalchemy import JSON, Date, Integer, Select, String, Text, cast, func, select, type_coerce
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql import ColumnElement

from casework import runtime

BLOCK = 2000


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while an export builds its hundreds of thousands of
    tuples: each collection walks every live object, and they ran so often that they took
    half of an export's time. Exports make no reference cycles worth collecting meanwhile.
    (Counted with every other pause, in casework.runtime.)"""
    with runtime.collector_paused():
        yield


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


# Packed reads (see scan): values joined by a character no stored value of these columns holds
# (dates, enum values, numbers, JSON, which escapes control characters, and ids), NULL written as
# another. Free text may hold anything, so every column's count is checked against the rows'.
SEPARATOR = "\x1e"
NULL = "\x01"


Reader = Session | Connection


def scan(
    session: Reader,
    columns: Sequence[InstrumentedAttribute[Any]],
    *where: ColumnElement[bool],
    order_by: Sequence[Any] = (),
    named: bool = True,
    distinct: bool = False,
    row_type: Callable[..., Any] | None = None,
    packed: bool = False,
) -> list[Any]:
    """Rows of ``columns`` matching ``where``: named tuples with the columns' names, or plain
    tuples (a third faster to make) with ``named=False``, or ``row_type(*columns)``.

    ``packed`` (unordered reads of many rows) has SQLite join each column's values into one
    string, split here: no Python object per row and value until the rows themselves are made,
    and the joining runs without the interpreter lock (100,000 survivors, six columns: about
    130 ms against 220 read row by row; 7% of the whole quarterly export). A column of free text
    that holds the separator is noticed (its count is off) and the read is done again row by
    row."""
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
    blocks: Iterable[list[Sequence[Any]]] | None = None
    if packed and not order_by:
        blocks = _packed_blocks(session, columns, query)
    if blocks is None:
        blocks = _row_blocks(session, query)
    # Each column decoded through a table of its distinct values, a block at a time: one C
    # call over 100,000 rows would hold the interpreter lock for a tenth of a second and freeze
    # the window while an export runs.
    tables: list[dict[Any, Any]] = [{None: None, NULL: None} for _ in columns]
    rows: list[Any] = []
    for values in blocks:
        for index, decoder in enumerate(decoders):
            if decoder is not None:
                table = tables[index]
                for text in set(values[index]) - table.keys():
                    table[text] = decoder(text)
                values[index] = list(map(table.__getitem__, values[index]))
        rows.extend(zip(*values, strict=True) if make is None else map(make, *values))
    return rows


def _row_blocks(session: Reader, query: Select[Any]) -> Iterator[list[Sequence[Any]]]:
    """The driver's tuples, as SQLite returns them (no per-row Row objects or processors: the
    coerced columns have none), turned into columns a block at a time."""
    result = _connection(session).execute(query)
    try:
        cursor = result.cursor
        while cursor is not None and (block := cursor.fetchmany(BLOCK)):
            yield list(zip(*block, strict=True))
    finally:
        result.close()


def _packed_blocks(
    session: Reader, columns: Sequence[InstrumentedAttribute[Any]], query: Select[Any]
) -> list[list[Sequence[Any]]] | None:
    """The columns of ``query``'s rows, each read as one joined string; None if a value held
    the separator (or the strings would be too long for SQLite)."""
    inner = query.subquery()
    joined = []
    for column, selected in zip(columns, inner.c, strict=True):
        text: ColumnElement[Any] = cast(selected, Text)
        if _nullable(column):
            text = func.ifnull(text, NULL)
        joined.append(func.group_concat(text, SEPARATOR))
    try:
        count, *texts = _connection(session).execute(select(func.count(), *joined)).one()
    except DBAPIError:  # a string over SQLite's length limit, at millions of rows
        return None
    if not count:
        return []
    values: list[Sequence[Any]] = []
    for column, text in zip(columns, texts, strict=True):
        split = text.split(SEPARATOR)
        if len(split) != count:
            return None
        if isinstance(column.type, Integer):
            split = [None if value == NULL else int(value) for value in split]
        values.append(split)
    return [
        [column[start : start + BLOCK] for column in values] for start in range(0, count, BLOCK)
    ]


def _nullable(column: InstrumentedAttribute[Any]) -> bool:
    """Whether the column may hold NULL; a nullable column of plain text cannot be packed (its
    NULL and a text equal to the marker would read the same)."""
    nullable = bool(getattr(column.expression, "nullable", True))
    if nullable and isinstance(column.type, String) and _decoder(column) is None:
        raise TypeError(f"scan cannot pack {column.key}: text that may be NULL")
    return nullable


def _connection(reader: Reader) -> Connection:
    return reader.connection() if isinstance(reader, Session) else reader


# How long a pairing waits for a save to finish before the caller reads alone.
PAIR_WAIT_MS = 500


@contextmanager
def snapshot_pair(session: Session) -> Iterator[tuple[Connection, Connection] | None]:
    """Two new connections reading one and the same state of the database, so that two
    threads can read at once (SQLite reads without the interpreter lock, and a packed read is
    almost all SQLite) and still add up: a third connection holds the write lock while both
    begin reading, so no save can land between them, then lets go (caseworkers' saves wait a
    few milliseconds at most). None if a write holds the lock for longer than
    ``PAIR_WAIT_MS``: the caller reads in one thread."""
    engine = session.get_bind()
    if not isinstance(engine, Engine):
        yield None
        return
    lock = engine.connect()
    readers: list[Connection] = []
    try:
        driver = lock.connection.dbapi_connection
        assert driver is not None
        (usual_wait,) = driver.execute("PRAGMA busy_timeout").fetchone()
        driver.execute(f"PRAGMA busy_timeout = {PAIR_WAIT_MS}")
        try:
            driver.execute("BEGIN IMMEDIATE")
            locked = True
        except sqlcipher3.OperationalError:  # a long write (an import, say) holds the lock
            locked = False
        finally:
            driver.execute(f"PRAGMA busy_timeout = {int(usual_wait)}")
        if not locked:
            yield None
            return
        try:
            for _ in range(2):
                reader = engine.connect()
                readers.append(reader)
                reader.begin()
                reader.exec_driver_sql("SELECT count(*) FROM sqlite_master").all()
        finally:
            driver.execute("ROLLBACK")
        yield readers[0], readers[1]
    finally:
        for reader in readers:
            reader.rollback()
            reader.close()
        lock.close()
