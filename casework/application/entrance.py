"""The entrance: what happens before anyone signs in to a vault folder.

Is there a vault here; create one (its first administrator and organisation); sign in; how
long to wait after failed attempts; the newest good backup; restore a backup into an empty
folder; replace a damaged vault by its newest good backup. The sign-in screen, the first-run
screen, the restore dialog and ``safehold-admin`` all come in through here, so each of these
use cases is written once and can be tested without Qt.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from casework.errors import CaseworkError, VaultExists, VaultNotDamaged, VaultNotFound
from casework.vault.crypto import KdfParams
from casework.vault.restore import (
    BackupUnusable,
    RestoreReport,
    manifest_keyring,
    read_manifest,
    restore_newest,
)
from casework.vault.vault import VaultFolder

if TYPE_CHECKING:  # the desk (the services, SQLAlchemy) loads at sign-in, not before
    from sqlalchemy.orm import Session

    from casework.application.desk import Desk
    from casework.services.integrity import FolderReport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Created:
    """A new vault: its first administrator's desk, and the recovery code to show once."""

    desk: Desk
    recovery_code: str


@dataclass(frozen=True)
class Replaced:
    """A damaged vault replaced by a backup: what came back, and where the damaged files are."""

    report: RestoreReport
    aside: Path

    def describe(self) -> str:
        return f"{self.report.describe()} The damaged files are kept, unchanged, in {self.aside}."


def _keyring_id_of(backup: Path) -> str | None:
    try:
        value = read_manifest(backup).get("keyring_id")
    except CaseworkError:
        return None
    return value if isinstance(value, str) else None


def _erase_again(session: Session, survivor_ids: set[str]) -> int:
    from casework.services.erasure import erase_again

    return erase_again(session, survivor_ids)


class Entrance:
    """One vault folder, before sign-in."""

    def __init__(self, folder: Path) -> None:
        self._vault = VaultFolder(Path(folder))

    @property
    def folder(self) -> Path:
        return self._vault.folder

    def exists(self) -> bool:
        return self._vault.exists()

    def seconds_to_wait(self) -> float:
        """How long the sign-in must wait after failed attempts (0 when it need not)."""
        return self._vault.throttle().seconds_to_wait()

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
    ) -> Created:
        """A new vault here, with its organisation and first administrator, signed in."""
        from casework.application.desk import Desk
        from casework.services import accounts

        if self.exists():
            raise VaultExists()
        first = accounts.FirstAdministrator.checked(
            org_name, country, province, admin_username, admin_password, admin_display_name
        )
        made = self._vault.create(
            username=first.username, password=admin_password, first_rows=first.write, kdf=kdf
        )
        return Created(Desk(made.vault, accounts.signed_in(made.vault)), made.recovery_code)

    def sign_in(self, username: str, password: str, *, check_first: bool = True) -> Desk:
        """The user's desk. The password is checked at the keyring; the database is checked
        (read-only) before anything is written to it, so a damaged vault is refused as it was
        found, with what is wrong and the way back (``check_first=False``: safehold-admin's
        commands, which leave that to verify); then the account must exist and be enabled,
        and only then is anything written: the keyring's upkeep, the sign-in's audit row, the
        audit anchor."""
        from casework.application.desk import Desk
        from casework.services import accounts

        vault = self._vault.open(username, password, check_first=check_first)
        try:
            actor = accounts.signed_in(vault)
            vault.settle()
            accounts.record_sign_in(vault, actor)
            vault.refresh_anchor()
        except BaseException:
            vault.lock()
            raise
        return Desk(vault, actor)

    def reset_with_recovery_code(self, code: str, username: str, new_password: str) -> None:
        """The office-safe recovery: the recovery code sets a new password for an account
        (an administrator's, when no administrator can sign in)."""
        from casework.services import accounts

        accounts.reset_password_with_recovery_code(self._vault, code, username, new_password)

    def verify(self, username: str, password: str) -> FolderReport:
        """The vault checked at rest, read-only (safehold-admin verify): nothing is written,
        a damaged database included."""
        from casework.services import integrity

        return integrity.verify_folder(self._vault, username, password)

    def latest_backup(self) -> Path | None:
        """The newest good backup's file, as far as can be told before signing in."""
        return self._vault.latest_backup()

    def damage_lines(self, problem: str, *, for_app: bool, username: str = "NAME") -> list[str]:
        return self._vault.damage_lines(problem, for_app=for_app, username=username)

    def _candidates(self, backup: Path | None) -> list[Path]:
        """``backup``, or (None) this vault's backups newest first: restore takes the newest
        that authenticates once opened."""
        if backup is not None:
            return [Path(backup)]
        return [entry.path for entry in self._vault.backup_candidates()]

    def restore(
        self,
        backup: Path | None,
        secret: str,
        username: str | None,
        *,
        homes: Sequence[Path] = (),
    ) -> RestoreReport:
        """Restore ``backup`` (None: this vault's newest good one) into this folder, which
        must hold no vault. ``username`` is an administrator whose password ``secret`` is, or
        None for the recovery code. The expiry lists and erasure ledgers of every backup
        folder this vault has used, and of the vaults in ``homes`` (the vault usually kept on
        this machine, when restoring somewhere else), apply to what is restored."""
        folders = list(self._vault.backup_folders_used())
        anchors: list[Path] = []
        for home in homes:
            other = VaultFolder(Path(home))
            if other.exists() and other.folder.resolve() != self.folder.resolve():
                folders += [f for f in other.backup_folders_used() if f not in folders]
                anchors.append(other.folder)
        return restore_newest(
            self._candidates(backup),
            self.folder,
            secret,
            username,
            folders,
            anchors,
            erase_again=_erase_again,
        )

    def replace_damaged(self, backup: Path | None, secret: str, username: str | None) -> Replaced:
        """Replace the damaged vault here by ``backup`` (None: its newest good backup).

        Only a vault that is damaged: it is checked first, read-only, with the credentials
        given (which must open its keyring, if that reads), and a sound one is refused; so is
        a backup of another vault. The backup is checked before anything moves; the damaged
        files are then set aside, unchanged, in a new folder beside this one (nothing is
        deleted), and the restore reads their audit anchor and every backup folder the vault
        used, whose expiry lists and erasure ledgers apply to what is restored. If the restore
        fails, the damaged files are put back exactly as they were."""
        if not self.exists():
            raise VaultNotFound()
        problem = self._vault.damage_found(secret, username)
        if problem is None:
            raise VaultNotDamaged()
        ours = self._vault.keyring_id()
        candidates = self._candidates(backup)
        if ours is not None:  # a backup of another vault never replaces this one
            theirs = _keyring_id_of(candidates[0]) if backup is not None else ours
            if theirs is not None and theirs != ours:
                raise BackupUnusable(
                    "That backup is of another vault, not of this one. Nothing was changed."
                )
            candidates = [c for c in candidates if _keyring_id_of(c) == ours]
        if not candidates:
            raise BackupUnusable("No backup of this vault was found; choose a backup file.")
        manifest_keyring(read_manifest(candidates[0]))  # an unusable file moves nothing
        used = self._vault.backup_folders_used()
        aside = self._vault.set_aside()
        try:
            report = restore_newest(
                candidates, self.folder, secret, username, used, [aside], erase_again=_erase_again
            )
        except BaseException:
            for moved in aside.iterdir():  # the folder is new: all in it was moved from here
                moved.replace(self.folder / moved.name)
            aside.rmdir()
            raise
        log.info("a damaged vault was replaced by a backup; the damaged files are kept aside")
        return Replaced(report, aside)
