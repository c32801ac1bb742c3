"""A caseworker's day from the keyboard: menus with mnemonics, shortcuts for the frequent
actions, Tab out of the caseload, F6 between panes, the list of shortcuts under Help; while
locked the menus offer nothing that reaches the vault."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu, QTableWidget, QToolButton
from pytestqt.qtbot import QtBot

from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import WORKER_PASSWORD
from tests.factories import record_survivor, unlock
from tests.ui.conftest import MakeWindow, cell_text, sign_in, wait_loaded
from ui.views.case.view import CaseView
from ui.views.intake import IntakeForm
from ui.windows.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def visible_menus(window: MainWindow) -> list[str]:
    return [a.text() for a in window.menuBar().actions() if a.isVisible()]


def entries(menu: QMenu) -> list[str]:
    return [a.text() for a in menu.actions() if a.isVisible() and not a.isSeparator()]


def press(
    qtbot: QtBot,
    window: MainWindow,
    key: Qt.Key,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    """A key pressed where the focus is, as a user presses it (shortcuts included)."""
    qtbot.keyClick(QApplication.focusWidget() or window, key, modifiers)


def test_locked_the_menus_offer_only_quit_and_help(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    window = make_window(vault_folder)
    assert visible_menus(window) == ["&File", "&Help"]
    assert entries(window.menus.file_menu) == ["&Quit"]
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    assert visible_menus(window) == ["&File", "&Case", "&Go", "&Help"]
    assert "&New survivor" in entries(window.menus.file_menu)
    button = window.toolbar.widgetForAction(window.new_action)
    assert isinstance(button, QToolButton) and button.text() == "New survivor"
    window.lock()
    assert visible_menus(window) == ["&File", "&Help"]
    assert entries(window.menus.file_menu) == ["&Quit"]


def test_a_case_recorded_noted_and_browsed_from_the_keyboard(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    record_survivor(amina, today, first_name="Ines")
    amina.lock()
    window = make_window(vault_folder)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    view = window.workspace_view
    assert view is not None and view.caseload is not None
    wait_loaded(qtbot, view.caseload.model)
    assert not window.menus.note_action.isEnabled()  # no case on screen yet

    # Tab leaves the caseload (arrows move inside it).
    view.caseload.table.setFocus()
    press(qtbot, window, Qt.Key.Key_Tab)
    assert not view.caseload.table.hasFocus()

    press(qtbot, window, Qt.Key.Key_N, CTRL)
    form = view.detail.currentWidget()
    assert isinstance(form, IntakeForm) and window.menus.save_action.isEnabled()
    qtbot.keyClicks(form.fields.first_name, "Olena")
    press(qtbot, window, Qt.Key.Key_S, CTRL)
    case = view.detail.currentWidget()
    assert isinstance(case, CaseView) and case.title.text() == "Olena"
    assert window.menus.note_action.isEnabled()

    press(qtbot, window, Qt.Key.Key_N, CTRL | SHIFT)
    assert case.tabs.currentWidget() is case.notes and case.notes.body.hasFocus()
    qtbot.keyClicks(case.notes.body, "Called; all well")
    press(qtbot, window, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: case.notes.list.count() == 1)

    press(qtbot, window, Qt.Key.Key_PageDown, CTRL)
    assert case.tabs.currentWidget() is case.tasks
    press(qtbot, window, Qt.Key.Key_PageUp, CTRL)
    assert case.tabs.currentWidget() is case.notes

    wait_loaded(qtbot, view.caseload.model)
    view.caseload.select(case.case_id)
    names = set()
    for _ in range(2):
        press(qtbot, window, Qt.Key.Key_Period, CTRL)
        shown = view.detail.currentWidget()
        assert isinstance(shown, CaseView)
        names.add(shown.title.text())
    assert "Ines" in names  # the other case of her caseload, opened by the next-case key


def test_f6_moves_between_the_panes_and_help_lists_the_shortcuts(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    window = make_window(vault_folder)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    view = window.workspace_view
    assert view is not None and view.caseload is not None
    window.search_box.setFocus()
    press(qtbot, window, Qt.Key.Key_F6)
    assert view.caseload.table.hasFocus()
    press(qtbot, window, Qt.Key.Key_F6)
    focused = QApplication.focusWidget()
    assert focused is not None and view.detail.isAncestorOf(focused)
    press(qtbot, window, Qt.Key.Key_F6)
    assert window.search_box.hasFocus()
    press(qtbot, window, Qt.Key.Key_F6, SHIFT)
    focused = QApplication.focusWidget()
    assert focused is not None and view.detail.isAncestorOf(focused)

    window.menus.shortcuts_action.trigger()
    dialog = window.menus.shortcuts_dialog
    assert dialog.isVisible()
    table = dialog.findChild(QTableWidget, "shortcuts")
    assert table is not None
    rows = {(cell_text(table, r, 1), cell_text(table, r, 2)) for r in range(table.rowCount())}
    assert ("New survivor", "Ctrl+N") in rows and ("Next pane", "F6") in rows
    assert ("Add a note", "Ctrl+Shift+N") in rows
