"""A vault is one folder: ``safehold.db`` (SQLCipher), ``keyring.json`` and ``backups/``.

``VaultFolder`` is a vault at rest: it can be created or unlocked. ``OpenVault`` is an unlocked
vault: it holds the keys and the engine until ``lock()`` forgets them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from casework.errors import (
    PermissionDenied,
    ValidationError,
    VaultBusy,
    VaultDamaged,
    VaultExists,
    VaultLocked,
    VaultNotFound,
    WrongCredentials,
    from_database_error,
)
from casework.model.vocab import Role
from casework.vault import crypto, rotation
from casework.vault.backup import Progress, write_backup
from casework.vault.crypto import CryptoError, KdfParams
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
from casework.vault.throttle import UnlockThrottle

if TYPE_CHECKING:  # SQLAlchemy and the model load when a vault opens, not at start-up
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from casework.vault.anchor import Anchor

log = logging.getLogger(__name__)

DATABASE = "safehold.db"
KEYRING = "keyring.json"
PENDING_KEYRING = "keyring.pending.json"
BACKUPS = "backups"
SETTINGS = "settings.json"  # this machine's choices (the backup folder); nothing about people
EXPIRED = rotation.EXPIRED
THROTTLE = "unlock-state.json"
# The app's sign-in reads a database this small whole, to authenticate every page before it
# writes (0.3 s here, about 4,000 cases); a larger one is left to verify and the audit screen.
CHECK_AT_SIGN_IN_BYTES = 128 * 2**20
# A manifest dated further ahead than this is not believed (a clock a day off is).
FUTURE_TOLERANCE = timedelta(days=1)


def grants_for(roles: frozenset[Role]) -> tuple[bool, bool]:
    """Which extra secrets a slot holds: (audit root key, backup private key)."""
    audit_key = bool(roles & {Role.SUPERVISOR, Role.ADMINISTRATOR})
    backup_key = Role.ADMINISTRATOR in roles
    return audit_key, backup_key


@dataclass(frozen=True)
class NewVault:
    vault: OpenVault
    recovery_code: str


class VaultFolder:
    """A vault at rest."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @property
    def database(self) -> Path:
        return self.folder / DATABASE

    @property
    def keyring_path(self) -> Path:
        return self.folder / KEYRING

    def exists(self) -> bool:
        return self.keyring_path.exists() or self.database.exists()

    def throttle(self) -> UnlockThrottle:
        return UnlockThrottle(self.folder / THROTTLE)

    # -- creation -------------------------------------------------------------------------

    def create(
        self,
        *,
        username: str,
        password: str,
        first_rows: Callable[[Session, bytes], None],
        kdf: KdfParams | None = None,
    ) -> NewVault:
        """Create an empty vault: its keys, its database at the current schema, the keyring
        with ``username``'s slot (every secret) and the recovery code's. ``first_rows(session,
        audit_root_key)`` writes the first rows (the organisation, the first administrator,
        the audit chain's start) in the same transaction; if anything fails, no file is left.
        Who may be the first administrator, and with what name, is the caller's to check."""
        from sqlalchemy.orm import Session

        if self.exists():
            raise VaultExists()
        make_private_folder(self.folder)
        params = kdf or crypto.calibrate()
        backup_private, backup_public = crypto.new_key_pair()
        secrets = VaultSecrets(
            database_key=os.urandom(crypto.KEY_BYTES),
            audit_root_key=os.urandom(crypto.KEY_BYTES),
            backup_private_key=backup_private,
            keyring_key=os.urandom(crypto.KEY_BYTES),
            backup_public_key=backup_public,
        )
        assert secrets.keyring_key is not None and secrets.audit_root_key is not None
        engine: Engine | None = None
        try:
            engine = open_engine(self.database, secrets.database_key, create=True)
            from casework.vault import schema  # alembic: loaded when needed, not at start-up

            schema.upgrade_to_head(engine)
            with Session(engine) as session, session.begin():
                first_rows(session, secrets.audit_root_key)
            keyring = Keyring.new(params, secrets.keyring_key)
            keyring.set_slot(
                keyring.slot_id(username), "user", password, params, secrets, secrets.keyring_key
            )
            recovery_code = crypto.new_recovery_code()
            keyring.set_slot(
                keyring.recovery_slot_id(),
                "recovery",
                recovery_code,
                params,
                secrets,
                secrets.keyring_key,
            )
            keyring.save(self.keyring_path)
        except BaseException:
            if engine is not None:
                engine.dispose()
            for leftover in (self.keyring_path, self.database, *self._sidecars()):
                leftover.unlink(missing_ok=True)
            raise
        restrict_vault_files(self.folder)
        opened = OpenVault(self, keyring, engine, secrets, username, keyring.slot_id(username))
        opened.refresh_anchor()  # every vault has an anchor from its first moment
        return NewVault(opened, recovery_code)

    @property
    def chosen_backup_folder(self) -> Path:
        """Where backups go: the vault's own ``backups`` folder unless an administrator chose
        another (an external drive, say) for this machine (``settings.json``, which holds
        nothing about people and is readable without signing in)."""
        settings = self.folder / SETTINGS
        try:
            chosen = json.loads(settings.read_text(encoding="utf-8")).get("backup_folder")
        except (OSError, ValueError, AttributeError):
            chosen = None
        return Path(chosen) if isinstance(chosen, str) and chosen else self.folder / BACKUPS

    def backup_folders_used(self) -> list[Path]:
        """Every folder this vault's backups have gone to on this machine: its own, the one
        chosen now, and those chosen before (``settings.json`` keeps them), so an erasure
        marks the backups in all of them."""
        folders = [self.folder / BACKUPS, self.chosen_backup_folder]
        try:
            used = json.loads((self.folder / SETTINGS).read_text(encoding="utf-8")).get("used")
        except (OSError, ValueError, AttributeError, RecursionError):
            used = None
        if isinstance(used, list):
            folders += [Path(p) for p in used if isinstance(p, str) and p]
        return list(dict.fromkeys(folders))

    def backup_candidates(self) -> list[rotation.BackupEntry]:
        """The backups of this vault found in every folder it has used, newest first by the
        date their manifests claim: not expired, the manifest and its keyring sound in shape
        (see restore.read_manifest), the date not in the future. Before anyone signs in none
        of this is authenticated: restore_newest opens them in this order and takes the first
        whose manifest authenticates."""
        from casework.errors import CaseworkError
        from casework.vault.restore import manifest_keyring, read_manifest

        soon = datetime.now(UTC) + FUTURE_TOLERANCE
        found: list[rotation.BackupEntry] = []
        for folder in self.backup_folders_used():
            expired = rotation.expired_names(folder)
            found += [e for e in rotation.backups_in(folder) if e.path.name not in expired]
        candidates = []
        for entry in sorted(found, key=lambda e: e.created_at, reverse=True):
            if entry.created_at > soon:
                log.warning("a backup dated in the future is not believed")
                continue
            try:
                manifest_keyring(read_manifest(entry.path))
            except CaseworkError:
                continue
            candidates.append(entry)
        return candidates

    def newest_backup(self) -> rotation.BackupEntry | None:
        """The newest good backup, as far as can be told before signing in (see
        ``backup_candidates``)."""
        candidates = self.backup_candidates()
        return candidates[0] if candidates else None

    def latest_backup(self) -> Path | None:
        """The newest good backup's file (see ``newest_backup``)."""
        entry = self.newest_backup()
        return entry.path if entry else None

    def set_aside(self) -> Path:
        """Move a damaged vault's files, unchanged, into a sibling folder (so a backup can be
        restored in their place without destroying them); returns where they went."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        aside = self.folder.parent / f"{self.folder.name}-damaged-{stamp}"
        suffix = 1
        while aside.exists():  # never into a folder that holds an earlier vault's files
            aside = self.folder.parent / f"{self.folder.name}-damaged-{stamp}-{suffix}"
            suffix += 1
        make_private_folder(aside)
        from casework.vault.anchor import ANCHOR

        for path in (self.database, self.keyring_path, self.folder / ANCHOR, *self._sidecars()):
            if path.exists():
                os.replace(path, aside / path.name)
        return aside

    def _sidecars(self) -> list[Path]:
        return [self.folder / f"{DATABASE}-wal", self.folder / f"{DATABASE}-shm"]

    # -- unlocking ------------------------------------------------------------------------

    def load_keyring(self) -> Keyring:
        if not self.keyring_path.exists():
            if self.database.exists():
                raise VaultDamaged("The vault's keyring.json is missing. Restore it from a backup.")
            raise VaultNotFound()
        try:
            return Keyring.load(self.keyring_path)
        except KeyringError as exc:
            log.warning("keyring.json refused: %s", exc.reason)  # what, never whose
            raise

    def open_keys(self, username: str, password: str) -> tuple[Keyring, str, OpenedSlot]:
        """Check the password at the keyring (slow on purpose): the keyring, the slot and
        what it holds, authenticated (``trust_slot``). Touches nothing but the
        failed-attempts count."""
        throttle = self.throttle()
        throttle.check()
        keyring = self.load_keyring()
        slot_id = keyring.slot_id(username.strip().casefold())
        try:
            opened = keyring.open_slot(slot_id, password)
        except CryptoError:
            throttle.failed()
            raise WrongCredentials() from None
        trust_slot(keyring, slot_id, opened)
        return keyring, slot_id, opened

    def _size(self) -> int:
        try:
            return self.database.stat().st_size
        except OSError:
            return 0

    def unlock(self, username: str, password: str, *, check_first: bool = False) -> OpenVault:
        """``open``, then ``settle``: the vault as a signed-in user has it (the application
        layer's sign-in checks the account between the two, and writes the sign-in's audit
        row)."""
        vault = self.open(username, password, check_first=check_first)
        try:
            vault.settle()
            vault.refresh_anchor()
        except BaseException:
            vault.lock()
            raise
        return vault

    def open(self, username: str, password: str, *, check_first: bool = False) -> OpenVault:
        """Check the password at the keyring (slow on purpose), then open the database at the
        current schema. Nothing else is written until ``settle``.

        With ``check_first`` (the app's sign-in), every page of a database of up to
        CHECK_AT_SIGN_IN_BYTES is authenticated read-only before anything is written (a schema
        upgrade, the sign-in's audit row): a damaged vault is refused with VaultDamaged saying
        what is wrong, from when the newest backup is and how to restore it, and is left
        exactly as it was. A larger file is not read whole at sign-in (2.5 ms a megabyte
        here: 3 s at 100,000 cases, against a sign-in target of half a second);
        `safehold-admin verify` and the audit screen's check cover it."""
        name = username.strip().casefold()
        keyring, slot_id, opened = self.open_keys(name, password)
        secrets = opened.secrets
        if check_first and self._size() <= CHECK_AT_SIGN_IN_BYTES:
            problem, keyring, secrets, pending = self._checked(keyring, slot_id, password, secrets)
            if problem is not None:
                log.warning("sign-in refused: the database check failed")
                raise VaultDamaged(" ".join(self.damage_lines(problem, for_app=True)))
        else:
            keyring, secrets, pending = self.readable_key(keyring, slot_id, password, secrets)
        engine = open_engine(self.database, secrets.database_key)
        if pending:
            os.replace(self.folder / PENDING_KEYRING, self.keyring_path)
            log.warning("completed an interrupted rekey from the pending keyring")
        try:
            with database_errors():
                from casework.vault import schema  # alembic: loaded at sign-in, not start-up

                schema.ensure_current(engine, self._backup_callback(keyring, secrets))
        except BaseException:
            engine.dispose()
            raise
        vault = OpenVault(self, keyring, engine, secrets, name, slot_id)
        vault._unsettled = _Unsettled(opened, pending)
        return vault

    def readable_key(
        self, keyring: Keyring, slot_id: str, password: str, secrets: VaultSecrets
    ) -> tuple[Keyring, VaultSecrets, bool]:
        """Which key opens the database, tried read-only: the keyring's, or, if a rekey was
        interrupted after the database changed key but before the keyring was replaced, the
        pending keyring's (then True: the caller that writes replaces the keyring with it).
        VaultDamaged if neither opens it."""
        try:
            raw_connection(self.database, secrets.database_key, read_only=True).close()
            return keyring, secrets, False
        except VaultDamaged:
            pending_path = self.folder / PENDING_KEYRING
            if not pending_path.exists():
                raise
            pending = Keyring.load(pending_path)
            if pending.format < 2 or (keyring.format >= 2 and pending.epoch <= keyring.epoch):
                # A rekey's pending keyring is always the next epoch: an older one put there
                # (a removed user's, with an old copy of the database) would undo a removal.
                log.warning("a pending keyring that is not newer was refused")
                raise
            try:
                pending_opened = pending.open_slot(slot_id, password)
            except CryptoError:
                raise VaultDamaged() from None
            trust_slot(pending, slot_id, pending_opened)
            pending_secrets = pending_opened.secrets
            raw_connection(self.database, pending_secrets.database_key, read_only=True).close()
            return pending, pending_secrets, True

    def damage_found(self, secret: str, username: str | None) -> str | None:
        """What is wrong with this vault, checked read-only with ``username``'s password or
        (None) the recovery code; None when it is sound. Writes nothing but the
        failed-attempts count. Raises WrongCredentials when a sound keyring does not open
        with them (the database cannot be checked without its key)."""
        try:
            keyring = self.load_keyring()
        except VaultDamaged as damaged:
            return damaged.message
        if not self.database.is_file() or self._size() == 0:
            return "the database file is missing or empty"
        if username is None:
            keyring, secrets = self.open_with_recovery_code(secret)
            slot_id, password = keyring.recovery_slot_id(), crypto.normalise_recovery_code(secret)
        else:
            keyring, slot_id, opened = self.open_keys(username, secret)
            secrets, password = opened.secrets, secret
        try:
            return self._checked(keyring, slot_id, password, secrets)[0]
        except VaultDamaged as damaged:  # its keyring (a pending one), or the file missing
            return damaged.message

    def _checked(
        self, keyring: Keyring, slot_id: str, password: str, secrets: VaultSecrets
    ) -> tuple[str | None, Keyring, VaultSecrets, bool]:
        """The database opened read-only with the slot's key (or a pending keyring's) and its
        pages authenticated, writing nothing: what is wrong with it (None if nothing), and
        ``readable_key``'s keyring, secrets and pending flag."""
        from casework.vault.checks import NOT_OPENED, check_file

        try:
            keyring, secrets, pending = self.readable_key(keyring, slot_id, password, secrets)
        except KeyringError:
            raise
        except VaultDamaged:
            if not self.database.is_file():
                raise  # missing, not damaged: its own message
            return NOT_OPENED, keyring, secrets, False
        found = check_file(self.database, secrets.database_key, thorough=False)
        return (None if found.ok else found.summary), keyring, secrets, pending

    def keyring_id(self) -> str | None:
        """This vault's keyring id, if its keyring reads (it stays through rotations)."""
        try:
            return self.load_keyring().keyring_id
        except (VaultDamaged, VaultNotFound):
            return None

    def open_read_only(
        self, keyring: Keyring, slot_id: str, secrets: VaultSecrets, username: str
    ) -> OpenVault:
        """The vault opened read-only with keys from ``open_keys`` (and ``readable_key``): no
        schema upgrade, and SQLite refuses any write. For checking it."""
        engine = open_engine(self.database, secrets.database_key, read_only=True)
        vault = OpenVault(self, keyring, engine, secrets, username.strip().casefold(), slot_id)
        vault.read_only = True
        return vault

    def damage_lines(self, problem: str, *, for_app: bool, username: str = "NAME") -> list[str]:
        """What to tell about a damaged database, in a few lines: what is wrong, that nothing
        was written, from when the newest good backup is, and how to restore it (in the app,
        or with safehold-admin)."""
        lines = [f"The vault's database is damaged: {problem}. Nothing has been written to it."]
        newest = self.newest_backup()
        if newest is None:
            lines.append(
                f"No backup of this vault was found in {self.chosen_backup_folder}; restore "
                "from a backup kept elsewhere (an external drive, say)."
            )
            source = "FILE"
        else:
            lines.append(
                f"The newest good backup is from {newest.created_at:%Y-%m-%d %H:%M} UTC"
                + ("." if for_app else f": {newest.path}")
            )
            source = str(newest.path)
        if for_app:
            lines.append(
                "Choose “Restore from the latest backup…” below: the damaged files are set "
                "aside, unchanged."
            )
        else:
            lines.append(
                f"Replace it with: safehold-admin restore --from {source} --replace-damaged "
                f"--vault {self.folder} --user {username} (or --recovery), which sets the "
                "damaged files aside, unchanged; or with “Restore from the latest backup…” on "
                "Safehold's sign-in screen."
            )
        return lines

    def _backup_callback(self, keyring: Keyring, secrets: VaultSecrets) -> Callable[[str], Path]:
        def take(label: str) -> Path:
            return write_backup(
                self.database,
                secrets.database_key,
                self.folder / BACKUPS,
                label,
                keyring.keyring_id,
                backup_public_key(keyring, secrets),
                {"keyring": keyring.to_dict()},
            )

        return take

    def open_with_recovery_code(self, code: str) -> tuple[Keyring, VaultSecrets]:
        """The recovery code's slot, for resetting an administrator's password."""
        throttle = self.throttle()
        throttle.check()
        keyring = self.load_keyring()
        slot_id = keyring.recovery_slot_id()
        try:
            opened = keyring.open_slot(slot_id, crypto.normalise_recovery_code(code))
        except CryptoError:
            throttle.failed()
            raise WrongCredentials("The recovery code is not correct.") from None
        trust_slot(keyring, slot_id, opened)
        throttle.succeeded()
        return keyring, opened.secrets


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
class _Unsettled:
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
    ) -> None:
        self.folder = folder
        self.keyring = keyring
        self._engine: Engine | None = None
        self._writing_engine: Engine | None = None
        self._secrets: VaultSecrets | None = secrets
        self.username = username
        self.slot_id = slot_id
        self._unsettled: _Unsettled | None = None
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
