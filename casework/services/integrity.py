"""Integrity of a vault: the database pages, and the audit chain.

Checking never writes: the database is read through read-only connections, and
``verify_folder`` (``safehold-admin verify``) signs in without a schema upgrade or an audit
row, so a damaged vault is left exactly as it was found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from casework.errors import CaseworkError, PermissionDenied, VaultDamaged, VaultTooNew
from casework.services import audit
from casework.services.audit_chain import Helper
from casework.vault.checks import NOT_OPENED, DatabaseCheck, check_file
from casework.vault.vault import OpenVault, VaultFolder

NEEDS_AUDIT_KEY = "Checking the audit chain needs a supervisor or administrator."


@dataclass(frozen=True)
class IntegrityReport:
    database: str
    chain: audit.ChainReport
    details: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.database == "ok" and self.chain.ok


@dataclass(frozen=True)
class FolderReport:
    """What ``verify_folder`` found: the database check, the audit chain (None when it was
    not checked, the database being damaged) and what to tell, in a few lines."""

    database: DatabaseCheck
    chain: audit.ChainReport | None
    lines: tuple[str, ...]
    newest_backup: str | None = None

    @property
    def ok(self) -> bool:
        return self.database.ok and self.chain is not None and self.chain.ok


def check_database(vault: OpenVault) -> str:
    """Every page's MAC and SQLite's integrity check, read-only; "ok" or what is wrong."""
    return check_file(vault.folder.database, vault.secrets.database_key).summary


def verify_vault(
    vault: OpenVault, progress: Callable[[int, int], None] | None = None
) -> IntegrityReport:
    """The check of a signed-in vault (the audit screen)."""
    root_key = vault.secrets.audit_root_key
    if root_key is None:
        raise PermissionDenied(NEEDS_AUDIT_KEY)
    found = check_file(vault.folder.database, vault.secrets.database_key)
    return IntegrityReport(found.summary, _chain(vault, root_key, progress), found.details)


def _chain(
    vault: OpenVault, root_key: bytes, progress: Callable[[int, int], None] | None
) -> audit.ChainReport:
    helper = Helper(vault.folder.database, vault.secrets.database_key, root_key)
    with helper as in_other_process, vault.session() as session:
        return audit.verify(session, root_key, progress, in_other_process)


def verify_folder(folder: VaultFolder, username: str, password: str) -> FolderReport:
    """Check a vault at rest without writing to it: the password opens the keyring, the
    database is checked read-only, and only if it is sound is it opened (read-only, with no
    schema upgrade and no audit row) for the audit chain."""
    keyring, slot_id, secrets = folder.open_keys(username, password)
    root_key = secrets.audit_root_key
    if root_key is None:
        raise PermissionDenied(NEEDS_AUDIT_KEY)
    try:
        keyring, secrets, _pending = folder.readable_key(keyring, slot_id, password, secrets)
    except VaultDamaged:
        found = DatabaseCheck(NOT_OPENED, (NOT_OPENED,))
    else:
        found = check_file(folder.database, secrets.database_key)
    if not found.ok:
        newest = folder.newest_backup()
        told = (
            *folder.damage_lines(found.summary, for_app=False, username=username),
            "Audit chain: not checked, as the database is damaged.",
        )
        return FolderReport(found, None, told, str(newest.path) if newest else None)
    folder.throttle().succeeded()
    vault = folder.open_read_only(keyring, slot_id, secrets, username)
    try:
        _require_current_schema(vault)
        chain = _chain(vault, root_key, None)
    finally:
        vault.lock()
    lines = ("Database: ok", f"Audit chain: {chain.rows_checked} rows checked, {chain.reason}")
    return FolderReport(found, chain, lines)


def _require_current_schema(vault: OpenVault) -> None:
    """A vault of an older schema is checked after the app has upgraded it (which writes);
    one of a newer schema is refused, untouched."""
    from alembic.script import ScriptDirectory

    from casework.vault import schema

    current = schema.current_revision(vault.engine)
    script = ScriptDirectory.from_config(schema.alembic_config())
    if current == script.get_current_head():
        return
    if current is not None:
        try:
            script.get_revision(current)
        except Exception as exc:  # a revision this version does not know: a newer one's
            raise VaultTooNew() from exc
    raise CaseworkError(
        "This vault was written by an older version of Safehold: sign in to it once (which "
        "upgrades it, after a backup), then verify it again."
    )
