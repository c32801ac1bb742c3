"""The one main window: set-up, sign-in and the workspace are pages of a stack, so locking has
exactly one place to clear."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QScreen
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QWidget,
)

from casework.application.entrance import Created, Entrance
from ui import jobs, layout_memory, operations, preload, wheel
from ui.clipboard import ClipboardGuard
from ui.idle import IdleWatcher
from ui.messages import error_text
from ui.session_watch import SessionWatcher
from ui.widgets import scrub
from ui.windows.menus import Menus
from ui.windows.setup import RecoveryCodePage, SetupPage
from ui.windows.signin import SignInPage

if TYPE_CHECKING:  # the workspace and its views load at sign-in, not before the window shows
    from casework.application.desk import Desk
    from ui.views.accounts import AccountDialog
    from ui.views.workspace import Place, WorkspaceView

log = logging.getLogger(__name__)


def tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


DEFAULT_SIZE = QSize(1320, 800)
FRAME = QSize(16, 48)  # room for the window manager's borders and title bar


def default_size(screen: QScreen | None) -> QSize:
    """The first window's size: the default, within the screen's room (a 1366×768 laptop,
    1920×1080 at 150%, which leaves 1280×720, or smaller)."""
    if screen is None:
        return DEFAULT_SIZE
    return DEFAULT_SIZE.boundedTo(screen.availableGeometry().size() - FRAME)


class MainWindow(QMainWindow):
    def __init__(
        self, entrance: Entrance, demo_hint: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.entrance = entrance
        # The title never names a person: window managers and task switchers keep titles.
        self.setWindowTitle("Safehold")
        self.resize(default_size(self.screen()))
        layout_memory.recall_window(self)  # as it was last closed, if it was (Qt fits it in)
        self.pages = QStackedWidget()
        self.setCentralWidget(self.pages)
        self.sign_in = SignInPage(entrance, demo_hint)
        self.setup = SetupPage(entrance)
        self.recovery = RecoveryCodePage()
        for page in (self.sign_in, self.setup, self.recovery):
            self.pages.addWidget(page)
        self.desk: Desk | None = None
        self.workspace_view: WorkspaceView | None = None
        self._pending: Desk | None = None  # a new vault's, until its recovery code is noted
        self._last_place: tuple[str, Place] | None = None
        # Set by the app: the command that replaces this process on lock, and what it is
        # handed besides the place (the demo's folder, say). None in tests: lock stays here.
        self.restart_command: list[str] | None = None
        self._handed_place: dict[str, object] | None = None
        self.restart_state: dict[str, object] = {}

        self.toolbar = QToolBar(tr("Main"))
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(self.toolbar)
        self.new_action = QAction(tr("New survivor"), self)
        self.new_action.setShortcut(QKeySequence("Ctrl+N"))
        self.lock_action = QAction(tr("Lock"), self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.tasks_action = QAction(tr("My tasks"), self)
        self.tasks_action.setShortcut(QKeySequence("Ctrl+T"))
        self.shelter_action = QAction(tr("Shelter"), self)
        self.partners_action = QAction(tr("Partners"), self)
        self.calendar_action = QAction(tr("Calendar"), self)
        self.approvals_action = QAction(tr("Approvals"), self)
        self.dashboard_action = QAction(tr("Dashboard"), self)
        self.audit_action = QAction(tr("Audit"), self)
        self.reports_action = QAction(tr("Print…"), self)
        self.import_action = QAction(tr("Import…"), self)
        self.reporting_action = QAction(tr("Reporting"), self)
        self.admin_action = QAction(tr("Administration"), self)
        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText(tr("Search people and notes (Ctrl+F)"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMaximumWidth(320)
        self.search_box.setMinimumWidth(200)  # what is typed stays readable at 150%
        self.search_action = QAction(self)
        self.search_action.setShortcut(QKeySequence("Ctrl+F"))
        self.search_action.triggered.connect(lambda: self.search_box.setFocus())
        self.search_box.returnPressed.connect(self._search)
        # Lock comes first: it must stay in sight however narrow the window or long the name.
        self.toolbar.addAction(self.lock_action)
        for action in (
            self.new_action,
            self.tasks_action,
            self.shelter_action,
            self.dashboard_action,
            self.approvals_action,
            self.admin_action,
            self.reporting_action,
        ):
            self.toolbar.addAction(action)
        # Less frequent places go under "More", so the bar fits a laptop screen.
        self.more_menu = QMenu(tr("More"), self)
        for action in (
            self.calendar_action,
            self.partners_action,
            self.reports_action,
            self.audit_action,
            self.import_action,
        ):
            self.more_menu.addAction(action)
        self.more_button = QToolButton()
        self.more_button.setObjectName("moreButton")
        self.more_button.setText(tr("More"))
        self.more_button.setMenu(self.more_menu)
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more_action = self.toolbar.addWidget(self.more_button)
        self.search_box_action = self.toolbar.addWidget(self.search_box)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(spacer)
        self.who = QLabel()
        self.who.setObjectName("signedInAs")
        self.toolbar.addWidget(self.who)
        self.password_action = QAction(tr("Password…"), self)
        self.password_action.triggered.connect(lambda: self.change_password())
        self.toolbar.addAction(self.password_action)
        self.addAction(self.lock_action)
        self.addAction(self.new_action)
        self.addAction(self.search_action)
        self.addAction(self.tasks_action)
        for action in self.toolbar.actions():  # reachable with Tab, not the mouse alone
            button = self.toolbar.widgetForAction(action)
            if button is not None and not isinstance(button, QLineEdit):
                button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.toolbar.hide()
        self.menus = Menus(self)

        self.clipboard_guard = ClipboardGuard(parent=self)
        self.idle = IdleWatcher(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle)
            wheel.guard_fields(app)  # the wheel scrolls forms, never an unfocused field
        self.idle.idle.connect(lambda: self.lock())  # not the signal's argument as restart
        self.session_watch = SessionWatcher(self)
        self.session_watch.lock_requested.connect(self._lock_for)
        self.lock_action.triggered.connect(lambda: self.lock())
        self.new_action.triggered.connect(self._new_survivor)
        self.tasks_action.triggered.connect(lambda: self._view_call("show_my_tasks"))
        self.approvals_action.triggered.connect(lambda: self._view_call("show_approvals"))
        self.dashboard_action.triggered.connect(lambda: self._view_call("show_dashboard"))
        self.audit_action.triggered.connect(lambda: self._view_call("show_audit"))
        self.reports_action.triggered.connect(lambda: self._view_call("open_reports"))
        self.shelter_action.triggered.connect(lambda: self._view_call("show_shelter"))
        self.partners_action.triggered.connect(lambda: self._view_call("show_partners"))
        self.calendar_action.triggered.connect(lambda: self._view_call("show_calendar"))
        self.import_action.triggered.connect(lambda: self._view_call("open_import"))
        self.reporting_action.triggered.connect(lambda: self._view_call("show_reporting"))
        self.admin_action.triggered.connect(lambda: self._view_call("show_administration"))
        self.sign_in.signed_in.connect(self.enter)
        self.setup.created.connect(self._created)
        self.setup.restored.connect(lambda told: self.show_sign_in(message=told))
        self.recovery.done.connect(self._recovery_noted)

        if entrance.exists():
            self.show_sign_in()
        else:
            self.pages.setCurrentWidget(self.setup)

    # -- pages --------------------------------------------------------------------------

    def show_sign_in(self, username: str = "", message: str = "") -> None:
        self.toolbar.hide()
        self.pages.setCurrentWidget(self.sign_in)
        self.sign_in.prepare(username, message)

    def _created(self, created: Created) -> None:
        self._pending = created.desk
        self.recovery.show_code(created.recovery_code)
        self.pages.setCurrentWidget(self.recovery)

    def _recovery_noted(self) -> None:
        desk, self._pending = self._pending, None
        if desk is not None:
            self.enter(desk)

    def enter(self, desk: Desk) -> None:
        """Signed in: build the workspace, bring the user back to where they were."""
        preload.wait()
        from ui.views.workspace import WorkspaceView

        workspace = self.desk = desk
        jobs.serve(workspace)  # from now on every job is the desk's: lock stops it first
        view = WorkspaceView(workspace)
        view.auto_lock_changed.connect(self._arm_idle_lock)
        self.workspace_view = view
        self.pages.addWidget(view)
        self.pages.setCurrentWidget(view)
        actor = desk.actor
        roles = ", ".join(QCoreApplication.translate("vocab", r.label) for r in sorted(actor.roles))
        self.who.setText(tr("{0} · {1}").format(actor.display_name, roles) + "  ")
        for action in (
            self.new_action,
            self.tasks_action,
            self.shelter_action,
            self.calendar_action,
            self.partners_action,
            self.reports_action,
            self.search_box_action,
        ):
            action.setEnabled(actor.works_cases)
            action.setVisible(actor.works_cases)
        self.approvals_action.setVisible(actor.sees_all_cases)
        self.dashboard_action.setVisible(actor.sees_all_cases)
        self.audit_action.setVisible(actor.sees_all_cases or workspace.is_admin)
        self.more_action.setVisible(any(a.isVisible() for a in self.more_menu.actions()))
        self.import_action.setVisible(actor.sees_all_cases and actor.works_cases)
        self.reporting_action.setVisible(workspace.reporting.allowed)
        self.admin_action.setVisible(workspace.is_admin)
        self.menus.signed_in(actor.works_cases)
        view.detail.currentChanged.connect(lambda _index: self._detail_changed())
        if actor.works_cases:
            # Reminders for expiring consent and follow-up dates, and old drafts removed.
            def housekeeping(_job: jobs.Job) -> int:
                workspace.drafts.purge_stale()
                return workspace.tasks.raise_reminders()

            operations.change(
                housekeeping,
                lambda created: log.info("%s reminder task(s) raised", created),
                parent=self,
                failed=lambda error: log.warning("reminders not raised: %s", type(error).__name__),
            )
        self.toolbar.show()

        def daily(job: jobs.Job) -> object:
            workspace.retention.run_due()  # first, so today's backup holds nothing removed
            return workspace.backups.daily_if_due(job.check_cancelled)

        operations.change(
            daily, self._daily_backup_done, parent=self, failed=self._daily_backup_failed
        )
        self._arm_idle_lock(
            workspace.accounts.organisation().auto_lock_minutes
        )  # first, whatever else
        if self._handed_place is not None:
            self._last_place = _place_from(self._handed_place)
            self._handed_place = None
        if self._last_place and self._last_place[0] == actor.user_id:
            try:
                view.restore(self._last_place[1])
            except Exception as error:
                log.warning("the place before the lock was not restored: %s", type(error).__name__)
        self._last_place = None
        # Keyboard users land in the caseload (or the administration view), ready to go.
        self.activateWindow()
        if view.caseload is not None:
            view.caseload.table.setFocus()
        else:
            view.setFocus()

    @property
    def vault(self) -> object | None:
        """The open vault, for the tests' look behind the window (None when locked)."""
        return self.desk.vault if self.desk is not None else None

    def _lock_for(self, reason: str) -> None:
        if self.desk is not None:
            log.info("locking: %s", reason)
            self.lock()

    def _daily_backup_done(self, written: object) -> None:
        if written is not None:
            self.statusBar().showMessage(tr("Today's backup is saved."), 10000)

    def _daily_backup_failed(self, error: BaseException) -> None:
        self.statusBar().showMessage(
            tr("The daily retention and backup could not run: {0}").format(error_text(error))
        )

    def _arm_idle_lock(self, minutes: int) -> None:
        self.idle.start(minutes * 60 * 1000)

    def change_password(self) -> AccountDialog | None:
        """Anyone signed in changes their own password: one keyring slot is rewrapped."""
        if self.desk is None:
            return None
        from ui.views.accounts import AccountDialog

        workspace = self.desk
        dialog = AccountDialog(tr("Change your password"), False, self, with_current=True)
        dialog.action = lambda: workspace.accounts.change_own_password(
            dialog.current.text(), dialog.password.text()
        )
        dialog.open()
        return dialog

    def _view_call(self, name: str) -> None:
        if self.workspace_view is not None:
            getattr(self.workspace_view, name)()

    def _detail_changed(self) -> None:
        view = self.workspace_view
        self.menus.case_changed(view.case_open() if view is not None else None)

    def move_between_panes(self, step: int) -> None:
        """F6 and Shift+F6: the toolbar's search, the caseload, the view beside it, in turn."""
        view = self.workspace_view
        if view is None:
            return
        panes: list[QWidget] = [self.search_box] if self.search_box.isVisible() else []
        if view.caseload is not None:
            panes.append(view.caseload.table)
        panes.append(view.detail)
        focused = QApplication.focusWidget()
        here = next(
            (
                i
                for i, pane in enumerate(panes)
                if focused is not None and (focused is pane or pane.isAncestorOf(focused))
            ),
            -1,
        )
        target = panes[(here + step) % len(panes)]
        if target is view.detail:
            current = view.detail.currentWidget()
            if current is not None:
                current.setFocus(Qt.FocusReason.OtherFocusReason)
                if not current.hasFocus():
                    current.focusNextChild()
            return
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _search(self) -> None:
        if self.workspace_view is not None:
            self.workspace_view.search(self.search_box.text())

    def _new_survivor(self) -> None:
        if self.workspace_view is not None:
            self.workspace_view.new_survivor()

    def lock(self, restart: bool = True) -> None:
        """Close everything holding case data, forget the key, and ask for the password. With
        ``restart_command`` set (the app, not its tests), the process then replaces itself with
        a fresh one (see ui.restart), so nothing of the open vault stays in memory."""
        self.idle.stop()
        desk = self.desk
        if desk is None:
            return
        self.statusBar().clearMessage()
        layout_memory.remember_window(self)
        self.menus.locked()
        username = desk.actor.username
        if self.workspace_view is not None:
            self._last_place = (desk.actor.user_id, self.workspace_view.place())
            self.workspace_view.clear()
            self.search_box.clear()
            self.pages.removeWidget(self.workspace_view)
            self.workspace_view.deleteLater()
            self.workspace_view = None
        for window in QApplication.topLevelWidgets():
            if window is not self and window.isWindow() and window.isVisible():
                if isinstance(window, QDialog):
                    window.done(QDialog.DialogCode.Rejected)  # the lock asks nothing (reject may)
                else:
                    window.close()
                scrub(window)
        self.clipboard_guard.clear_if_ours()
        # Background work (a backup, an export, a rotation) is cancelled and waited for (a few
        # seconds at most) while the vault is still open, then the vault locks: a write still
        # running is stopped and rolled back (OpenVault.lock). Nothing is written after it.
        jobs.serve(None)
        self.desk = None
        desk.close()
        log.info("vault locked")
        if restart and self.restart_command is not None:
            self._restart(username)
        self.show_sign_in(username, tr("Safehold is locked. Sign in to go on where you were."))

    def _restart(self, username: str) -> None:
        """Hand on where to go back to (ids) and become a fresh process."""
        from ui import restart

        state: dict[str, object] = {
            "username": username,
            "geometry": bytes(self.saveGeometry().toHex().data()).decode("ascii"),
            **self.restart_state,
        }
        if self._last_place is not None:
            user_id, place = self._last_place
            state["place"] = {
                "user_id": user_id,
                "view": place.view,
                "case_id": place.case_id,
                "sort_column": place.sort_column,
                "sort_order": place.sort_order.value,
            }
        assert self.restart_command is not None
        restart.replace_process(self.restart_command, state)

    def resume(self, state: dict[str, object]) -> None:
        """Come back as a locked process left things: its sign-in, its window, its place (read
        at sign-in, when the workspace's modules load anyway: not now, on the way to the
        sign-in)."""
        from PySide6.QtCore import QByteArray

        geometry = state.get("geometry")
        if (
            isinstance(geometry, str)
            and len(geometry) < 2000
            and all(c in "0123456789abcdefABCDEF" for c in geometry)
        ):
            self.restoreGeometry(QByteArray.fromHex(geometry.encode("ascii")))
        place = state.get("place")
        self._handed_place = place if isinstance(place, dict) else None
        username = state.get("username")
        self.show_sign_in(
            username if isinstance(username, str) else "",
            tr("Safehold is locked. Sign in to go on where you were."),
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.lock(restart=False)
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.idle)
        if self._pending is not None:
            self._pending.close()
        super().closeEvent(event)


def _place_from(handed: dict[str, object]) -> tuple[str, Place] | None:
    """A place handed on by a locked process (ids only), or None if it does not read."""
    from ui.views.workspace import Place

    try:
        column, order = int(str(handed["sort_column"])), int(str(handed["sort_order"]))
        view = str(handed["view"])
        if not 0 <= column < 64 or order not in (0, 1) or view not in PLACE_VIEWS:
            return None
        case_id = str(handed["case_id"]) if handed.get("case_id") else None
        if case_id is not None and len(case_id) > 64:
            return None
        return (str(handed["user_id"]), Place(view, case_id, column, Qt.SortOrder(order)))
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


PLACE_VIEWS = ("empty", "case", "intake", "tasks", "admin")
