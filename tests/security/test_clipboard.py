"""Issue 16, attack 10: copied case text leaves the clipboard and the X11 primary selection,
and clipboard managers are told to keep no history of it (as KeePassXC does)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import WORKER_PASSWORD
from tests.ui.conftest import MakeWindow, make_window, sign_in

__all__ = ["make_window"]  # the fixture, used by name


def test_copied_case_text_leaves_the_clipboard(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    from PySide6.QtGui import QGuiApplication

    window = make_window(vault_folder)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    clipboard = QGuiApplication.clipboard()
    window.clipboard_guard._timer.setInterval(200)  # the 30 seconds, shortened for the test
    clipboard.setText("Olena Kovalenko, +380 67 123 4567")
    qtbot.waitUntil(lambda: clipboard.text() == "", timeout=5000)
    clipboard.setText("Copied again, then locked")
    # Marked sensitive at once, so clipboard managers keep no history of it.
    qtbot.waitUntil(
        lambda: clipboard.mimeData().hasFormat("x-kde-passwordManagerHint"), timeout=2000
    )
    # QByteArray has the buffer protocol; PySide6's stubs leave it out.
    assert bytes(clipboard.mimeData().data("x-kde-passwordManagerHint")) == b"secret"  # type: ignore[call-overload]
    assert clipboard.text() == "Copied again, then locked"
    window.lock()
    assert clipboard.text() == ""


def test_the_primary_selection_is_cleared_too(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    """X11's primary selection (select, then middle-click to paste) holds selected case text
    as well; it goes at lock like the clipboard. Only where the platform has one (xcb)."""
    from PySide6.QtGui import QClipboard, QGuiApplication

    clipboard = QGuiApplication.clipboard()
    if not clipboard.supportsSelection():
        pytest.skip("this Qt platform has no primary selection (run under xvfb-run)")
    window = make_window(vault_folder)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    clipboard.setText("Olena Kovalenko", QClipboard.Mode.Selection)
    qtbot.waitUntil(lambda: clipboard.text(QClipboard.Mode.Selection) != "", timeout=2000)
    window.lock()
    assert clipboard.text(QClipboard.Mode.Selection) == ""
