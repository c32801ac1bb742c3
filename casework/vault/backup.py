"""Encrypted backups: a copy under its own random key, that key sealed to the vault's backup
public key. Any signed-in user can take one (before a schema upgrade, say); only the holders of
the backup private key (administrators and the recovery code) can open it."""

from __future__ import annotations

import hmac
import json
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlcipher3
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from casework.errors import DiskFull, VaultDamaged
from casework.vault import crypto, pages
from casework.vault.engine import raw_connection
from casework.vault.files import make_private_folder, write_private_file

BACKUP_FORMAT = 2
BACKUP_FORMATS = (1, 2)  # 1: before manifests were authenticated (restored, dates unproven)
# Pages copied between progress reports (and chances to cancel): 32 MiB, about half a second.
STEP_PAGES = 8192

Progress = Callable[[int, int], None]


# A backup's name says when it was taken, in UTC to the millisecond, so that names sort as the
# backups were taken ("safehold-2026-12-01-19.17.12.529Z-manual.db"). Until December 2026 the
# time was written without separators ("safehold-20261201T191712529197Z-manual.db"): both are
# read, and ordered together, by ``backup_order``.
NAME_STAMP = "%Y-%m-%d-%H.%M.%S"
STAMPS = (
    re.compile(r"safehold-(\d{4})-(\d{2})-(\d{2})-(\d{2})\.(\d{2})\.(\d{2})\.(\d{3})Z-"),
    re.compile(r"safehold-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{6})Z-"),
)


def backup_name(at: datetime, label: str) -> str:
    """The file name of a backup taken ``at`` (UTC)."""
    return f"safehold-{at:{NAME_STAMP}}.{at.microsecond // 1000:03d}Z-{label}.db"


def backup_order(path: Path) -> str:
    """A key that sorts backups' files (or manifests) by the time in their names, whichever
    way the name writes it; a name Safehold did not give sorts first (oldest)."""
    for pattern in STAMPS:
        found = pattern.match(path.name)
        if found:
            *whole, fraction = found.groups()
            return "".join(whole) + fraction.ljust(6, "0")
    return ""


def _free_name(folder: Path, label: str) -> Path:
    """A name for a backup taken now that no file in ``folder`` has: two taken in the same
    millisecond get the next millisecond, so the names still sort as they were taken."""
    at = datetime.now(UTC)
    while True:
        target = folder / backup_name(at, label)
        if not target.exists() and not target.with_suffix(".json").exists():
            return target
        at += timedelta(milliseconds=1)


def backup_aad(keyring_id: str, name: str) -> bytes:
    # "v1" whatever the manifest's format: the sealing itself has not changed since format 1.
    return f"safehold/backup/v1/{keyring_id}/{name}".encode()


def manifest_mac(database_key: bytes, manifest: dict[str, Any]) -> str:
    """The MAC over every field of a manifest but ``mac``, under a key derived from the
    database key of the vault it copies: only someone who held that key wrote it, so its date,
    label, audit head, erasure ledger and keyring can be believed once the slot opened from
    that keyring yields the key."""
    key = HKDF(SHA256(), crypto.KEY_BYTES, None, b"safehold backup manifest v2").derive(
        database_key
    )
    body = {name: value for name, value in manifest.items() if name != "mac"}
    encoded = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(key, encoded.encode(), "sha256").hexdigest()


def audit_head(connection: Any) -> dict[str, Any]:
    """The audit chain's head (last sequence number and MAC) of an open raw connection."""
    row = connection.execute("SELECT next_seq - 1, hex(head_mac) FROM audit_state").fetchone()
    return {"seq": int(row[0]), "mac": str(row[1]).lower()} if row else {"seq": 0, "mac": ""}


