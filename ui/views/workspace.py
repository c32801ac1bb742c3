"""The signed-in workspace: the caseload on the left, a case or the intake form on the right.
Administrators without a case role get the administration view instead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from casework.application.types import (
    MAX_AUTO_LOCK_MINUTES,
    MIN_AUTO_LOCK_MINUTES,
    CaseDetail,
    CaseFilter,
)
from casework.errors import CaseworkError
from casework.model.vocab import CaseStatus, RiskLevel
from ui import jobs
from ui.messages import attempt, error_text
from ui.models.caseload import CASE_ID_ROLE, CaseloadModel
from ui.views.accounts import AccountDialog
from ui.views.audit import AuditView
from ui.views.calendar import HearingsCalendar
from ui.views.case import CaseView
from ui.views.dashboard import CasesView, DashboardView
from ui.views.import_dialog import ImportDialog
from ui.views.intake import IntakeForm
from ui.views.lists import ApprovalsView, MyTasksView, SearchResultsView
from ui.views.partners import PartnersView
from ui.views.reports import ReportDialog
from ui.views.retention import RetentionDialog
from ui.views.shelter import ShelterBoard
from ui.widgets import busy_bar, scrub

if TYPE_CHECKING:
    from ui.views.reporting import ReportingView


def tr(text: str) -> str:
    return QCoreApplication.translate("Desk", text)


@dataclass(frozen=True)
class Place:
    """Where the user was, by id only, so that unlocking can bring them back."""

    view: str  # "empty", "case", "intake", "admin"
    case_id: str | None = None
    sort_column: int = 2
    sort_order: Qt.SortOrder = Qt.SortOrder.DescendingOrder


class CaseloadView(QWidget):
    def __init__(self, workspace: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.heading = QLabel()
        self.heading.setObjectName("sectionTitle")
        self.status = QComboBox()
        self.status.setObjectName("statusFilter")
        self.status.addItem(tr("Any status"), ())
        self.status.addItem(tr("Open"), (CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP))
        for status in CaseStatus:
            self.status.addItem(QCoreApplication.translate("vocab", status.label), (status,))
        self.risk = QComboBox()
        self.risk.setObjectName("riskFilter")
        self.risk.addItem(tr("Any risk"), ())
        for level in reversed(list(RiskLevel)):
            self.risk.addItem(QCoreApplication.translate("vocab", level.label), (level,))
        self.worker = QComboBox()
        self.worker.setObjectName("caseworkerFilter")
        self.worker.addItem(tr("Any caseworker"), None)
        if workspace.actor.sees_all_cases:
            for worker_id, name in workspace.cases.caseworkers():
                self.worker.addItem(name, worker_id)
        else:
            self.worker.hide()
        self.intake = QComboBox()
        self.intake.setObjectName("intakeFilter")
        # (from, to) in days before today; None is open-ended.
        self.intake.addItem(tr("Any intake date"), (None, None))
        self.intake.addItem(tr("Intake in the last 30 days"), (30, None))
        self.intake.addItem(tr("Intake in the last 12 months"), (365, None))
        self.intake.addItem(tr("Intake over a year ago"), (None, 365))
        self.overdue = QCheckBox(tr("Overdue tasks"))
        self.overdue.setObjectName("overdueFilter")
        self.quiet = QCheckBox(tr("No contact for 30 days"))
        self.quiet.setObjectName("quietFilter")
        filters = QVBoxLayout()
        for row_widgets in (
            (self.status, self.risk, self.worker),
            (self.intake, self.overdue, self.quiet),
        ):
            row = QHBoxLayout()
            for widget in row_widgets:
                row.addWidget(widget)
            row.addStretch(1)
            filters.addLayout(row)
        for combo in (self.status, self.risk, self.worker, self.intake):
            combo.currentIndexChanged.connect(self.apply_filters)
        for box in (self.overdue, self.quiet):
            box.toggled.connect(self.apply_filters)
        self.model = CaseloadModel(workspace, self)
        self.table = QTableView()
        self.table.setObjectName("caseload")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((130, 190, 100, 125, 130, 70)):
            self.table.setColumnWidth(column, width)
        self.busy = busy_bar()
        self.problem = QLabel()
        self.problem.setObjectName("errorText")
        self.problem.hide()
        self.pending_selection: str | None = None
        self.model.modelReset.connect(self._after_reset)
        self.model.loading_changed.connect(self.busy.setVisible)
        self.model.failed.connect(self._failed)
        # Newest intake first; this runs the first (sorted) query.
        self.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addLayout(filters)
        layout.addWidget(self.busy)
        layout.addWidget(self.problem)
        layout.addWidget(self.table)

    def apply_filters(self) -> None:
        today = self.workspace.clock.today()
        since, until = self.intake.currentData()
        self.model.set_filter(
            CaseFilter(
                intake_from=today - timedelta(days=since) if since is not None else None,
                intake_to=today - timedelta(days=until) if until is not None else None,
                statuses=self.status.currentData(),
                risk_levels=self.risk.currentData(),
                caseworker_id=self.worker.currentData(),
                with_overdue_tasks_on=today if self.overdue.isChecked() else None,
                no_contact_since=today - timedelta(days=30) if self.quiet.isChecked() else None,
            )
        )

    def _failed(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def _after_reset(self) -> None:
        self.problem.hide()
        self._count()
        if self.pending_selection is not None:
            case_id, self.pending_selection = self.pending_selection, None
            self.select(case_id)

    def _count(self) -> None:
        mine = not self.workspace.actor.sees_all_cases
        text = tr("My cases ({0})") if mine else tr("All cases ({0})")
        self.heading.setText(text.format(self.model.rowCount()))

    def select(self, case_id: str) -> None:
        row = self.model.row_of(case_id)
        if row >= 0:
            index = self.model.index(row, 0)
            self.table.selectionModel().select(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.table.scrollTo(index)


class AdminView(QWidget):
    """Accounts and the auto-lock setting."""

    auto_lock_changed = Signal(int)

    def __init__(self, workspace: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        title = QLabel(tr("Administration"))
        title.setObjectName("pageTitle")
        note = QLabel(
            tr(
                "Administrators manage accounts and settings; case records are visible only to "
                "caseworkers and supervisors."
            )
        )
        note.setWordWrap(True)
        self.users = QTableWidget(0, 3)
        self.users.setObjectName("users")
        self.users.setHorizontalHeaderLabels([tr("User name"), tr("Roles"), tr("State")])
        self.users.verticalHeader().hide()
        self.users.horizontalHeader().setStretchLastSection(True)
        self.users.setColumnWidth(0, 160)
        self.users.setColumnWidth(1, 260)
        self.users.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.add_button = QPushButton(tr("Add a user…"))
        self.add_button.setObjectName("addUser")
        self.reset_button = QPushButton(tr("Set a new password…"))
        self.reset_button.setObjectName("resetPassword")
        self.disable_button = QPushButton(tr("Remove access"))
        self.disable_button.setObjectName("disableUser")
        self.import_button = QPushButton(tr("Import cases…"))
        self.import_button.setObjectName("importCases")
        self.partners_button = QPushButton(tr("Partner organisations…"))
        self.partners_button.setObjectName("partnersDirectory")
        self.facility_button = QPushButton(tr("Add a shelter facility…"))
        self.facility_button.setObjectName("addFacility")
        self.busy = busy_bar()
        account_buttons = QHBoxLayout()
        for button in (self.add_button, self.reset_button, self.disable_button):
            account_buttons.addWidget(button)
        account_buttons.addStretch(1)
        account_buttons.addWidget(self.partners_button)
        account_buttons.addWidget(self.facility_button)
        account_buttons.addWidget(self.import_button)
        self.users.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.users.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        settings = QGroupBox(tr("Security"))
        form = QFormLayout(settings)
        row = QHBoxLayout()
        self.auto_lock = QSpinBox()
        self.auto_lock.setObjectName("autoLockMinutes")
        self.auto_lock.setRange(MIN_AUTO_LOCK_MINUTES, MAX_AUTO_LOCK_MINUTES)
        self.auto_lock.setSuffix(tr(" minutes"))
        save = QPushButton(tr("Save"))
        save.setObjectName("saveAutoLock")
        row.addWidget(self.auto_lock)
        row.addWidget(save)
        row.addStretch(1)
        form.addRow(tr("Lock after idle"), row)
        limit_row = QHBoxLayout()
        self.attachment_limit = QSpinBox()
        self.attachment_limit.setObjectName("attachmentLimit")
        self.attachment_limit.setRange(1, 200)
        self.attachment_limit.setSuffix(tr(" MB"))
        save_limit = QPushButton(tr("Save"))
        save_limit.setObjectName("saveAttachmentLimit")
        save_limit.clicked.connect(lambda: self.save_attachment_limit())
        limit_row.addWidget(self.attachment_limit)
        limit_row.addWidget(save_limit)
        limit_row.addStretch(1)
        form.addRow(tr("Largest attachment"), limit_row)
        backup_row = QHBoxLayout()
        self.backup_folder = QLabel(str(workspace.backups.folder()))
        self.backup_folder.setObjectName("backupFolder")
        self.backup_folder.setWordWrap(True)
        choose_folder = QPushButton(tr("Choose folder…"))
        choose_folder.setObjectName("chooseBackupFolder")
        choose_folder.clicked.connect(lambda: self.choose_backup_folder())
        self.backup_job: jobs.Job | None = None
        self.backup_now_button = QPushButton(tr("Back up now"))
        self.backup_now_button.setObjectName("backupNow")
        self.backup_now_button.clicked.connect(lambda: self.backup_now())
        backup_row.addWidget(self.backup_folder, 1)
        backup_row.addWidget(choose_folder)
        backup_row.addWidget(self.backup_now_button)
        form.addRow(tr("Backups"), backup_row)
        self.backup_progress = QProgressBar()
        self.backup_progress.setObjectName("backupProgress")
        self.backup_progress.hide()
        form.addRow("", self.backup_progress)
        retention_button = QPushButton(tr("Retention rules…"))
        retention_button.setObjectName("openRetention")
        retention_button.clicked.connect(lambda: self.open_retention())
        retention_row = QHBoxLayout()
        retention_row.addWidget(retention_button)
        retention_row.addStretch(1)
        form.addRow(tr("Retention"), retention_row)
        self.message = QLabel()
        self.message.setObjectName("errorText")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(note)
        layout.addWidget(QLabel(tr("Accounts")))
        layout.addWidget(self.users, 1)
        layout.addLayout(account_buttons)
        layout.addWidget(self.busy)
        layout.addWidget(settings)
        layout.addWidget(self.message)
        save.clicked.connect(self.save_auto_lock)
        self.add_button.clicked.connect(self.add_user)
        self.reset_button.clicked.connect(self.reset_password)
        self.disable_button.clicked.connect(self.disable_user)
        self.import_button.clicked.connect(self.open_import)
        self.facility_button.clicked.connect(lambda: self.add_facility())
        self.partners_button.clicked.connect(lambda: self.open_partners())

    def open_import(self) -> ImportDialog:
        dialog = ImportDialog(self.workspace, self)
        dialog.open()
        return dialog

    def open_retention(self) -> RetentionDialog:
        dialog = RetentionDialog(self.workspace, self)
        dialog.open()
        return dialog

    def choose_backup_folder(self, folder: str | None = None) -> bool:
        """Point backups at another folder (an external drive): daily backups go there."""
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, tr("Where backups go"))
            if not folder:
                return False
        chosen = Path(folder)
        if not attempt(lambda: self.workspace.backups.set_folder(chosen), self.message):
            return False
        self.backup_folder.setText(str(self.workspace.backups.folder()))
        return True

    def backup_now(self) -> None:
        """Start a backup; pressed again while one runs, the button cancels it."""
        if self.backup_job is not None:
            self.backup_job.cancel()
            return
        workspace = self.workspace
        bar = self.backup_progress
        bar.setRange(0, 100)
        bar.setValue(0)
        bar.setFormat(tr("Copying the vault… %p%"))
        bar.show()
        self.backup_now_button.setText(tr("Cancel backup"))
        self.message.clear()

        def work(job: jobs.Job) -> Path:
            def progress(done: int, total: int) -> None:
                job.report(done * 100 // max(total, 1))

            return workspace.backups.now(progress, job.check_cancelled)

        def moved(percent: int, _text: str) -> None:
            if percent < 100:
                bar.setValue(percent)
            else:  # copied; the check that every page reads back has no steps to count
                bar.setRange(0, 0)
                bar.setFormat(tr("Checking the copy…"))

        def settle() -> None:
            self.backup_job = None
            bar.hide()
            self.backup_now_button.setText(tr("Back up now"))

        def done(path: Path) -> None:
            settle()
            self.message.setText(tr("Backup saved: {0}").format(path.name))

        def failed(error: BaseException) -> None:
            settle()
            if isinstance(error, jobs.Cancelled):
                self.message.setText(tr("Backup cancelled. Nothing was written."))
            else:
                self.message.setText(error_text(error))

        self.backup_job = jobs.start(work, done, failed, parent=self)
        self.backup_job.on_progress(moved, self)

    def open_partners(self) -> QDialog:
        dialog = QDialog(self)
        dialog.setWindowTitle(tr("Partner organisations"))
        dialog.resize(720, 560)
        layout = QVBoxLayout(dialog)
        dialog.directory = PartnersView(self.workspace, dialog)  # type: ignore[attr-defined]
        layout.addWidget(dialog.directory)  # type: ignore[attr-defined]
        dialog.open()
        return dialog

    def add_facility(self, name: str | None = None, rooms: str | None = None) -> bool:
        """Rooms as "Blue: 4, Green: 2" (room name and number of beds)."""
        if name is None:
            name, ok = QInputDialog.getText(
                self, tr("Add a shelter facility"), tr("Facility name:")
            )
            if not ok:
                return False
        if rooms is None:
            rooms, ok = QInputDialog.getText(
                self,
                tr("Add a shelter facility"),
                tr("Rooms and beds, such as “Blue: 4, Green: 2”:"),
            )
            if not ok:
                return False
        layout: dict[str, int] = {}
        for part in rooms.split(","):
            room, _, count = part.partition(":")
            if not room.strip() or not count.strip().isdigit():
                self.message.setText(tr("Write each room as name: number of beds."))
                return False
            layout[room.strip()] = int(count)
        try:
            self.workspace.shelter.add_facility(name, layout)
        except CaseworkError as error:
            self.message.setText(error_text(error))
            return False
        self.message.setText(tr("Saved."))
        return True

    def selected_username(self) -> str | None:
        row = self.users.currentRow()
        item = self.users.item(row, 0) if row >= 0 else None
        return item.text() if item is not None else None

    def add_user(self) -> AccountDialog:
        dialog = AccountDialog(tr("Add a user"), with_identity=True, parent=self)
        workspace = self.workspace
        dialog.action = lambda: workspace.accounts.add_user(
            dialog.username.text(),
            dialog.password.text(),
            dialog.chosen_roles(),
            dialog.display_name.text(),
        )
        dialog.accepted.connect(self._changed)
        dialog.open()
        return dialog

    def reset_password(self) -> AccountDialog | None:
        username = self.selected_username()
        if username is None:
            self.message.setText(tr("Choose an account in the list first."))
            return None
        dialog = AccountDialog(tr("New password for {0}").format(username), False, self)
        workspace = self.workspace
        dialog.action = lambda: workspace.accounts.reset_password(username, dialog.password.text())
        dialog.accepted.connect(self._changed)
        dialog.open()
        return dialog

    def disable_user(self, confirmed: bool = False) -> None:
        username = self.selected_username()
        if username is None:
            self.message.setText(tr("Choose an account in the list first."))
            return
        if not confirmed:
            answer = QMessageBox.question(
                self,
                tr("Remove access"),
                tr(
                    "Remove {0}'s access? Their password will no longer open the vault, the vault "
                    "moves to a new key and a backup is taken. Their records stay."
                ).format(username),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.busy.show()
        self.setEnabled(False)
        workspace = self.workspace
        jobs.start(
            lambda _job: workspace.accounts.disable_user(username), self._disabled, self._failed
        )

    def _disabled(self, _result: object) -> None:
        self.busy.hide()
        self.setEnabled(True)
        self._changed()

    def _failed(self, error: BaseException) -> None:
        self.busy.hide()
        self.setEnabled(True)
        self.message.setText(error_text(error))

    def _changed(self) -> None:
        self.message.setText(tr("Saved."))
        self.refresh()

    def refresh(self) -> None:
        users = self.workspace.accounts.users()
        self.users.setRowCount(len(users))
        for row, user in enumerate(users):
            roles = ", ".join(QCoreApplication.translate("vocab", r.label) for r in user.roles)
            state = tr("Active") if user.active else tr("Disabled")
            for column, text in enumerate((user.username, roles, state)):
                self.users.setItem(row, column, QTableWidgetItem(text))
        organisation = self.workspace.accounts.organisation()
        self.auto_lock.setValue(organisation.auto_lock_minutes)
        self.attachment_limit.setValue(organisation.attachment_limit_mb)

    def save_attachment_limit(self) -> bool:
        try:
            self.workspace.attachments.set_limit(self.attachment_limit.value())
        except CaseworkError as error:
            self.message.setText(error_text(error))
            return False
        self.message.setText(tr("Saved."))
        return True

    def save_auto_lock(self) -> None:
        try:
            self.workspace.accounts.set_auto_lock_minutes(self.auto_lock.value())
        except CaseworkError as error:
            self.message.setText(error_text(error))
            return
        self.message.setText(tr("Saved."))
        self.auto_lock_changed.emit(self.auto_lock.value())


class WorkspaceView(QWidget):
    auto_lock_changed = Signal(int)

    def __init__(self, workspace: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.caseload: CaseloadView | None = None
        self.admin: AdminView | None = None
        self.detail = QStackedWidget()
        self.detail.setObjectName("detail")
        self.empty = QLabel(tr("Choose a case from the list, or record a new survivor (Ctrl+N)."))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.detail.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        if workspace.works_cases:
            self.caseload = CaseloadView(workspace)
            splitter = QSplitter()
            splitter.addWidget(self.caseload)
            splitter.addWidget(self.detail)
            splitter.setStretchFactor(0, 3)
            splitter.setStretchFactor(1, 2)
            splitter.setSizes([640, 460])
            layout.addWidget(splitter)
            self.caseload.table.clicked.connect(self._open_index)
            self.caseload.table.activated.connect(self._open_index)
        else:
            layout.addWidget(self.detail)
        if workspace.is_admin:
            self.admin = AdminView(workspace)
            self.admin.auto_lock_changed.connect(self.auto_lock_changed)
            self.admin.refresh()
            self.detail.addWidget(self.admin)
            if self.caseload is None:
                self.detail.setCurrentWidget(self.admin)
        elif self.caseload is None and workspace.reporting.allowed:
            self.show_reporting()

    def _show(self, widget: QWidget) -> None:
        old = self.detail.currentWidget()
        self.detail.addWidget(widget)
        self.detail.setCurrentWidget(widget)
        if old is not None and old not in (self.empty, self.admin):
            self.detail.removeWidget(old)
            old.deleteLater()

    def show_dashboard(self) -> DashboardView:
        view = DashboardView(self.workspace)
        view.show_cases.connect(self.show_cases)
        self._show(view)
        return view

    def show_cases(self, title: str, case_ids: list[str]) -> CasesView:
        view = CasesView(self.workspace, title, case_ids)
        view.open_case.connect(self.open_case)
        self._show(view)
        return view

    def show_audit(
        self, case_id: str | None = None, reference: str = "", action: str | None = None
    ) -> AuditView:
        view = AuditView(self.workspace, case_id, reference, action)
        self._show(view)
        return view

    def open_reports(self) -> ReportDialog:
        dialog = ReportDialog(self.workspace, parent=self)
        dialog.open()
        return dialog

    def show_reporting(self) -> ReportingView:
        from ui.views.reporting import ReportingView  # ReportLab loads when first needed

        view = ReportingView(self.workspace)
        self._show(view)
        return view

    def show_administration(self) -> None:
        if self.admin is not None:
            self._show(self.admin)

    def show_my_tasks(self) -> None:
        view = MyTasksView(self.workspace)
        view.open_case.connect(self.open_case)
        self._show(view)

    def show_calendar(self) -> None:
        calendar = HearingsCalendar(self.workspace)
        calendar.open_case.connect(self.open_case)
        self._show(calendar)

    def show_partners(self) -> None:
        self._show(PartnersView(self.workspace))

    def show_shelter(self) -> None:
        board = ShelterBoard(self.workspace)
        board.open_case.connect(self.open_case)
        self._show(board)

    def show_approvals(self) -> None:
        view = ApprovalsView(self.workspace)
        view.open_case.connect(self.open_case)
        self._show(view)

    def search(self, text: str) -> None:
        """Search people and notes in the background; results replace the right-hand pane."""
        if len(text.strip()) < 2:
            return
        view = SearchResultsView()
        view.open_case.connect(self.open_case)
        view.searching(text)
        self._show(view)
        workspace = self.workspace

        def shown(result: tuple[list[Any], list[Any]]) -> None:
            if self.detail.currentWidget() is view:
                view.show_results(text, *result)

        def failed(error: BaseException) -> None:
            if self.detail.currentWidget() is view:
                view.message.setText(error_text(error))

        jobs.start(lambda _job: workspace.cases.find(text), shown, failed)

    def open_import(self) -> ImportDialog:
        dialog = ImportDialog(self.workspace, self)
        dialog.finished.connect(
            lambda _result: self.caseload.model.reload() if self.caseload else None
        )
        dialog.open()
        return dialog

    def _case_changed(self) -> None:
        if self.caseload is not None:
            current = self.detail.currentWidget()
            if isinstance(current, CaseView):
                self.caseload.pending_selection = current.case_id
            self.caseload.model.reload(locate=self.caseload.pending_selection)

    def _case_erased(self) -> None:
        self.empty.setText(tr("The person was erased. Only an anonymous marker remains."))
        self._show_empty()
        if self.caseload is not None:
            self.caseload.model.reload()

    def _open_index(self, index: QModelIndex) -> None:
        case_id = index.data(CASE_ID_ROLE)
        if case_id:
            self.open_case(case_id)

    def open_case(self, case_id: str) -> None:
        try:
            detail = self.workspace.cases.open(case_id)
        except CaseworkError as error:
            self.empty.setText(error_text(error))
            self.detail.setCurrentWidget(self.empty)
            return
        view = CaseView(self.workspace, detail)
        view.changed.connect(self._case_changed)
        view.erased.connect(self._case_erased)
        view.history.show_access.connect(
            lambda: self.show_audit(detail.case_id, detail.reference, "case.view")
        )
        self._show(view)
        if self.caseload is not None:
            self.caseload.select(case_id)

    def new_survivor(self) -> None:
        if self.caseload is None:
            return
        form = IntakeForm(self.workspace)
        form.saved.connect(self._intake_saved)
        form.open_existing.connect(self.open_case)
        form.cancelled.connect(lambda: self._show_empty())
        self._show(form)
        form.first_name.setFocus()

    def _show_empty(self) -> None:
        self._show(QWidget())
        self.detail.setCurrentWidget(self.empty)

    def _intake_saved(self, detail: CaseDetail) -> None:
        self.open_case(detail.case_id)
        if self.caseload is not None:
            self.caseload.pending_selection = detail.case_id
            self.caseload.model.reload(locate=detail.case_id)

    def place(self) -> Place:
        current = self.detail.currentWidget()
        sort_column, sort_order = 2, Qt.SortOrder.DescendingOrder
        if self.caseload is not None:
            header = self.caseload.table.horizontalHeader()
            sort_column, sort_order = header.sortIndicatorSection(), header.sortIndicatorOrder()
        if isinstance(current, CaseView):
            return Place("case", current.case_id, sort_column, sort_order)
        if isinstance(current, IntakeForm):
            return Place("intake", None, sort_column, sort_order)
        if isinstance(current, MyTasksView):
            return Place("tasks", None, sort_column, sort_order)
        return Place("empty", None, sort_column, sort_order)

    def restore(self, place: Place) -> None:
        if self.caseload is not None:
            self.caseload.table.sortByColumn(place.sort_column, place.sort_order)
        if place.view == "case" and place.case_id:
            self.open_case(place.case_id)
        elif place.view == "intake":
            self.new_survivor()
        elif place.view == "tasks":
            self.show_my_tasks()

    def clear(self) -> None:
        """Drop every row and form before the widget goes (on lock)."""
        if self.caseload is not None:
            self.caseload.model.clear()
        scrub(self)  # until the event loop deletes them, they must hold nothing
        while self.detail.count():
            widget = self.detail.widget(0)
            if widget is None:
                break
            self.detail.removeWidget(widget)
            widget.deleteLater()
