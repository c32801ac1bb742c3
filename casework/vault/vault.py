"""A vault is one folder: ``safehold.db`` (SQLCipher), ``keyring.json`` and ``backups/``.

``VaultFolder`` is a vault at rest: it can be created, checked, restored into or opened. The
vault it opens is an ``OpenVault`` (casework.vault.opened), which holds the keys and the engine
until ``lock()`` forgets them.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from casework.errors import (
    VaultDamaged,
    VaultExists,
    VaultNotFound,
    WrongCredentials,
)
from casework.vault import crypto, rotation
from casework.vault.backup import write_backup
from casework.vault.crypto import CryptoError, KdfParams
from casework.vault.engine import (
    open_engine,
    raw_connection,
)
from casework.vault.files import make_private_folder, restrict_vault_files
from casework.vault.keyring import (
    Keyring,
    KeyringError,
    OpenedSlot,
    VaultSecrets,
    trust_slot,
)
from casework.vault.layout import (
    BACKUPS,
    DATABASE,
    KEYRING,
    PENDING_KEYRING,
    SETTINGS,
    THROTTLE,
)
from casework.vault.opened import OpenVault, Unsettled, backup_public_key, database_errors
from casework.vault.throttle import UnlockThrottle

if TYPE_CHECKING:  # SQLAlchemy and the model load when a vault opens, not at start-up
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session


log = logging.getLogger(__name__)

# The app's sign-in reads a database this small whole, to authenticate every page before it
# writes (0.3 s here, about 4,000 cases); a larger one is left to verify and the audit screen.
CHECK_AT_SIGN_IN_BYTES = 128 * 2**20
# A manifest dated further ahead than this is not believed (a clock a day off is).
FUTURE_TOLERANCE = timedelta(days=1)


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
        return OpenVault(self, keyring, engine, secrets, name, slot_id, Unsettled(opened, pending))

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
