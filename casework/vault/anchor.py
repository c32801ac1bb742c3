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

from casework.vault.files import write_private_file
from casework.vault.keyring import VaultSecrets

log = logging.getLogger(__name__)

ANCHOR = "audit-anchor.json"
ANCHOR_LIMIT = 10_000  # bytes


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


def head_of(connection: Any) -> tuple[int, str]:
    """The chain's head (last sequence number, its MAC in hex) of a DB-API connection."""
    row = connection.execute("SELECT next_seq - 1, hex(head_mac) FROM audit_state").fetchone()
    return (int(row[0]), str(row[1]).lower()) if row else (0, "")


def read(folder: Path, keyring_id: str, secrets: VaultSecrets) -> Anchor | str | None:
    """The anchor if it verifies (under the current K_0, or an earlier epoch's: it was written
    before a rotation); None if there is none; "untrusted" if there is one that does not
    verify (edited, or not this vault's)."""
    path = folder / ANCHOR
    try:
        if path.stat().st_size > ANCHOR_LIMIT:
            return "untrusted"
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return "untrusted"
    if not isinstance(data, dict):
        return "untrusted"
    body = {k: v for k, v in data.items() if k != "tag"}
    tag = str(data.get("tag", ""))
    if body.get("keyring_id") != keyring_id or not any(
        hmac.compare_digest(tag, _tag(root, body)) for root in secrets.all_audit_roots
    ):
        return "untrusted"
    seq, mac, at = body.get("seq"), body.get("mac"), body.get("at")
    if not isinstance(seq, int) or not isinstance(mac, str) or not isinstance(at, str):
        return "untrusted"
    return Anchor(seq, mac, at)


def refresh(folder: Path, keyring_id: str, secrets: VaultSecrets, connection: Any) -> None:
    """Move the anchor up to the chain's head (never back: a head behind the anchor is left
    for ``check`` to report), MACed under the current epoch's K_0."""
    root_key = secrets.audit_root_key
    if root_key is None:
        return
    seq, mac = head_of(connection)
    found = read(folder, keyring_id, secrets)
    if isinstance(found, Anchor) and found.seq > seq:
        log.warning("the audit chain is behind its anchor; the anchor is kept")
        return
    body = {
        "format": 1,
        "keyring_id": keyring_id,
        "seq": seq,
        "mac": mac,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    write_private_file(folder / ANCHOR, json.dumps({**body, "tag": _tag(root_key, body)}).encode())


def check(folder: Path, keyring_id: str, secrets: VaultSecrets, connection: Any) -> str | None:
    """What is wrong with the chain against its anchor, in a sentence; None if nothing (or no
    anchor yet)."""
    found = read(folder, keyring_id, secrets)
    if found is None:
        return None
    if found == "untrusted":
        return (
            "the audit anchor (audit-anchor.json) does not verify: it was changed outside Safehold"
        )
    assert isinstance(found, Anchor)
    seq, _mac = head_of(connection)
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
