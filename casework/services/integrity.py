"""Integrity of a vault: the database pages, and the audit chain.

Checking never writes: the database is read through read-only connections, and
``verify_folder`` (``safehold-admin verify``) signs in without a schema upgrade or an audit
row, so a damaged vault is left exactly as it was found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from casework.errors import CaseworkError, PermissionDenied, VaultDamaged, VaultTooNew
from casework.model.actor import Actor
from casework.model.vocab import Role
from casework.services import audit
from casework.services.audit_chain import Helper, epoch_fingerprint
from casework.vault.checks import NOT_OPENED, DatabaseCheck, check_file
from casework.vault.keyring import Keyring, VaultSecrets
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder

NEEDS_AUDIT_KEY = "Checking the audit chain needs a supervisor or administrator."


@dataclass(frozen=True)
class IntegrityReport:
    database: str
    chain: audit.ChainReport
    details: tuple[str, ...] = ()
    rollback: str | None = None  # the chain against its anchor and the backups' heads
    keyring: str = ""  # one line on keyring.json, as the signed-in slot can tell
    untrusted_slots: int = 0

    @property
    def ok(self) -> bool:
        clean = self.rollback is None and not self.untrusted_slots
        return self.database == "ok" and self.chain.ok and clean


@dataclass(frozen=True)
class FolderReport:
    """What ``verify_folder`` found: the database check, the audit chain (None when it was
    not checked, the database being damaged) and what to tell, in a few lines."""

    database: DatabaseCheck
    chain: audit.ChainReport | None
    lines: tuple[str, ...]
    newest_backup: str | None = None
    untrusted_slots: int = 0  # keyring slots that do not verify (an administrator can tell)
    rollback: str | None = None

    @property
    def ok(self) -> bool:
        chain_ok = self.chain is not None and self.chain.ok and self.rollback is None
        return self.database.ok and chain_ok and not self.untrusted_slots

    @property
    def problem(self) -> str:
        """What failed, for the one sentence the CLI ends with."""
        if not self.database.ok:
            return "the database is damaged"
        if self.chain is None or not self.chain.ok:
            return "the audit chain is broken"
        if self.rollback is not None:
            return self.rollback
        return "slots in keyring.json do not verify"


def check_database(vault: OpenVault) -> str:
    """Every page's MAC and SQLite's integrity check, read-only; "ok" or what is wrong."""
    return check_file(vault.folder.database, vault.secrets.database_key).summary


def require_verifier(actor: Actor | None, secrets: VaultSecrets) -> bytes:
    """Who may check the vault and its audit chain, decided here for the audit screen and
    safehold-admin verify alike: a supervisor or an administrator, whose slot holds the audit
    root key K_0 (returned). ``actor`` None: before the database may be read (a damaged one
    is checked by the key alone; the account is checked once it opens)."""
    if actor is not None:
        actor.require(Role.SUPERVISOR, Role.ADMINISTRATOR)
    if secrets.audit_root_key is None:
        raise PermissionDenied(NEEDS_AUDIT_KEY)
    return secrets.audit_root_key


def verify_vault(
    vault: OpenVault, actor: Actor, progress: Callable[[int, int], None] | None = None
) -> IntegrityReport:
    """The check of a signed-in vault (the audit screen)."""
    root_key = require_verifier(actor, vault.secrets)
    found = check_file(vault.folder.database, vault.secrets.database_key)
    chain = _chain(vault, root_key, progress)
    line, untrusted = keyring_state(vault.folder.load_keyring(), vault.secrets)
    return IntegrityReport(
        found.summary, chain, found.details, rollback_problem(vault, root_key), line, untrusted
    )


def rollback_problem(vault: OpenVault, root_key: bytes) -> str | None:
    """The chain against its anchor (``audit-anchor.json``) and against the heads recorded by
    the authenticated backups of this vault (same keyring, manifest MAC under this database
    key): a sentence if it ends before either, or no longer holds the anchored row."""
    from casework.vault import anchor

    with vault.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        carried = vault.carried_anchors()
        told = anchor.check(
            vault.folder.folder, vault.keyring.keyring_id, vault.secrets, raw, carried
        )
        behind = anchor.behind_backups(backup_heads(vault), raw)
        found = [problem for problem in (behind, told) if problem]
        return "; ".join(found) if found else None


def backup_heads(vault: OpenVault) -> list[int]:
    """The audit heads of this vault's backups whose manifests authenticate under its current
    database key (those taken since the last rekey)."""
    import hmac
    import json

    from casework.vault import rotation
    from casework.vault.backup import manifest_mac

    heads = []
    for folder in vault.folder.backup_folders_used():
        for entry in rotation.backups_in(folder):
            try:
                manifest = json.loads(entry.path.with_suffix(".json").read_text(encoding="utf-8"))
                seq = int(manifest["audit_head"]["seq"])
                authentic = manifest.get(
                    "keyring_id"
                ) == vault.keyring.keyring_id and hmac.compare_digest(
                    str(manifest.get("mac", "")), manifest_mac(vault.secrets.database_key, manifest)
                )
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if authentic:
                heads.append(seq)
    return heads


def _chain(
    vault: OpenVault, root_key: bytes, progress: Callable[[int, int], None] | None
) -> audit.ChainReport:
    roots = vault.secrets.all_audit_roots
    epochs = {epoch_fingerprint(root): root for root in roots}
    genesis = roots[0] if roots else root_key
    helper = Helper(vault.folder.database, vault.secrets.database_key, genesis, epochs)
    with helper as in_other_process, vault.session() as session:
        return audit.verify(session, genesis, progress, in_other_process, epochs)


def verify_folder(folder: VaultFolder, username: str, password: str) -> FolderReport:
    """Check a vault at rest without writing to it: the password opens the keyring, the
    database is checked read-only, and only if it is sound is it opened (read-only, with no
    schema upgrade and no audit row) for the audit chain."""
    keyring, slot_id, opened = folder.open_keys(username, password)
    secrets = opened.secrets
    keyring_line, untrusted = keyring_state(keyring, secrets)
    root_key = require_verifier(None, secrets)
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
        from casework.services.accounts import signed_in

        # A slot whose account was removed, disabled or is no longer a verifier checks nothing.
        require_verifier(signed_in(vault), secrets)
        _require_current_schema(vault)
        chain = _chain(vault, root_key, None)
        rollback = rollback_problem(vault, root_key)
    finally:
        vault.lock()
    lines = (
        "Database: ok",
        f"Audit chain: {chain.rows_checked} rows checked, {chain.reason}",
        *([f"Audit chain: {rollback}"] if rollback else []),
        keyring_line,
    )
    return FolderReport(found, chain, lines, untrusted_slots=untrusted, rollback=rollback)


def keyring_state(keyring: Keyring, secrets: VaultSecrets) -> tuple[str, int]:
    """One line on the keyring's authenticity, as the signed-in slot can tell it, and how many
    slots do not verify."""
    if keyring.format < 2:
        return (
            "Keyring: format 1, not yet authenticated (an administrator's sign-in upgrades it)",
            0,
        )
    if secrets.keyring_key is None:
        return "Keyring: your own slot ok (only an administrator can check the others)", 0
    untrusted = keyring.authenticate(secrets.keyring_key)
    if untrusted:
        told = (
            f"Keyring: {len(untrusted)} slot(s) do not verify (added or changed outside "
            "Safehold): they are never resealed, and the next change by an administrator "
            "removes them"
        )
        return told, len(untrusted)
    slots = len(keyring.slot_ids())
    return f"Keyring: ok, {slots} slots authenticated (key epoch {keyring.epoch})", 0


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