def verify_copy(path: Path, key: bytes) -> dict[str, Any]:
    """A copy must open under its key, and every page must authenticate (SQLCipher's HMAC per
    page), so a bad write anywhere in the file is caught; returns the copy's audit head. The
    pages are checked in two threads where their format is SQLCipher's default (see pages),
    by SQLCipher one page at a time otherwise."""
    unreadable = OSError("the backup did not read back cleanly")
    try:
        check = raw_connection(path, key)
    except VaultDamaged as error:  # its first page, read as it opens, is damaged
        raise unreadable from error
    try:
        head = audit_head(check)
        page_count = int(check.execute("PRAGMA page_count").fetchone()[0])
        if pages.understood(check):
            problem = pages.check_pages(path, key, page_count)
        else:
            damaged = check.execute("PRAGMA cipher_integrity_check").fetchall()
            problem = str(damaged[0][0]) if damaged else None
    except sqlcipher3.DatabaseError as error:  # a page SQLite itself had to read is damaged
        raise unreadable from error
    finally:
        check.close()
    if problem is not None:
        raise unreadable
    return head


def _copy_pages(
    database: Path,
    database_key: bytes,
    target: Path,
    backup_key: bytes,
    progress: Progress | None,
    check: Callable[[], None] | None = None,
) -> None:
    """SQLite's backup API between two encrypted files: each page decrypted under the vault's
    key and encrypted under the backup's, with no table or index rebuilt (3.1 GB in 38 s
    where ``sqlcipher_export`` took about 60). The copy is one snapshot: a read transaction
    held on the source for the whole copy keeps caseworkers' saves meanwhile out of it (in
    WAL mode they go on writing) and stops SQLite restarting the copy after each of them."""
    source = raw_connection(database, database_key)
    try:
        copy = raw_connection(target, backup_key)
        try:
            # A new file that is deleted if anything fails: no journal and no syncs while it
            # is written, one fsync once it is whole.
            copy.execute("PRAGMA journal_mode = OFF").fetchall()
            copy.execute("PRAGMA synchronous = OFF")
            source.execute("BEGIN")
            source.execute("SELECT count(*) FROM sqlite_master").fetchall()

            def report(_status: int, remaining: int, total: int) -> None:
                if check is not None:
                    check()
                if progress is not None:
                    progress(total - remaining, total)

            try:
                source.backup(copy, pages=STEP_PAGES, progress=report)
            except sqlcipher3.OperationalError as error:
                if "full" in str(error):  # SQLite's "database or disk is full": the target's
                    raise DiskFull() from None
                raise
        finally:
            copy.close()
    finally:
        source.close()
    descriptor = os.open(target, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_backup(
    database: Path,
    database_key: bytes,
    folder: Path,
    label: str,
    keyring_id: str,
    backup_public_key: bytes,
    extra: dict[str, Any] | None = None,
    name: str | None = None,
    progress: Progress | None = None,
    check: Callable[[], None] | None = None,
) -> Path:
    """Copy the live database into ``folder`` (as ``name``, by default a time-stamped one)
    and check the copy reads back; returns its path. An existing file is never overwritten.
    ``progress(done, total)`` hears after each step, in pages; ``check()`` is called between
    steps up to the last one, before the manifest is written. An exception either raises (a
    cancel) stops the backup and removes the file."""
    make_private_folder(folder)
    target = folder / name if name else _free_name(folder, label)
    name = target.name
    if target.exists() or target.with_suffix(".json").exists():
        raise FileExistsError(f"{target.name} already exists; choose another name")
    backup_key = os.urandom(crypto.KEY_BYTES)
    # Pre-create the file user-only; SQLCipher then writes into it.
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        _copy_pages(database, database_key, target, backup_key, progress, check)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    try:
        if check is not None:
            check()
        head = verify_copy(target, backup_key)
        if check is not None:
            check()  # whole and checked: a cancel (a lock) now still keeps nothing
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    manifest = {
        "format": BACKUP_FORMAT,
        "file": name,
        "keyring_id": keyring_id,
        "created_at": datetime.now(UTC).isoformat(),
        "label": label,
        "key": crypto.seal(backup_public_key, backup_key, backup_aad(keyring_id, name)),
        # The audit head of the copy: restoring an older file, or a file swapped for another,
        # is noticed by comparing it with the database found.
        "audit_head": head,
        **(extra or {}),
    }
    manifest["mac"] = manifest_mac(database_key, manifest)
    write_private_file(target.with_suffix(".json"), json.dumps(manifest, indent=1).encode())
    return target
