"""What the audit screen's check tells a supervisor or an administrator about the attacks of
issue 16: slots planted in keyring.json (an administrator can tell), and an audit trail rolled
back behind its anchor."""

from __future__ import annotations

import shutil
from pathlib import Path

from pytestqt.qtbot import QtBot

from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import ADMIN_PASSWORD, SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import unlock
from tests.security.attacker import plant_slot
from tests.ui.conftest import MakeWindow, make_window, sign_in
from ui import operations
from ui.views.audit import AuditView

__all__ = ["make_window"]  # the fixture, used by name


def check_on_screen(qtbot: QtBot, window: object) -> str:
    from PySide6.QtCore import Qt

    action = window.audit_action  # type: ignore[attr-defined]
    assert action.isVisible() and action.isEnabled()
    action.trigger()
    audit = window.workspace_view.detail.currentWidget()  # type: ignore[attr-defined]
    assert isinstance(audit, AuditView)
    qtbot.waitUntil(lambda: not audit.loading, timeout=15000)
    assert audit.verify_button.isVisible() and audit.verify_button.isEnabled()
    qtbot.mouseClick(audit.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not operations.running(audit.verifying), timeout=30000)
    return audit.result.text()


def test_an_administrator_is_shown_slots_that_do_not_verify(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    staffed_vault.lock()
    plant_slot(vault_folder.keyring_path)
    window = make_window(vault_folder)
    sign_in(qtbot, window, "admin", ADMIN_PASSWORD)
    told = check_on_screen(qtbot, window)
    assert "1 sign-in slot(s) in keyring.json do not verify" in told


def test_a_supervisor_is_shown_a_database_rolled_back_behind_its_anchor(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    tmp_path: Path,
) -> None:
    staffed_vault.checkpoint()
    staffed_vault.lock()
    shutil.copy(vault_folder.database, tmp_path / "old.db")
    unlock(vault_folder, "amina", WORKER_PASSWORD).lock()
    unlock(vault_folder, "sara", SUPERVISOR_PASSWORD).lock()  # the anchor moves on
    shutil.copy(tmp_path / "old.db", vault_folder.database)
    for sidecar in ("-wal", "-shm"):
        Path(f"{vault_folder.database}{sidecar}").unlink(missing_ok=True)
    window = make_window(vault_folder)
    sign_in(qtbot, window, "sara", SUPERVISOR_PASSWORD)
    told = check_on_screen(qtbot, window)
    assert "behind its anchor" in told and "rolled back" in told
