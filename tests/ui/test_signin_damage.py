"""The sign-in screen on a damaged vault (Safehold issue 15): it says what is wrong, from when
the newest backup is and how to restore it, offers the restore, and writes nothing first."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import ADMIN_PASSWORD
from tests.ui.conftest import MakeWindow
from ui.windows.main_window import MainWindow


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def attempt(qtbot: QtBot, window: MainWindow, username: str, password: str) -> str:
    window.sign_in.username.setText(username)
    window.sign_in.password.setText(password)
    qtbot.mouseClick(window.sign_in.sign_in, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(window.sign_in.error.text()), timeout=15000)
    return str(window.sign_in.error.text())


def test_a_damaged_database_is_refused_before_sign_in_writes_to_it(
    qtbot: QtBot, make_window: MakeWindow, admin_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    backup = admin_vault.backup("manual")
    admin_vault.checkpoint()
    admin_vault.lock()
    data = bytearray(vault_folder.database.read_bytes())
    data[2 * 4096 + 100] ^= 0x5A  # one byte of page 3
    vault_folder.database.write_bytes(bytes(data))
    before = digest(vault_folder.database)
    window = make_window(vault_folder)
    shown = attempt(qtbot, window, "admin", ADMIN_PASSWORD)
    created = json.loads(backup.with_suffix(".json").read_text())["created_at"]
    assert shown.startswith("The vault's database is damaged: page 3")
    assert f"The newest good backup is from {created[:16].replace('T', ' ')} UTC." in shown
    assert window.vault is None
    assert window.sign_in.restore_button.isVisibleTo(window)
    assert digest(vault_folder.database) == before
    dialog = window.sign_in.open_restore()
    assert dialog.path.text() == str(backup)
    dialog.reject()


def test_a_damaged_keyring_is_said_plainly_and_offers_the_restore(
    qtbot: QtBot, make_window: MakeWindow, admin_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    admin_vault.lock()
    data = json.loads(vault_folder.keyring_path.read_text())
    data["kdf_default"]["memory_kib"] = 4 * 1024**3  # 4 TiB
    vault_folder.keyring_path.write_text(json.dumps(data))
    window = make_window(vault_folder)
    shown = attempt(qtbot, window, "admin", ADMIN_PASSWORD)
    assert shown.startswith("The vault's keyring.json is damaged")
    assert "Reference" not in shown  # a known error, not "something went wrong"
    assert window.sign_in.restore_button.isVisibleTo(window)


def test_a_vault_in_use_says_so_and_never_offers_its_replacement(
    qtbot: QtBot,
    make_window: MakeWindow,
    admin_vault: OpenVault,
    vault_folder: VaultFolder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another program holds the database: that is "in use", not damage, and replacing the vault
    from a backup would throw away everything since."""
    from casework.vault import engine

    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 200)
    other = engine.raw_connection(vault_folder.database, admin_vault.secrets.database_key)
    admin_vault.lock()
    window = make_window(vault_folder)
    try:
        other.execute("PRAGMA locking_mode = EXCLUSIVE")
        other.execute("BEGIN EXCLUSIVE")
        shown = attempt(qtbot, window, "admin", ADMIN_PASSWORD)
    finally:
        other.rollback()
        other.close()
    assert shown.startswith("The vault is in use by another Safehold window or program")
    assert window.vault is None
    assert not window.sign_in.restore_button.isVisibleTo(window)
