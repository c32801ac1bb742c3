"""Checking a vault's database file without writing to it.

A vault that may be damaged is opened read-only (SQLite's ``mode=ro`` and ``query_only``), so
checking it changes nothing: not a page, not an audit row. The answer is one short line of
what is wrong, and SQLite's and SQLCipher's own output in full for those who ask for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlcipher3

from casework.errors import VaultDamaged
from casework.vault import pages
from casework.vault.engine import raw_connection

NOT_OPENED = (
    "it cannot be opened with its key: its first page is damaged, or it is not this vault's "
    "database"
)


@dataclass(frozen=True)
class DatabaseCheck:
    """``problem`` is None for a sound database, otherwise what is wrong in a few words;
    ``details`` is everything the checks printed (SQLite's integrity check lists up to 100
    problems)."""

    problem: str | None
    details: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def summary(self) -> str:
        return self.problem or "ok"


def check_file(path: Path, database_key: bytes, *, thorough: bool = True) -> DatabaseCheck:
    """Check the database at ``path`` read-only. Every page of the file must authenticate
    (SQLCipher's MAC per page: any byte altered or lost on disk shows); ``thorough`` adds
    SQLite's ``integrity_check`` (the structure of every table and index: seconds on a large
    vault). Pages still in the ``-wal`` file are authenticated by SQLCipher as they are read."""
    try:
        connection = raw_connection(path, database_key, read_only=True)
    except VaultDamaged:
        return DatabaseCheck(NOT_OPENED, (NOT_OPENED,))
    findings: list[str] = []
    sqlite_problems: list[str] = []
    stopped = False
    try:
        try:
            page_problem = _pages(connection, path, database_key)
        except sqlcipher3.DatabaseError as error:
            page_problem = f"the page check stopped: {error}"
        if page_problem is not None:
            findings.append(page_problem)
        if thorough:
            try:
                rows = connection.execute("PRAGMA integrity_check").fetchall()
                # One problem a line (a row may hold several), as SQLite prints them.
                lines = [line for row in rows for line in str(row[0]).splitlines()]
                sqlite_problems = [line for line in lines if line != "ok"]
            except sqlcipher3.DatabaseError as error:  # a damaged page stops the check itself
                stopped = True
                sqlite_problems = [f"SQLite's integrity check stopped: {error}"]
    finally:
        connection.close()
    if not findings and not sqlite_problems:
        return DatabaseCheck(None)
    counted = [line for line in sqlite_problems if not line.startswith("*** in database")]
    return DatabaseCheck(_summary(findings, len(counted), stopped), (*findings, *sqlite_problems))


def _pages(connection: Any, path: Path, database_key: bytes) -> str | None:
    """The main file's pages, each authenticated; None if they all are."""
    if not pages.understood(connection):
        rows = connection.execute("PRAGMA cipher_integrity_check").fetchall()
        return str(rows[0][0]) if rows else None
    size = path.stat().st_size
    if size % pages.PAGE_SIZE:
        return f"the file ends part-way through a page ({size} bytes)"
    # The pages the file holds: with changes still in the -wal file, SQLite's own count may be
    # larger, and those pages are authenticated as SQLite reads them.
    bad = pages.check_pages(path, database_key, size // pages.PAGE_SIZE)
    return None if bad is None else f"{bad} (it was altered or damaged on disk)"


def _summary(findings: list[str], sqlite_count: int, stopped: bool) -> str:
    parts = list(findings)
    if stopped:
        parts.append("SQLite's integrity check stopped at a damaged page")
    elif sqlite_count:
        many = "100 or more problems" if sqlite_count >= 100 else None
        counted = many or f"{sqlite_count} problem{'s' if sqlite_count != 1 else ''}"
        parts.append(f"SQLite's integrity check found {counted}")
    return "; ".join(parts)
