"""UI tests: real widgets over a real temporary vault, offscreen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from casework.application.entrance import Entrance
from casework.application.types import CaseDetail
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import WORKER_PASSWORD
from tests.factories import record_survivor, unlock
from ui import changes, jobs, operations
from ui.models.caseload import CaseloadModel
from ui.operations import Operation
from ui.pickers import CodePicker
from ui.views.case.view import CaseView
from ui.views.workspace import WorkspaceView
from ui.windows.main_window import MainWindow

# The make_window fixture: a main window over a vault folder, shown, closed after the test.
MakeWindow = Callable[[VaultFolder], MainWindow]


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[MakeWindow]:
    windows: list[MainWindow] = []

    def make(folder: VaultFolder) -> MainWindow:
        window = MainWindow(Entrance(folder.folder))
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


# How long a test's background work may still run after the test before it is a failure.
LEFTOVER_WORK_MS = 15000


@pytest.fixture(autouse=True)
def _nothing_left_behind(qapp: QApplication) -> Iterator[None]:
    """Fail a test that leaves background work running, or a window open, once its own
    fixtures have closed what they opened: neither may leak into the next test."""
    yield
    if not jobs.wait_for_all(LEFTOVER_WORK_MS):
        pytest.fail(f"background work was still running {LEFTOVER_WORK_MS} ms after the test")
    qapp.processEvents()
    left = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    for window in left:
        window.close()
    if left:
        names = ", ".join(sorted(type(w).__name__ for w in left))
        pytest.fail(f"the test left windows open: {names}")


@pytest.fixture(autouse=True)
def _clicks_a_user_could_make(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every mouse click in the UI tests lands on a widget a user could click: on screen and
    enabled. (The Approvals page's buttons were clicked by the tests while never on screen.)"""
    real: Callable[..., None] = QtBot.mouseClick  # pytest-qt leaves it unannotated

    def click(widget: QWidget, *args: object, **kwargs: object) -> None:
        assert widget.isVisible(), f"clicked {widget.objectName() or widget!r}, not on screen"
        assert widget.isEnabled(), f"clicked {widget.objectName() or widget!r}, disabled"
        real(widget, *args, **kwargs)

    monkeypatch.setattr(QtBot, "mouseClick", staticmethod(click))


def saved(qtbot: QtBot, saving: Operation[object] | None) -> bool:
    """Wait for a save the UI ran off its thread; whether it was made (False when the form
    refused it before starting: ``None``)."""
    if saving is None:
        return False
    qtbot.waitUntil(lambda: saving.finished and not changes.pending(), timeout=15000)
    return saving.succeeded


def sign_in(qtbot: QtBot, window: MainWindow, username: str, password: str) -> OpenVault:
    window.sign_in.username.setText(username)
    window.sign_in.password.setText(password)
    qtbot.mouseClick(window.sign_in.sign_in, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.vault is not None or bool(window.sign_in.error.text()), timeout=15000
    )
    assert window.vault is not None, window.sign_in.error.text()
    assert isinstance(window.vault, OpenVault)  # MainWindow.vault is typed ``object``
    if window.workspace_view is not None and window.workspace_view.caseload is not None:
        wait_loaded(qtbot, window.workspace_view.caseload.model)
    return window.vault


def cell_text(table: QTableWidget, row: int, column: int) -> str:
    """The text of ``table``'s cell at ``row``, ``column``, which must hold an item."""
    item = table.item(row, column)
    assert item is not None, f"no item in row {row}, column {column}"
    return item.text()


def choose(qtbot: QtBot, picker: CodePicker, *names: str) -> None:
    """Choose each of ``names`` in a country or language picker as a user does: type it in the
    picker's box and press Enter."""
    for name in names:
        picker.finder.setFocus()
        qtbot.keyClicks(picker.finder, name)
        qtbot.keyClick(picker.finder, Qt.Key.Key_Return)


def workspace_of(window: MainWindow) -> WorkspaceView:
    """The window's workspace view, which must be there: for where a test's earlier narrowing
    of ``window.workspace_view`` (to None, before a sign-in) would outlive it, and lambdas."""
    assert window.workspace_view is not None
    return window.workspace_view


def look_at(qtbot: QtBot, view: CaseView, section: QWidget) -> None:
    """Open a section of the case, as the user clicks its name, and wait for what it reads
    (a section out of sight reads again only when it is shown)."""
    view.tabs.setCurrentWidget(section)
    qtbot.waitUntil(operations.settled, timeout=15000)


def wait_loaded(qtbot: QtBot, model: CaseloadModel) -> None:
    """The caseload's id query runs in the background; wait for its answer (and for a
    change just made to have been announced: the reload it starts comes next)."""
    qtbot.waitUntil(lambda: not changes.pending() and not model.loading, timeout=15000)


def answering(monkeypatch: pytest.MonkeyPatch, answer: QMessageBox.StandardButton) -> list[str]:
    """Every question box answers ``answer``, as the user would click it; the titles of the
    questions asked, in order."""
    asked: list[str] = []

    def question(_parent: object, title: str, *_args: object) -> QMessageBox.StandardButton:
        asked.append(title)
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def case_of_amina_as(
    qtbot: QtBot,
    make_window: MakeWindow,
    folder: VaultFolder,
    today: date,
    user: tuple[str, str] = ("amina", WORKER_PASSWORD),
    **fields: Any,
) -> tuple[CaseView, CaseDetail]:
    """A case Amina records with ``fields``, opened in a window signed in as ``user``."""
    amina = unlock(folder, "amina", WORKER_PASSWORD)
    case = record_survivor(amina, today, **fields)
    amina.lock()
    return open_case_as(qtbot, make_window, folder, *user, case.case_id), case


def open_case_as(
    qtbot: QtBot, make_window: MakeWindow, folder: VaultFolder, user: str, password: str, case: str
) -> CaseView:
    window = make_window(folder)
    sign_in(qtbot, window, user, password)
    assert window.workspace_view is not None
    window.workspace_view.open_case(case)
    view = window.workspace_view.detail.currentWidget()
    assert isinstance(view, CaseView)
    return view
