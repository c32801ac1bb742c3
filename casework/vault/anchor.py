"""The audit chain's head, recorded outside the database where a caseworker's key cannot
rewrite it: ``audit-anchor.json`` in the vault folder, MACed under a key derived from the
audit root key K_0, which only supervisors, administrators and the recovery code hold.

A supervisor's or administrator's sign-in and lock move the anchor up to the head; it never
moves back, so signing in to a database rolled back to an older copy does not hide the
rollback. ``check`` then tells a chain that ends before its anchor (rows removed, or the whole
file rolled back) or that no longer holds the anchored row (rewritten from there).

Limit: rows written after the last anchor (by anyone holding the current chain key, which
every signed-in user's database holds) can still be removed by such an insider without this
noticing; the backups' heads (``backup_heads``) and, later, sync to the organisation's server
narrow that window.
"""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from casework.vault.backup import backup_order
from casework.vault.files import write_private_file
from casework.vault.keyring import VaultSecrets

log = logging.getLogger(__name__)

ANCHOR = "audit-anchor.json"
ANCHOR_LIMIT = 20_000_000  # bytes: the erasure ledger is 40 bytes a person erased


def _key(root_key: bytes) -> bytes:
    return HKDF(SHA256(), 32, None, b"safehold audit anchor v1").derive(root_key)


def _tag(root_key: bytes, body: dict[str, Any]) -> str:
    encoded = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(_key(root_key), encoded, "sha256").hexdigest()


@dataclass(frozen=True)
class Anchor:
    seq: int
    mac: str  # hex
    at: str
    erased: tuple[str, ...] = ()  # the erasure ledger: ids of everyone erased, never names


def erased_ids(connection: Any) -> list[str]:
    try:
        rows = connection.execute(
            "SELECT DISTINCT survivor_id FROM erasures WHERE deleted_at IS NULL"
        ).fetchall()
    except Exception:  # a database from before erasures had a table of their own
        return []
    return sorted(str(row[0]) for row in rows)


def parse(data: object, keyring_id: str, roots: list[bytes]) -> Anchor | None:
    """An anchor as stored (the file's content, or the copy a backup's manifest carries) if
    it verifies under one of ``roots``; None otherwise."""
    if not isinstance(data, dict):
        return None
    body = {k: v for k, v in data.items() if k != "tag"}
    tag = data.get("tag")
    if body.get("keyring_id") != keyring_id or not isinstance(tag, str):
        return None
    if not any(hmac.compare_digest(tag, _tag(root, body)) for root in roots):
        return None
    seq, mac, at, erased = body.get("seq"), body.get("mac"), body.get("at"), body.get("erased", [])
    if type(seq) is not int or not isinstance(mac, str) or not isinstance(at, str):
        return None
    if not isinstance(erased, list) or not all(isinstance(e, str) for e in erased):
        return None
    return Anchor(seq, mac, at, tuple(erased))


def load(folder: Path) -> object:
    """The anchor file's content as stored: None if there is none, "unreadable" if it cannot
    be read as JSON."""
    path = folder / ANCHOR
    try:
        if path.stat().st_size > ANCHOR_LIMIT:
            return "unreadable"
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError):
        return "unreadable"


def head_of(connection: Any) -> tuple[int, str]:
    """The chain's head (last sequence number, its MAC in hex) of a DB-API connection."""
    row = connection.execute("SELECT next_seq - 1, hex(head_mac) FROM audit_state").fetchone()
    return (int(row[0]), str(row[1]).lower()) if row else (0, "")


def read(folder: Path, keyring_id: str, secrets: VaultSecrets) -> Anchor | str | None:
    """The anchor if it verifies (under the current K_0, or an earlier epoch's: it was written
    before a rotation); None if there is none; "untrusted" if there is one that does not
    verify (edited, or not this vault's)."""
    data = load(folder)
    if data is None:
        return None
    found = parse(data, keyring_id, secrets.all_audit_roots)
    return found if found is not None else "untrusted"


