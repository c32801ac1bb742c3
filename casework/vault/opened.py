"""An unlocked vault: the keys in memory, an engine, one serialised writer, and the key
management its administrators do (slots, rotation, rekeying). Made by ``VaultFolder``."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from casework.errors import (
    PermissionDenied,
    ValidationError,
    VaultBusy,
    VaultLocked,
    WrongCredentials,
    from_database_error,
)
from casework.model.vocab import Role
from casework.vault import crypto, rotation
from casework.vault.backup import Progress, write_backup
from casework.vault.crypto import CryptoError
from casework.vault.engine import (
    BUSY_TIMEOUT_MS,
    WRITE_OPTION,
    key_pragma,
    open_engine,
    raw_connection,
)
from casework.vault.files import make_private_folder, restrict_vault_files, write_private_file
from casework.vault.keyring import (
    UNTRUSTED,
    Keyring,
    KeyringError,
    OpenedSlot,
    VaultSecrets,
    anchor_digest,
    trust_slot,
)
from casework.vault.layout import BACKUPS, PENDING_KEYRING, SETTINGS

if TYPE_CHECKING:  # SQLAlchemy and the model load when a vault opens, not at start-up
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from casework.vault.anchor import Anchor
    from casework.vault.vault import VaultFolder

log = logging.getLogger(__name__)


def grants_for(roles: frozenset[Role]) -> tuple[bool, bool]:
    """Which extra secrets a slot holds: (audit root key, backup private key)."""
    audit_key = bool(roles & {Role.SUPERVISOR, Role.ADMINISTRATOR})
    backup_key = Role.ADMINISTRATOR in roles
    return audit_key, backup_key


def upgraded_keyring(
    keyring: Keyring, secrets: VaultSecrets, session: Session
) -> tuple[Keyring, VaultSecrets]:
    """A format-1 keyring (unauthenticated) as format 2, made by an administrator's or the
    recovery code's secrets: a keyring key is made, and only the slots of accounts that exist
    and are enabled in the database (and the recovery slot) are kept, each resealed with the
    grants its roles carry, whatever the file said. This one step trusts the database's
    accounts; from then on the keyring is authenticated. Returns it (not saved) and the full
    secrets."""
    from sqlalchemy import select

    from casework.model import User

    if secrets.backup_private_key is None or secrets.audit_root_key is None:
        raise PermissionDenied("Only an administrator can upgrade the keyring.")
    upgraded = keyring.copy()
    key = os.urandom(crypto.KEY_BYTES)
    full = VaultSecrets(
        secrets.database_key,
        secrets.audit_root_key,
        secrets.backup_private_key,
        key,
        # From the private key the slot holds, never from the file, which anyone could edit.
        crypto.public_key_of(secrets.backup_private_key),
    )
    users = session.execute(
        select(User).where(User.deleted_at.is_(None), User.disabled_at.is_(None))
    ).scalars()
    wanted = {upgraded.slot_id(u.username): grants_for(u.role_set()) for u in users}
    wanted[upgraded.recovery_slot_id()] = (True, True)
    upgraded.upgrade(key)
    upgraded.drop_slots([s for s in upgraded.slot_ids() if s not in wanted])
    for slot_id in upgraded.slot_ids():
        audit_key, backup_key = wanted[slot_id]
        upgraded.reseal(slot_id, full.restricted(audit=audit_key, backup=backup_key), key)
    return upgraded, full


def backup_public_key(keyring: Keyring, secrets: VaultSecrets) -> bytes:
    """The key backups are sealed to: from the signed-in slot's sealed secrets, never from a
    file anyone could edit (a format-1 keyring's, until an administrator upgrades it)."""
    return secrets.backup_public_key or keyring.legacy_backup_public_key


@contextlib.contextmanager
def database_errors() -> Iterator[None]:
    """Turn database errors a user can act on (damage, a full disk, a locked file) into domain
    errors; the original stays chained for the log, never in the message."""
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except DBAPIError as error:
        translated = from_database_error(error)
        if translated is None:
            raise
        raise translated from error


@dataclass(frozen=True)
class NewEpoch:
    """A rotation's new audit epoch: its root key K_0, for the epoch's first audit row."""

    root_key: bytes = field(repr=False)
    keyring_id: str


@dataclass(frozen=True)
class Unsettled:
    """What ``VaultFolder.open`` leaves for ``OpenVault.settle``."""

    opened: OpenedSlot
    pending: bool


def refuse_unstorable_text(session: Session, _context: object, _instances: object) -> None:
    """The last guard before the driver: a text holding a lone surrogate (a broken paste or
    file name) or a NUL cannot be stored, and reached SQLite's encoder as UnicodeEncodeError
    ("Something went wrong") from any form whose service had no check of its own. Every row
    written through a session is looked at here, so every form gets one clear sentence."""
    from sqlalchemy import inspect as inspect_state

    from casework.limits import text_problem

    for row in (*session.new, *session.dirty):
        state = inspect_state(row)
        for attribute in state.mapper.column_attrs:
            value = state.dict.get(attribute.key)
            if isinstance(value, str) and text_problem(value, len(value), multiline=True):
                raise ValidationError(
                    "A text you entered holds a broken or invisible character (often from "
                    "copying and pasting) that cannot be stored; retype it. Nothing was saved.",
                    field=attribute.key,
                )


# How long lock waits for a running write to commit before interrupting it.
LOCK_WAIT_SECONDS = 5.0


class OpenVault:
    """An unlocked vault: keys in memory and an engine, opened with ``username``'s slot. Who
    that is (the account, its roles) is the application layer's to know."""

    def __init__(
        self,
        folder: VaultFolder,
        keyring: Keyring,
        engine: Engine,
        secrets: VaultSecrets,
        username: str,
        slot_id: str,
        unsettled: Unsettled | None = None,
    ) -> None:
        self.folder = folder
        self.keyring = keyring
        self._engine: Engine | None = None
        self._writing_engine: Engine | None = None
        self._secrets: VaultSecrets | None = secrets
        self.username = username
        self.slot_id = slot_id
        self._unsettled = unsettled  # what settle() has still to do (VaultFolder.open)
        self.dropped_slots = 0  # by the last keyring change: slots that did not verify
        self.read_only = False  # opened to be checked: nothing is written, the anchor included
        # One writer at a time in this process: a write waits here for the one before it (a
        # background job's, say) rather than fail, and takes SQLite's write lock at its BEGIN.
        self._writer = threading.RLock()
        self._sessions: sessionmaker[Session]
        self._bind(engine)
        self._writer_connection: object | None = None  # the DB-API connection writing now
        self._closing = False
        self._abandoned = False  # lock stopped waiting for the running write

    @property
    def is_locked(self) -> bool:
        return self._engine is None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise VaultLocked()
        return self._engine

    @property
    def secrets(self) -> VaultSecrets:
        if self._secrets is None:
            raise VaultLocked()
        return self._secrets

    def session(self) -> Session:
        self.engine  # noqa: B018 - raises VaultLocked once locked
        return self._sessions()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction: serialised with every other write this process makes, and
        holding SQLite's write lock from its first statement (so it never fails half-way
        because another connection wrote). Waits up to the busy timeout for the writer."""
        if not self._writer.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
            raise VaultBusy(
                "Another task is still saving to the vault. Try again in a moment; nothing "
                "was saved."
            )
        try:
            if self._closing:
                raise VaultLocked()
            self.engine  # noqa: B018 - raises VaultLocked once locked
            with (
                database_errors(),
                self._sessions(bind=self._writing_engine) as session,
                session.begin(),
            ):
                self._writer_connection = session.connection().connection.dbapi_connection
                yield session
                if self._abandoned:  # lock gave up waiting: this write must not land after it
                    raise VaultLocked()
        finally:
            self._writer_connection = None
            self._writer.release()

    def settle(self) -> None:
        """The rest of unlocking, once the caller has admitted the user: the failed-attempts
        count cleared, and a format-1 keyring upgraded (an administrator's first sign-in with
        this version) or the signed-in slot's anchor moved on. The audit anchor is the
        caller's to refresh, after the sign-in's audit row."""
        unsettled, self._unsettled = self._unsettled, None
        if unsettled is None:
            return
        self.folder.throttle().succeeded()
        keyring, opened = self.keyring, unsettled.opened
        if keyring.format < 2 and self.secrets.backup_private_key is not None:
            if not unsettled.pending:
                self.upgrade_keyring(opened)
        elif not unsettled.pending and keyring.check_anchor(opened):
            keyring.refresh_anchor(self.slot_id, opened)
            keyring.save(self.folder.keyring_path)

    def lock(self, wait_seconds: float = LOCK_WAIT_SECONDS) -> None:
        """Refuse new writes, let a running one finish (for ``wait_seconds`` at most, then
        interrupt it: it rolls back), move the audit anchor up to the head (a supervisor's or
        administrator's session), dispose of the engine and forget the keys. Nothing this
        vault's sessions write can reach the file after it returns."""
        self._closing = True
        held = self._writer.acquire(timeout=wait_seconds)
        if not held:
            self._abandoned = True
            writing = self._writer_connection
            if writing is not None:
                log.warning("a write still running at lock was interrupted")
                with contextlib.suppress(Exception):
                    writing.interrupt()  # type: ignore[attr-defined]
            held = self._writer.acquire(timeout=wait_seconds)
        try:
            self._forget()
        finally:
            if held:
                self._writer.release()

    def _forget(self) -> None:
        if self._engine is not None:
            self.refresh_anchor()
            self._engine.dispose()
        self._engine = None
        self._writing_engine = None
        self._secrets = None
        from sqlalchemy.orm import sessionmaker

        self._sessions = sessionmaker()  # unbound: holds no engine

    def refresh_anchor(self) -> None:
        """Record the audit chain's head in ``audit-anchor.json`` (see anchor), if this session
        holds K_0; a failure to write it is logged, never in the way of signing in or out."""
        secrets = self._secrets
        if self.read_only or secrets is None or secrets.audit_root_key is None:
            return
        from casework.vault import anchor

        try:
            with self.engine.connect() as connection:
                raw = connection.connection.dbapi_connection
                anchor.refresh(
                    self.folder.folder,
                    self.keyring.keyring_id,
                    secrets,
                    raw,
                    self.carried_anchors(),
                )
        except Exception:
            log.warning("the audit anchor could not be written", exc_info=False)

    # -- key management (the account services decide who may call these) -------------------

    def backup(
        self,
        label: str,
        folder: Path | None = None,
        name: str | None = None,
        progress: Progress | None = None,
        check: Callable[[], None] | None = None,
    ) -> Path:
        """An encrypted, verified copy in the vault's backups folder (or ``folder``), with the
        keyring in its manifest so an administrator or the recovery code can restore it on a
        machine that never had the vault. ``progress(done, total)`` hears as it goes; ``check()``
        raises to cancel (between steps, up to the last one)."""
        return write_backup(
            self.folder.database,
            self.secrets.database_key,
            folder or self.folder.folder / BACKUPS,
            label,
            self.keyring.keyring_id,
            backup_public_key(self.keyring, self.secrets),
            {"keyring": self.keyring.to_dict(), "anchor": self.anchor_to_carry()},
            name,
            progress,
            check,
        )

    def anchor_to_carry(self) -> object:
        """The audit anchor as it stands in the vault folder (its chain head and the erasure
        ledger, MACed under K_0), for a backup's manifest to carry as it is: any signed-in user
        copies it, only a supervisor or an administrator can have written it. Restoring an
        older backup applies the ledger of the later anchors it finds (see restore); verify
        compares the chain with them even if the vault's own anchor file is deleted."""
        from casework.vault import anchor

        found = anchor.load(self.folder.folder)
        return found if isinstance(found, dict) else None

    def carried_anchors(self) -> list[Anchor]:
        """The anchors this vault's backups carry that verify under the roots this slot holds."""
        from casework.vault import anchor

        secrets = self.secrets
        return anchor.carried(
            self.folder.backup_folders_used(), self.keyring.keyring_id, secrets.all_audit_roots
        )

    @property
    def backup_folder(self) -> Path:
        """Where backups go: the vault's own ``backups`` folder unless an administrator chose
        another (an external drive, say) for this machine."""
        return self.folder.chosen_backup_folder

    def set_backup_folder(self, folder: Path | None) -> None:
        """Choose where this machine's backups go (the desk decides who may)."""
        if folder is not None:
            make_private_folder(folder)
        used = [str(p) for p in self.folder.backup_folders_used()]
        if folder is not None:
            used.append(str(folder))
        write_private_file(
            self.folder.folder / SETTINGS,
            json.dumps(
                {"backup_folder": str(folder) if folder else "", "used": sorted(set(used))}
            ).encode(),
        )

    def daily_backup_due(self) -> bool:
        return rotation.daily_due(self.backup_folder, datetime.now(UTC))

    def daily_backup(self, check: Callable[[], None] | None = None) -> Path:
        """The automatic daily backup, then rotation (7 daily, 4 weekly, expired ones gone)."""
        written = self.backup(rotation.DAILY, self.backup_folder, check=check)
        rotation.rotate(self.backup_folder)
        return written

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database and truncate it, so no page image of
        erased rows stays in the -wal file."""
        with self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def expire_backups(self, reason: str) -> list[str]:
        """Mark every backup taken so far as expired (it holds someone since erased): listed in
        ``backups/expired.json`` by file name, for rotation to delete and restore to refuse."""
        marked: list[str] = []
        for folder in self.folder.backup_folders_used():
            marked += rotation.mark_expired(folder, reason)
        return marked

    def change_own_password(self, old_password: str, new_password: str) -> None:
        """Rewrap the signed-in slot under a new password. An administrator's change also moves
        the backup key pair and the keyring key on (``rotate``), so that backups taken from now
        on do not open with the old password and a copy of the old keyring."""
        keyring = Keyring.load(self.folder.keyring_path)
        try:
            opened = keyring.open_slot(self.slot_id, old_password)
        except CryptoError:
            raise WrongCredentials("The current password is not correct.") from None
        trust_slot(keyring, self.slot_id, opened)
        keyring.change_password(self.slot_id, opened, new_password, keyring.default_params)
        keyring.save(self.folder.keyring_path)
        self.keyring = keyring
        if self.secrets.is_administrator and keyring.format >= 2:
            self.rotate(new_database_key=False)

    def _keyring_to_change(self) -> tuple[Keyring, bytes]:
        """keyring.json as an administrator changes it: authenticated under the keyring key,
        the slots that do not verify dropped (never resealed, never trusted; logged by count).
        PermissionDenied for anyone else."""
        key = self.secrets.keyring_key
        if key is None or not self.secrets.is_administrator:
            raise PermissionDenied("Only an administrator can change who may open the vault.")
        keyring = Keyring.load(self.folder.keyring_path)
        untrusted = keyring.authenticate(key)
        if self.slot_id in untrusted:
            raise KeyringError("the signed-in slot does not verify", UNTRUSTED)
        if untrusted:
            log.warning("keyring.json: dropped %d slot(s) that do not verify", len(untrusted))
            keyring.drop_slots(untrusted)
        self.dropped_slots = len(untrusted)
        return keyring, key

    def set_user_slot(
        self,
        username: str,
        password: str,
        roles: frozenset[Role],
        at_most: tuple[bool, bool] | None = None,
    ) -> None:
        """Give a user a fresh slot (a new account, or an administrator's reset). ``at_most``:
        the grants the slot had, as authenticated: a reset never gives more than that, whatever
        roles the database now says (anyone with the database key can write those)."""
        audit_key, backup_key = grants_for(roles)
        if at_most is not None:
            audit_key, backup_key = audit_key and at_most[0], backup_key and at_most[1]
        keyring, key = self._keyring_to_change()
        secrets = self.secrets.restricted(audit=audit_key, backup=backup_key)
        keyring.set_slot(
            keyring.slot_id(username), "user", password, keyring.default_params, secrets, key
        )
        keyring.save(self.folder.keyring_path)
        self.keyring = keyring

    def upgrade_keyring(self, opened: OpenedSlot) -> None:
        """A format-1 keyring becomes format 2 at an administrator's first sign-in with this
        version (see ``upgraded_keyring``); the signed-in slot is anchored at once."""
        with self.session() as session:
            keyring, upgraded = upgraded_keyring(self.keyring, self.secrets, session)
        mine = keyring.slot_grants(self.slot_id) if keyring.has_slot(self.slot_id) else None
        if mine is None:
            raise WrongCredentials()
        self._secrets = upgraded.restricted(audit=mine[0], backup=mine[1])
        refreshed = OpenedSlot(self._secrets, opened.private_key, opened.anchor, opened.kek)
        keyring.refresh_anchor(self.slot_id, refreshed)
        keyring.save(self.folder.keyring_path)
        self.keyring = keyring
        log.warning("keyring.json upgraded to format 2 (authenticated)")

    def rotate(self, *, new_database_key: bool, remove: str | None = None) -> NewEpoch | None:
        """Move every secret the vault's administrators share on to a new epoch: a new backup
        key pair and keyring key (and, with ``new_database_key``, a new database key, the
        file rekeyed), resealed only to the slots that verify (``remove``, a slot id, dropped
        first). The old administrators' fingerprint joins the lineage, so other
        administrators' slots, anchored to it, accept the new secrets at their next sign-in.
        A new database key starts a new audit epoch: returned, for the caller to record (then
        refresh the anchor)."""
        current = self.secrets
        assert current.audit_root_key is not None  # an administrator's (_keyring_to_change)
        keyring, _old_key = self._keyring_to_change()
        if remove is not None:
            keyring.remove_slot(remove)
        # Only the slots of accounts that are enabled now, and the recovery code's: a slot
        # whose account was renamed, disabled or deleted in the database (by someone holding
        # the database key) gets nothing more.
        active = self.active_slot_ids(keyring)
        strays = [slot for slot in keyring.slot_ids() if slot not in active]
        if strays:
            log.warning("rotation: %d slot(s) without an enabled account dropped", len(strays))
            keyring.drop_slots(strays)
        backup_private, backup_public = crypto.new_key_pair()
        key = os.urandom(crypto.KEY_BYTES)
        # Removing someone also starts a new audit epoch: a new K_0 that the removed user never
        # held; the old roots stay with those who verify the chain's earlier rows.
        audit_root = os.urandom(crypto.KEY_BYTES) if new_database_key else current.audit_root_key
        new_epoch = audit_root != current.audit_root_key
        new_secrets = VaultSecrets(
            os.urandom(crypto.KEY_BYTES) if new_database_key else current.database_key,
            audit_root,
            backup_private,
            key,
            backup_public,
            (*current.audit_lineage, anchor_digest("audit", current.audit_root_key))
            if new_epoch
            else current.audit_lineage,
            (*current.admin_lineage, current.anchor()),
            (*current.audit_roots, current.audit_root_key.hex())
            if new_epoch
            else current.audit_roots,
        )
        keyring.next_epoch(key)
        for slot_id in keyring.slot_ids():
            audit_key, backup_key = keyring.slot_grants(slot_id)
            keyring.reseal(slot_id, new_secrets.restricted(audit=audit_key, backup=backup_key), key)
        if new_database_key:
            self._rekey_database(keyring, current.database_key, new_secrets.database_key)
        else:
            keyring.save(self.folder.keyring_path)
        self.keyring = keyring
        mine = keyring.slot_grants(self.slot_id) if keyring.has_slot(self.slot_id) else (True, True)
        self._secrets = new_secrets.restricted(audit=mine[0], backup=mine[1])
        restrict_vault_files(self.folder.folder)
        if not new_epoch:
            self.refresh_anchor()
            return None
        # The caller writes the epoch's first audit row, after the keyring holding the new root
        # is in place: if that is interrupted, the chain simply goes on in the old epoch, and
        # every slot still verifies it.
        return NewEpoch(audit_root, keyring.keyring_id)

    def active_slot_ids(self, keyring: Keyring) -> set[str]:
        """The slot ids of the enabled accounts, and the recovery slot's."""
        from sqlalchemy import select

        from casework.model import User

        with self.session() as session:
            names = session.execute(
                select(User.username).where(User.deleted_at.is_(None), User.disabled_at.is_(None))
            ).scalars()
            active = {keyring.slot_id(name.strip().casefold()) for name in names}
        return active | {keyring.recovery_slot_id()}

    def slot_grants(self, username: str) -> tuple[bool, bool] | None:
        """The authenticated grants of a user's slot now, or None if there is none that
        verifies (as an administrator sees keyring.json)."""
        key = self.secrets.keyring_key
        keyring = Keyring.load(self.folder.keyring_path)
        slot_id = keyring.slot_id(username)
        if key is None or keyring.format < 2 or not keyring.has_slot(slot_id):
            return None
        if slot_id in keyring.authenticate(key):
            return None
        return keyring.slot_grants(slot_id)

    def has_slot(self, username: str) -> bool:
        keyring = Keyring.load(self.folder.keyring_path)
        return keyring.has_slot(keyring.slot_id(username))

    def _rekey_database(self, keyring: Keyring, old_key: bytes, new_key: bytes) -> None:
        """The database to a new key, with the keyring that holds it written first as pending,
        so a crash between the two is completed at the next sign-in (``readable_key``)."""
        pending_path = self.folder.folder / PENDING_KEYRING
        with self._writer:  # no write of this process runs through the rekey
            keyring.save(pending_path)
            self.engine.dispose()
            connection = raw_connection(self.folder.database, old_key)
            try:
                connection.execute(key_pragma(new_key).replace("PRAGMA key", "PRAGMA rekey"))
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            finally:
                connection.close()
            os.replace(pending_path, self.folder.keyring_path)
            self._bind(open_engine(self.folder.database, new_key))

    def _bind(self, engine: Engine) -> None:
        """Sessions, and the writer's sessions, over ``engine``."""
        from sqlalchemy import event
        from sqlalchemy.orm import sessionmaker

        self._engine = engine
        self._writing_engine = engine.execution_options(**{WRITE_OPTION: True})
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        event.listen(self._sessions, "before_flush", refuse_unstorable_text)

    def remove_slot_and_rekey(self, username: str) -> NewEpoch:
        """Delete a user's slot and rotate every secret the vault's slots share (database key,
        backup key pair, keyring key), so that a copy of the old keyring opens neither the
        database nor any later backup. Remaining slots are resealed without their passwords,
        only those that verify."""
        keyring = Keyring.load(self.folder.keyring_path)
        epoch = self.rotate(new_database_key=True, remove=keyring.slot_id(username))
        assert epoch is not None  # a new database key always starts one
        return epoch
