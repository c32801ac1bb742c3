"""Every screen fits the smallest room people have: a 1920×1080 screen at 150% leaves 1280×720
logical pixels, less the window manager's frame and title bar (a 1366×768 laptop at 100% has
more). A screen that asks for more than that, as its minimum size, pushes the window off the
screen; one that only wants more scrolls within its place."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import ADMIN_PASSWORD, SUPERVISOR_PASSWORD
from tests.ui.conftest import MakeWindow, case_of_amina_as, look_at, sign_in
from ui import operations, style
from ui.windows.main_window import FRAME, MainWindow, default_size

ROOM = QSize(1280, 720) - FRAME


@pytest.fixture(autouse=True)
def _the_apps_look(qapp: QApplication) -> Iterator[None]:
    """Sizes as the app has them: its style sheet pads and sizes the widgets (restored after)."""
    before, sheet = qapp.palette(), qapp.styleSheet()
    style.apply(qapp)
    yield
    qapp.setPalette(before)
    qapp.setStyleSheet(sheet)


def fits(window: MainWindow, where: str) -> None:
    needed = window.minimumSizeHint()
    assert needed.width() <= ROOM.width() and needed.height() <= ROOM.height(), (
        f"{where} needs {needed.width()}×{needed.height()}, the screen has "
        f"{ROOM.width()}×{ROOM.height()}"
    )


def test_the_first_window_is_no_larger_than_the_screen(qapp: QApplication) -> None:
    screen = qapp.primaryScreen()
    room = screen.availableGeometry().size() - FRAME
    first = default_size(screen)
    assert first.width() <= room.width() and first.height() <= room.height()
    assert default_size(None) == QSize(1320, 800)  # no screen known: the default itself


def test_every_section_of_a_case_and_the_supervisors_pages_fit(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
) -> None:
    view, _case = case_of_amina_as(
        qtbot,
        make_window,
        vault_folder,
        today,
        user=("sara", SUPERVISOR_PASSWORD),
        first_name="Esi",
    )
    window = view.window()
    assert isinstance(window, MainWindow)
    window.resize(ROOM)
    look_at(qtbot, view, view.overview)
    # nothing on the Overview is cut at the side: it scrolls down, never across
    overview = view.overview
    needed, room = overview.body.minimumSizeHint().width(), overview.scroller.viewport().width()
    assert needed <= room, f"the Overview needs {needed} px across and has {room}"
    for index in range(view.tabs.count()):
        section = view.tabs.widget(index)
        assert section is not None
        look_at(qtbot, view, section)
        fits(window, f"the case's {view.tabs.tabText(index)}")
    for action in ("dashboard", "tasks", "shelter", "calendar", "audit"):
        getattr(window, f"{action}_action").trigger()
        qtbot.waitUntil(operations.settled, timeout=15000)
        fits(window, action)
    intake = window.workspace_view
    assert intake is not None
    intake.new_survivor()
    fits(window, "the intake form")


def test_the_administrators_pages_fit(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    window = make_window(vault_folder)
    sign_in(qtbot, window, "admin", ADMIN_PASSWORD)
    fits(window, "administration")
    window.reporting_action.trigger()
    fits(window, "reporting")
