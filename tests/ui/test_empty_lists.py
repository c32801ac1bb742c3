"""An empty list in a case says what to do instead of showing a blank box, and the actions on a
selected row wait until there is one to act on."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.ui.conftest import MakeWindow, case_of_amina_as, cell_text

LEFT = Qt.MouseButton.LeftButton


def test_an_empty_list_says_what_to_do_and_row_actions_wait_for_a_row(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
) -> None:
    view, _case = case_of_amina_as(qtbot, make_window, vault_folder, today, first_name="Esi")
    for section in (view.tasks, view.consent, view.referrals, view.attachments):
        view.tabs.setCurrentWidget(section)
        assert section.list.rowCount() == 0
        assert section.list.empty_text and section.list.accessibleDescription()
    view.tabs.setCurrentWidget(view.tasks)
    tasks = view.tasks
    assert not tasks.complete_button.isEnabled()  # nothing to mark done yet
    qtbot.keyClicks(tasks.title, "Call the lawyer")
    qtbot.keyClick(tasks.title, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tasks.list.rowCount() == 1, timeout=10000)
    assert tasks.list.accessibleDescription() == ""
    assert not tasks.complete_button.isEnabled()  # a task, but none chosen
    tasks.list.selectRow(0)
    assert tasks.complete_button.isEnabled()
    qtbot.mouseClick(tasks.complete_button, LEFT)
    qtbot.waitUntil(lambda: cell_text(tasks.list, 0, 3) == "Done", timeout=10000)
