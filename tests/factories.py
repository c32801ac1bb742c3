"""What the tests make, written once: vaults created and signed in to as the application layer
does it, and a survivor recorded through the services as the app records one (the acting
user's own vault, one write transaction)."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from casework.errors import VaultExists
from casework.model.actor import Actor
from casework.services import accounts, cases
from casework.services.erasure import erase_again
from casework.vault.crypto import KdfParams
from casework.vault.opened import OpenVault
from casework.vault.restore import RestoreReport, restore_backup
from casework.vault.vault import NewVault, VaultFolder

_actors: weakref.WeakKeyDictionary[OpenVault, Actor] = weakref.WeakKeyDictionary()


def actor_of(vault: OpenVault) -> Actor:
    """The account signed in to ``vault`` (looked up once), as the entrance finds it."""
    actor = _actors.get(vault)
    if actor is None:
        actor = _actors[vault] = accounts.signed_in(vault)
    return actor


def unlock(
    folder: VaultFolder, username: str, password: str, *, check_first: bool = False
) -> OpenVault:
    """``folder`` signed in to as the app's entrance does it (the account checked, the
    sign-in's audit row written), its vault returned (lock it when done)."""
    from casework.application.entrance import Entrance

    desk = Entrance(folder.folder).sign_in(username, password, check_first=check_first)
    _actors[desk.vault] = desk.actor
    return desk.vault


def create_vault(
    folder: VaultFolder,
    *,
    org_name: str,
    country: str,
    province: str = "",
    admin_username: str,
    admin_password: str,
    admin_display_name: str = "",
    kdf: KdfParams | None = None,
) -> NewVault:
    """A new vault with its organisation and first administrator, checked as the entrance
    checks them."""
    if folder.exists():
        raise VaultExists()
    first = accounts.FirstAdministrator.checked(
        org_name, country, province, admin_username, admin_password, admin_display_name
    )
    return folder.create(
        username=first.username, password=admin_password, first_rows=first.write, kdf=kdf
    )


def restore_file(
    backup: Path,
    target: Path,
    password: str,
    username: str | None = None,
    folders: Sequence[Path] = (),
    anchor_folders: Sequence[Path] = (),
) -> RestoreReport:
    """One backup file restored as the entrance restores it (the erasure ledger applied)."""
    return restore_backup(
        backup, target, password, username, folders, anchor_folders, erase_again=erase_again
    )


def record_survivor(vault: OpenVault, today: date, **fields: Any) -> cases.CaseDetail:
    """A new case recorded by ``vault``'s user at ``today``; ``fields`` are SurvivorInput's
    (a first name is filled in when none is given, the intake date defaults to ``today``)."""
    fields.setdefault("first_name", "Olena")
    fields.setdefault("intake_date", today)
    with vault.transaction() as session:
        return cases.record_survivor(session, actor_of(vault), cases.SurvivorInput(**fields), today)
