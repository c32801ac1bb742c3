"""A vault is one folder: ``safehold.db`` (SQLCipher), ``keyring.json`` and ``backups/``.

``VaultFolder`` is a vault at rest: it can be created or unlocked. ``OpenVault`` is an unlocked
vault: it holds the keys and the engine until ``lock()`` forgets them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from casework.errors import (
    AccountDisabled,
    PermissionDenied,
    ValidationError,
    VaultDamaged,
    VaultExists,
    VaultLocked,
    VaultNotFound,
    WrongCredentials,
    from_database_error,
)
from casework.model.vocab import Role
from casework.passwords import check_password
from casework.services.actor import Actor
from casework.vault import crypto, rotation
from casework.vault.backup import Progress, write_backup
from casework.vault.crypto import CryptoError, KdfParams
from casework.vault.engine import key_pragma, open_engine, raw_connection
from casework.vault.files import make_private_folder, restrict_vault_files, write_private_file
from casework.vault.keyring import Keyring, KeyringError, VaultSecrets
from casework.vault.throttle import UnlockThrottle

if TYPE_CHECKING:  # SQLAlchemy and the model load when a vault opens, not at start-up
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

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


def grants_for(roles: frozenset[Role]) -> tuple[bool, bool]:
    """Which extra secrets a slot holds: (audit root key, backup private key)."""
    audit_key = bool(roles & {Role.SUPERVISOR, Role.ADMINISTRATOR})
    backup_key = Role.ADMINISTRATOR in roles
    return audit_key, backup_key


def normalise_username(username: str) -> str:
    name = username.strip().casefold()
    if not name or len(name) > 64 or any(ch.isspace() or not ch.isprintable() for ch in name):
        raise ValidationError("A user name is 1 to 64 letters, digits or signs, without spaces.")
    return name


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
        org_name: str,
        country: str,
        province: str,
        admin_username: str,
        admin_password: str,
        admin_display_name: str = "",
        kdf: KdfParams | None = None,
    ) -> NewVault:
        """Create an empty vault with its first administrator and a recovery code."""
        from sqlalchemy.orm import Session

        from casework.model import Organisation, User, UserRole
        from casework.model.base import new_id
        from casework.services import audit

        if self.exists():
            raise VaultExists()
        org_name = org_name.strip()
        country = country.strip().upper()
        if not org_name:
            raise ValidationError("Enter the organisation's name.", field="org_name")
        if len(country) != 2 or not country.isalpha():
            raise ValidationError(
                "Enter the country as a two-letter code, such as KE.", field="country"
            )
        username = normalise_username(admin_username)
        check_password(admin_password, username=username, organisation=org_name)

        make_private_folder(self.folder)
        params = kdf or crypto.calibrate()
        backup_private, backup_public = crypto.new_key_pair()
        secrets = VaultSecrets(
            os.urandom(crypto.KEY_BYTES), os.urandom(crypto.KEY_BYTES), backup_private
        )
        engine: Engine | None = None
        try:
            engine = open_engine(self.database, secrets.database_key, create=True)
            from casework.vault import schema  # alembic: loaded when needed, not at start-up

            schema.upgrade_to_head(engine)
            with Session(engine) as session, session.begin():
                admin = User(username=username, display_name=admin_display_name.strip() or username)
                admin.created_by = admin.updated_by = admin.id = new_id()
                admin.roles.append(
                    UserRole(role=Role.ADMINISTRATOR, created_by=admin.id, updated_by=admin.id)
                )
                org = Organisation(
                    name=org_name,
                    country=country,
                    province=province.strip(),
                    created_by=admin.id,
                    updated_by=admin.id,
                )
                session.add_all([admin, org])
                session.flush()
                audit.initialise(session, secrets.audit_root_key or b"", admin.id)
                audit.record(session, admin.id, "vault.create", "organisation", org.id)
            keyring = Keyring.new(params, backup_public)
            keyring.set_slot(keyring.slot_id(username), "user", admin_password, params, secrets)
            recovery_code = crypto.new_recovery_code()
            keyring.set_slot(keyring.recovery_slot_id(), "recovery", recovery_code, params, secrets)
            keyring.save(self.keyring_path)
        except BaseException:
            if engine is not None:
                engine.dispose()
            for leftover in (self.keyring_path, self.database, *self._sidecars()):
                leftover.unlink(missing_ok=True)
            raise
        restrict_vault_files(self.folder)
        opened = OpenVault(
            self,
            keyring,
            engine,
            secrets,
            _actor_from_engine(engine, username),
            keyring.slot_id(username),
        )
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

    def newest_backup(self) -> rotation.BackupEntry | None:
        """The newest good backup: in the vault's backups folder or the one chosen for it, not
        expired, its manifest and the keyring in it sound (see restore.read_manifest)."""
        from casework.errors import CaseworkError
        from casework.vault.restore import manifest_keyring, read_manifest

        found: list[rotation.BackupEntry] = []
        for folder in dict.fromkeys([self.folder / BACKUPS, self.chosen_backup_folder]):
            expired = rotation.expired_names(folder)
            found += [e for e in rotation.backups_in(folder) if e.path.name not in expired]
        for entry in sorted(found, key=lambda e: e.created_at, reverse=True):
            try:
                manifest_keyring(read_manifest(entry.path))
            except CaseworkError:
                continue
            return entry
        return None

    def latest_backup(self) -> Path | None:
        """The newest good backup's file (see ``newest_backup``)."""
        entry = self.newest_backup()
        return entry.path if entry else None

    def set_aside(self) -> Path:
        """Move a damaged vault's files, unchanged, into a sibling folder (so a backup can be
        restored in their place without destroying them); returns where they went."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = self.folder.parent / f"{self.folder.name}-damaged-{stamp}"
        make_private_folder(aside)
        for path in (self.database, self.keyring_path, *self._sidecars()):
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

    def open_keys(self, username: str, password: str) -> tuple[Keyring, str, VaultSecrets]:
        """Check the password at the keyring (slow on purpose): the keyring, the slot and
        the secrets it holds. Touches nothing but the failed-attempts count."""
        throttle = self.throttle()
        throttle.check()
        keyring = self.load_keyring()
        slot_id = keyring.slot_id(username.strip().casefold())
        try:
            secrets, _private = keyring.open_slot(slot_id, password)
        except CryptoError:
            throttle.failed()
            raise WrongCredentials() from None
        return keyring, slot_id, secrets

    def _size(self) -> int:
        try:
            return self.database.stat().st_size
        except OSError:
            return 0

    def unlock(self, username: str, password: str, *, check_first: bool = False) -> OpenVault:
        """Check the password at the keyring (slow on purpose), then open the database.

        With ``check_first`` (the app's sign-in), every page of a database of up to
        CHECK_AT_SIGN_IN_BYTES is authenticated read-only before anything is written (a schema
        upgrade, the sign-in's audit row): a damaged vault is refused with VaultDamaged saying
        what is wrong, from when the newest backup is and how to restore it, and is left
        exactly as it was. A larger file is not read whole at sign-in (2.5 ms a megabyte
        here: 3 s at 100,000 cases, against a sign-in target of half a second);
        `safehold-admin verify` and the audit screen's check cover it."""
        from casework.services import audit

        throttle = self.throttle()
        name = username.strip().casefold()
        keyring, slot_id, secrets = self.open_keys(name, password)
        if check_first and self._size() <= CHECK_AT_SIGN_IN_BYTES:
            from casework.vault.checks import NOT_OPENED, check_file

            try:
                keyring, secrets, pending = self.readable_key(keyring, slot_id, password, secrets)
            except KeyringError:
                raise
            except VaultDamaged as damaged:
                if not self.database.is_file():
                    raise  # missing, not damaged: its own message
                log.warning("sign-in refused: the database does not open")
                told = " ".join(self.damage_lines(NOT_OPENED, for_app=True))
                raise VaultDamaged(told) from damaged
            found = check_file(self.database, secrets.database_key, thorough=False)
            if not found.ok:
                log.warning("sign-in refused: the database check failed")
                raise VaultDamaged(" ".join(self.damage_lines(found.summary, for_app=True)))
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
                actor = _actor_from_engine(engine, name)
        except BaseException:
            engine.dispose()
            raise
        throttle.succeeded()
        opened = OpenVault(self, keyring, engine, secrets, actor, slot_id)
        with opened.transaction() as session:
            audit.record(session, actor.user_id, "session.unlock", "user", actor.user_id)
        return opened

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
            try:
                pending_secrets, _ = pending.open_slot(slot_id, password)
            except CryptoError:
                raise VaultDamaged() from None
            raw_connection(self.database, pending_secrets.database_key, read_only=True).close()
            return pending, pending_secrets, True

    def open_read_only(
        self, keyring: Keyring, slot_id: str, secrets: VaultSecrets, username: str
    ) -> OpenVault:
        """The vault opened read-only with keys from ``open_keys`` (and ``readable_key``): no
        schema upgrade, no audit row, and SQLite refuses any write. For checking it."""
        engine = open_engine(self.database, secrets.database_key, read_only=True)
        try:
            with database_errors():
                actor = _actor_from_engine(engine, username.strip().casefold())
        except BaseException:
            engine.dispose()
            raise
        return OpenVault(self, keyring, engine, secrets, actor, slot_id)

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
            restored = self.folder.parent / f"{self.folder.name}-restored"
            lines.append(
                f"Restore it with: safehold-admin restore --from {source} --vault {restored} "
                f"--user {username} (or --recovery), or with “Restore from the latest "
                "backup…” on Safehold's sign-in screen, which sets the damaged files aside."
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
                keyring.backup_public_key,
                {"keyring": keyring.to_dict()},
            )

        return take

    def open_with_recovery_code(self, code: str) -> tuple[Keyring, VaultSecrets]:
        """The recovery code's slot, for resetting an administrator's password."""
        throttle = self.throttle()
        throttle.check()
        keyring = self.load_keyring()
        try:
            secrets, _ = keyring.open_slot(
                keyring.recovery_slot_id(), crypto.normalise_recovery_code(code)
            )
        except CryptoError:
            throttle.failed()
            raise WrongCredentials("The recovery code is not correct.") from None
        throttle.succeeded()
        return keyring, secrets


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


def _actor_from_engine(engine: Engine, username: str) -> Actor:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from casework.model import User

    with Session(engine) as session:
        user = session.execute(
            select(User).where(func.lower(User.username) == username, User.deleted_at.is_(None))
        ).scalar_one_or_none()
        if user is None:
            # A slot without an account: the account was removed but not its slot.
            raise WrongCredentials()
        if user.disabled_at is not None:
            raise AccountDisabled()
        return Actor(user.id, user.username, user.display_name or user.username, user.role_set())


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


class OpenVault:
    """An unlocked vault: keys in memory, an engine, and the signed-in user."""

    def __init__(
        self,
        folder: VaultFolder,
        keyring: Keyring,
        engine: Engine,
        secrets: VaultSecrets,
        actor: Actor,
        slot_id: str,
    ) -> None:
        self.folder = folder
        self.keyring = keyring
        self._engine: Engine | None = engine
        self._secrets: VaultSecrets | None = secrets
        self.actor = actor
        self.slot_id = slot_id
        from sqlalchemy import event
        from sqlalchemy.orm import sessionmaker

        self._sessions = sessionmaker(engine, expire_on_commit=False)
        event.listen(self._sessions, "before_flush", refuse_unstorable_text)

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
        with database_errors(), self.session() as session, session.begin():
            yield session

    def lock(self) -> None:
        """Dispose of the engine and forget the keys."""
        if self._engine is not None:
            self._engine.dispose()
        self._engine = None
        self._secrets = None
        self._sessions = type(self._sessions)()  # unbound: holds no engine

    # -- key management (the account services decide who may call these) -------------------

    def backup(
        self,
        label: str,
        folder: Path | None = None,
        name: str | None = None,
        progress: Progress | None = None,
    ) -> Path:
        """An encrypted, verified copy in the vault's backups folder (or ``folder``), with the
        keyring in its manifest so an administrator or the recovery code can restore it on a
        machine that never had the vault. ``progress(done, total)`` hears as it goes."""
        return write_backup(
            self.folder.database,
            self.secrets.database_key,
            folder or self.folder.folder / BACKUPS,
            label,
            self.keyring.keyring_id,
            self.keyring.backup_public_key,
            {"keyring": self.keyring.to_dict()},
            name,
            progress,
        )

    @property
    def backup_folder(self) -> Path:
        """Where backups go: the vault's own ``backups`` folder unless an administrator chose
        another (an external drive, say) for this machine."""
        return self.folder.chosen_backup_folder

    def set_backup_folder(self, folder: Path | None) -> None:
        self.actor.require(Role.ADMINISTRATOR)
        if folder is not None:
            make_private_folder(folder)
        write_private_file(
            self.folder.folder / SETTINGS,
            json.dumps({"backup_folder": str(folder) if folder else ""}).encode(),
        )

    def daily_backup_due(self) -> bool:
        return rotation.daily_due(self.backup_folder, datetime.now(UTC))

    def daily_backup(self) -> Path:
        """The automatic daily backup, then rotation (7 daily, 4 weekly, expired ones gone)."""
        written = self.backup(rotation.DAILY, self.backup_folder)
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
        folder = self.backup_folder
        if not folder.is_dir():
            return []
        names = sorted(p.name for p in folder.glob("safehold-*.db"))
        marker = folder / EXPIRED
        try:
            expired: dict[str, str] = json.loads(marker.read_text()) if marker.exists() else {}
        except (OSError, ValueError):
            expired = {}
        for name in names:
            expired.setdefault(name, reason)
        write_private_file(marker, json.dumps(expired, indent=1, sort_keys=True).encode())
        return names

    def change_own_password(self, old_password: str, new_password: str) -> None:
        keyring = Keyring.load(self.folder.keyring_path)
        try:
            _, private = keyring.open_slot(self.slot_id, old_password)
        except CryptoError:
            raise WrongCredentials("The current password is not correct.") from None
        keyring.change_password(self.slot_id, private, new_password, keyring.default_params)
        keyring.save(self.folder.keyring_path)
        self.keyring = keyring

    def set_user_slot(self, username: str, password: str, roles: frozenset[Role]) -> None:
        """Give a user a fresh slot (a new account, or an administrator's reset)."""
        audit_key, backup_key = grants_for(roles)
        keyring = Keyring.load(self.folder.keyring_path)
        secrets = self.secrets.restricted(audit=audit_key, backup=backup_key)
        keyring.set_slot(
            keyring.slot_id(username), "user", password, keyring.default_params, secrets
        )
        keyring.save(self.folder.keyring_path)
        self.keyring = keyring

    def regrant_slot(self, username: str, roles: frozenset[Role]) -> None:
        """After a role change, reseal the user's slot with the secrets the new roles carry."""
        keyring = Keyring.load(self.folder.keyring_path)
        slot_id = keyring.slot_id(username)
        if keyring.has_slot(slot_id):
            audit_key, backup_key = grants_for(roles)
            keyring.reseal(slot_id, self.secrets.restricted(audit=audit_key, backup=backup_key))
            keyring.save(self.folder.keyring_path)
            self.keyring = keyring

    def remove_slot_and_rekey(self, username: str) -> None:
        """Delete a user's slot and move the database to a new key, so that a copy of the old
        keyring no longer opens it. Remaining slots are resealed without their passwords."""
        current = self.secrets
        if current.audit_root_key is None or current.backup_private_key is None:
            raise PermissionDenied("Only an administrator can remove a user's access.")
        keyring = Keyring.load(self.folder.keyring_path)
        keyring.remove_slot(keyring.slot_id(username))
        new_secrets = VaultSecrets(
            os.urandom(crypto.KEY_BYTES), current.audit_root_key, current.backup_private_key
        )
        for slot_id in keyring.slot_ids():
            audit_key, backup_key = keyring.slot_grants(slot_id)
            keyring.reseal(slot_id, new_secrets.restricted(audit=audit_key, backup=backup_key))
        pending_path = self.folder.folder / PENDING_KEYRING
        keyring.save(pending_path)
        self.engine.dispose()
        connection = raw_connection(self.folder.database, current.database_key)
        try:
            connection.execute(
                key_pragma(new_secrets.database_key).replace("PRAGMA key", "PRAGMA rekey")
            )
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            connection.close()
        os.replace(pending_path, self.folder.keyring_path)
        self.keyring = keyring
        mine = keyring.slot_grants(self.slot_id) if keyring.has_slot(self.slot_id) else (True, True)
        self._secrets = new_secrets.restricted(audit=mine[0], backup=mine[1])
        self._engine = open_engine(self.folder.database, new_secrets.database_key)
        self._sessions = type(self._sessions)(self._engine, expire_on_commit=False)
        restrict_vault_files(self.folder.folder)
