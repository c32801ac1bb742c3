"""UI tests: real widgets over a real temporary vault, offscreen."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from casework.vault.vault import OpenVault, VaultFolder
from ui import jobs
from ui.models.caseload import CaseloadModel
from ui.windows.main_window import MainWindow


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[Callable[[VaultFolder], MainWindow]]:
    windows: list[MainWindow] = []

    def make(folder: VaultFolder) -> MainWindow:
        window = MainWindow(folder)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
    jobs.wait_for_all()


def sign_in(qtbot: QtBot, window: MainWindow, username: str, password: str) -> OpenVault:
    window.sign_in.username.setText(username)
    window.sign_in.password.setText(password)
    qtbot.mouseClick(window.sign_in.sign_in, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.vault is not None or bool(window.sign_in.error.text()), timeout=15000
    )
    assert window.vault is not None, window.sign_in.error.text()
    if window.workspace_view is not None and window.workspace_view.caseload is not None:
        wait_loaded(qtbot, window.workspace_view.caseload.model)
    return window.vault


def wait_loaded(qtbot: QtBot, model: CaseloadModel) -> None:
    """The caseload's id query runs in the background; wait for its answer."""
    qtbot.waitUntil(lambda: not model.loading, timeout=15000)