def refresh(
    folder: Path,
    keyring_id: str,
    secrets: VaultSecrets,
    connection: Any,
    carried: list[Anchor] = [],  # noqa: B006 - read only
) -> None:
    """Move the anchor up to the chain's head, with the erasure ledger, MACed under the current
    epoch's K_0. Never back: if the head is behind the anchor (or behind an anchor a backup
    carries, ``carried``), the highest anchor is kept for ``check`` to report; and an anchor
    file that does not verify is left as it is (evidence, for verify to report) unless a
    backup's anchor says more."""
    root_key = secrets.audit_root_key
    if root_key is None:
        return
    seq, mac = head_of(connection)
    found = read(folder, keyring_id, secrets)
    known = [a for a in (found, *carried) if isinstance(a, Anchor)]
    highest = max(known, key=lambda a: a.seq, default=None)
    if highest is not None and highest.seq > seq:
        log.warning("the audit chain is behind its anchor; the anchor is kept")
        if highest is not found:
            _write(folder, keyring_id, root_key, highest.seq, highest.mac, highest.at,
                   list(highest.erased))  # fmt: skip
        return
    if found == "untrusted" and highest is None:
        log.warning("the audit anchor does not verify; it is left for verify to report")
        return
    at = datetime.now(UTC).isoformat(timespec="seconds")
    _write(folder, keyring_id, root_key, seq, mac, at, erased_ids(connection))


def _write(
    folder: Path, keyring_id: str, root_key: bytes, seq: int, mac: str, at: str, erased: list[str]
) -> None:
    body = {"format": 1, "keyring_id": keyring_id, "seq": seq, "mac": mac, "at": at}
    body["erased"] = erased
    write_private_file(folder / ANCHOR, json.dumps({**body, "tag": _tag(root_key, body)}).encode())


def check(
    folder: Path,
    keyring_id: str,
    secrets: VaultSecrets,
    connection: Any,
    carried: list[Anchor] = [],  # noqa: B006 - read only
) -> str | None:
    """What is wrong with the chain against its anchor (or the highest anchor a backup carries,
    ``carried``, when the file is missing), in a sentence; None if nothing (or no anchor
    yet)."""
    found = read(folder, keyring_id, secrets)
    if found is None:
        highest = max(carried, key=lambda a: a.seq, default=None)
        seq, _mac = head_of(connection)
        if highest is not None and highest.seq > seq:
            return (
                f"the audit anchor is missing, and the chain ends at row {seq}, before the "
                f"anchor a backup carries (row {highest.seq}, recorded {highest.at}): rows were "
                "removed or the database was rolled back to an older copy"
            )
        if seq > 0:
            return (
                "the audit anchor (audit-anchor.json) is missing: every vault has one from its "
                "creation or restore on, so it was deleted, perhaps to hide a rollback; a "
                "supervisor's or administrator's next sign-in starts a new one"
            )
        return None
    if found == "untrusted":
        return (
            "the audit anchor (audit-anchor.json) does not verify: it was changed outside Safehold"
        )
    assert isinstance(found, Anchor)
    seq, _mac = head_of(connection)
    newest = max(carried, key=lambda a: a.seq, default=None)
    if newest is not None and newest.seq > found.seq:
        return (
            f"the audit anchor (row {found.seq}) is older than the anchor a backup carries "
            f"(row {newest.seq}, recorded {newest.at}): it was put back from an older copy, "
            "perhaps with the database, to hide a rollback"
        )
    if seq < found.seq:
        return (
            f"the audit chain ends at row {seq}, before its anchor (row {found.seq}, recorded "
            f"{found.at}): rows were removed or the database was rolled back to an older copy"
        )
    row = connection.execute(
        "SELECT hex(mac) FROM audit_events WHERE seq = ?", (found.seq,)
    ).fetchone()
    if found.seq and (row is None or str(row[0]).lower() != found.mac):
        return (
            f"the audit chain no longer holds its anchored row {found.seq} (recorded "
            f"{found.at}): it was rewritten from there"
        )
    return None


def behind_backups(heads: list[int], connection: Any) -> str | None:
    """A chain that ends before the head an authenticated backup recorded."""
    seq, _mac = head_of(connection)
    newest = max(heads, default=0)
    if newest > seq:
        return (
            f"the audit chain ends at row {seq}, before the row {newest} a later backup "
            "recorded: the database was rolled back to an older copy"
        )
    return None


# How many backups' manifests are read for their anchors (the newest by file name).
CARRIED_LIMIT = 200


def carried(folders: list[Path], keyring_id: str, roots: list[bytes]) -> list[Anchor]:
    """The anchors carried by the manifests of the backups in ``folders`` that verify under
    ``roots``. A manifest that cannot be read, or a folder that cannot be listed, is passed."""
    found: list[Anchor] = []
    for folder in folders:
        try:
            newest = sorted(folder.glob("safehold-*.json"), key=backup_order, reverse=True)
            manifests = newest[:CARRIED_LIMIT]
        except OSError:
            continue
        for path in manifests:
            try:
                if path.stat().st_size > ANCHOR_LIMIT:
                    continue
                manifest = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError, RecursionError):
                continue
            if isinstance(manifest, dict):
                one = parse(manifest.get("anchor"), keyring_id, roots)
                if one is not None:
                    found.append(one)
    return found
