"""The main window's menu bar: every action a desktop user looks for, with Alt mnemonics and
shortcuts, sharing its actions with the toolbar (one action, one state, wherever it shows).

File, Case, Go and Help. The Case menu acts on the case on screen and is enabled only while
one is; Go moves between the places of the app and between the window's panes (F6). Help
lists every shortcut, read from the menus themselves, so the list cannot drift from them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMenu,
    QMenuBar,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

import casework

if TYPE_CHECKING:
    from ui.windows.main_window import MainWindow


def tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


def _action(
    window: MainWindow, text: str, shortcut: str | QKeySequence.StandardKey | None = None
) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    window.addAction(action)  # its shortcut works while the menu bar is hidden too
    return action


def _fill(menu: QMenu, *actions: QAction | None) -> None:
    """``actions`` in ``menu``, a separator for each None."""
    for action in actions:
        if action is None:
            menu.addSeparator()
        else:
            menu.addAction(action)


class Menus:
    """The menu bar of ``window`` and the actions only it has (the rest are the window's)."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        bar: QMenuBar = window.menuBar()
        # Mnemonics: the toolbar shows the same text without the ampersand.
        for action, text in (
            (window.new_action, tr("&New survivor")),
            (window.lock_action, tr("&Lock")),
            (window.tasks_action, tr("My &tasks")),
            (window.shelter_action, tr("&Shelter")),
            (window.partners_action, tr("&Partners")),
            (window.calendar_action, tr("&Calendar")),
            (window.approvals_action, tr("&Approvals")),
            (window.dashboard_action, tr("&Dashboard")),
            (window.audit_action, tr("A&udit")),
            (window.reports_action, tr("&Print…")),
            (window.import_action, tr("&Import…")),
            (window.reporting_action, tr("&Reporting")),
            (window.admin_action, tr("Ad&ministration")),
            (window.password_action, tr("Change &my password…")),
        ):
            action.setIconText(action.text())
            action.setText(text)
        window.password_action.setIconText(tr("My password…"))  # whose, on the toolbar too
        window.reports_action.setShortcut(QKeySequence("Ctrl+P"))
        window.addAction(window.reports_action)

        self.quit_action = _action(window, tr("&Quit"), "Ctrl+Q")
        self.quit_action.triggered.connect(window.close)
        file = self.file_menu = bar.addMenu(tr("&File"))
        file.addAction(window.new_action)
        file.addAction(window.import_action)
        file.addAction(window.reports_action)
        file.addSeparator()
        file.addAction(window.password_action)
        file.addAction(window.lock_action)
        file.addSeparator()
        file.addAction(self.quit_action)

        self.save_action = _action(window, tr("&Save"), QKeySequence.StandardKey.Save)
        self.note_action = _action(window, tr("Add a &note"), "Ctrl+Shift+N")
        self.correct_action = _action(window, tr("&Correct the record…"), "Ctrl+E")
        self.next_case_action = _action(window, tr("Ne&xt case"), "Ctrl+.")
        self.previous_case_action = _action(window, tr("Pre&vious case"), "Ctrl+,")
        self.next_section_action = _action(window, tr("Next s&ection"), "Ctrl+PgDown")
        self.previous_section_action = _action(window, tr("Previous sec&tion"), "Ctrl+PgUp")
        self.case_menu = case = bar.addMenu(tr("&Case"))
        _fill(
            case,
            self.save_action,
            self.note_action,
            self.correct_action,
            None,
            self.next_case_action,
            self.previous_case_action,
            self.next_section_action,
            self.previous_section_action,
        )
        self._on_view("save_current", self.save_action)
        self._on_view("add_note", self.note_action)
        self._on_view("correct_record", self.correct_action)
        self._on_view("next_case", self.next_case_action, 1)
        self._on_view("next_case", self.previous_case_action, -1)
        self._on_view("next_section", self.next_section_action, 1)
        self._on_view("next_section", self.previous_section_action, -1)

        self.caseload_action = _action(window, tr("Case&load"), "Ctrl+1")
        self.refresh_action = _action(window, tr("&Refresh"), QKeySequence.StandardKey.Refresh)
        self.next_pane_action = _action(window, tr("Next &pane"), "F6")
        self.previous_pane_action = _action(window, tr("Previous pa&ne"), "Shift+F6")
        self.search_action = window.search_action
        self.search_action.setText(tr("&Find…"))
        self._on_view("focus_caseload", self.caseload_action)
        self._on_view("refresh", self.refresh_action)
        self.next_pane_action.triggered.connect(lambda: self.window.move_between_panes(1))
        self.previous_pane_action.triggered.connect(lambda: self.window.move_between_panes(-1))
        go = self.go_menu = bar.addMenu(tr("&Go"))
        _fill(
            go,
            self.caseload_action,
            window.tasks_action,
            window.shelter_action,
            window.calendar_action,
            window.partners_action,
            window.dashboard_action,
            window.approvals_action,
            window.audit_action,
            window.reporting_action,
            window.admin_action,
            None,
            self.search_action,
            self.refresh_action,
            self.next_pane_action,
            self.previous_pane_action,
        )

        self.shortcuts_action = _action(
            window, tr("&Keyboard shortcuts"), QKeySequence.StandardKey.HelpContents
        )
        self.shortcuts_action.triggered.connect(lambda: self.show_shortcuts())
        self.about_action = _action(window, tr("&About Safehold"))
        self.about_action.triggered.connect(lambda: self.show_about())
        self.help_menu = bar.addMenu(tr("&Help"))
        self.help_menu.addAction(self.shortcuts_action)
        self.help_menu.addAction(self.about_action)
        self.locked()

    def _on_view(self, name: str, action: QAction, *args: object) -> None:
        """``action`` calls the workspace's ``name`` (while someone is signed in)."""

        def call() -> None:
            view = self.window.workspace_view
            if view is not None:
                method: Callable[..., object] = getattr(view, name)
                method(*args)

        action.triggered.connect(call)

    @property
    def menus(self) -> list[QMenu]:
        return [self.file_menu, self.case_menu, self.go_menu, self.help_menu]

    def signed_in(self, works_cases: bool) -> None:
        """The menus of a signed-in user (the window sets which places their roles reach)."""
        for action in (self.window.lock_action, self.window.password_action):
            action.setVisible(True)
        self.case_menu.menuAction().setVisible(works_cases)
        self.go_menu.menuAction().setVisible(True)
        for action in (self.caseload_action, self.refresh_action, self.search_action):
            action.setVisible(works_cases)
            action.setEnabled(works_cases)
        for action in (self.next_pane_action, self.previous_pane_action):
            action.setEnabled(True)
        self.case_changed(None)

    def locked(self) -> None:
        """Locked (or not yet signed in): Quit, the shortcuts and About, nothing else."""
        window = self.window
        for action in (
            window.new_action,
            window.import_action,
            window.reports_action,
            window.password_action,
            window.lock_action,
            window.tasks_action,
            window.shelter_action,
            window.partners_action,
            window.calendar_action,
            window.approvals_action,
            window.dashboard_action,
            window.audit_action,
            window.reporting_action,
            window.admin_action,
            self.search_action,
        ):
            action.setVisible(False)
        self.case_menu.menuAction().setVisible(False)
        self.go_menu.menuAction().setVisible(False)
        for action in (self.next_pane_action, self.previous_pane_action):
            action.setEnabled(False)
        self.case_changed(None)

    def case_changed(self, case_open: bool | None) -> None:
        """The Case menu acts on the case on screen: enabled only while there is one (saving
        also on the intake form)."""
        for action in (
            self.note_action,
            self.correct_action,
            self.next_section_action,
            self.previous_section_action,
        ):
            action.setEnabled(bool(case_open))
        self.save_action.setEnabled(case_open is not None)
        view = self.window.workspace_view
        for action in (self.next_case_action, self.previous_case_action):
            action.setEnabled(view is not None and view.caseload is not None)

    def shortcuts(self) -> list[tuple[str, str, str]]:
        """(menu, action, shortcut) for every action of the menus that has a shortcut."""
        rows = []
        for menu in self.menus:
            for action in menu.actions():
                keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                if keys and not action.isSeparator():
                    title, name = menu.title(), action.text()
                    rows.append((title.replace("&", ""), name.replace("&", ""), keys))
        return rows

    def show_shortcuts(self) -> QDialog:
        dialog = QDialog(self.window)
        dialog.setWindowTitle(tr("Keyboard shortcuts"))
        dialog.resize(520, 520)
        table = QTableWidget(0, 3, dialog)
        table.setObjectName("shortcuts")
        table.setHorizontalHeaderLabels([tr("Menu"), tr("Action"), tr("Keys")])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        extra = [
            (tr("Anywhere"), tr("Move to the next field"), "Tab"),
            (tr("Anywhere"), tr("Move to the previous field"), "Shift+Tab"),
            (tr("Case"), tr("Next section, inside the case"), "Ctrl+Tab"),
            (tr("Menus"), tr("Open a menu"), "Alt+" + tr("the underlined letter")),
        ]
        for row, (menu, name, keys) in enumerate(self.shortcuts() + extra):
            table.insertRow(row)
            for column, text in enumerate((menu, name, keys)):
                table.setItem(row, column, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(table)
        layout.addWidget(buttons)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.shortcuts_dialog = dialog
        return dialog

    def show_about(self) -> QWidget:
        box = QMessageBox(self.window)
        box.setWindowTitle(tr("About Safehold"))
        box.setText(tr("Safehold {0}").format(casework.__version__))
        box.setInformativeText(
            tr(
                "Casework for organisations that support survivors of human trafficking. "
                "Everything is kept in an encrypted vault on this computer; nothing leaves it "
                "unless you export it. Free software under the GNU AGPL."
            )
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.about_box = box
        return box
