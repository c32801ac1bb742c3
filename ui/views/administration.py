"""The administration screens: staff accounts, backups, facilities, settings, imports."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from casework.application.types import (
    MAX_AUTO_LOCK_MINUTES,
    MIN_AUTO_LOCK_MINUTES,
)
from casework.errors import CaseworkError
from ui import changes, jobs, operations
from ui.messages import attempt, error_text
from ui.views.accounts import AccountDialog
from ui.views.import_dialog import ImportDialog
from ui.views.partners import PartnersView
from ui.views.retention import RetentionDialog
from ui.widgets import busy_bar, message_label

if TYPE_CHECKING:
    pass


def tr(text: str) -> str:
    return QCoreApplication.translate("Desk", text)


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
        self.users = QTableWidget(0, 4)
        self.users.setObjectName("users")
        self.users.setHorizontalHeaderLabels(
            [tr("User name"), tr("Full name"), tr("Roles"), tr("State")]
        )
        self.users.verticalHeader().hide()
        self.users.horizontalHeader().setStretchLastSection(True)
        self.users.setColumnWidth(0, 140)
        self.users.setColumnWidth(1, 180)
        self.users.setColumnWidth(2, 220)
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
        self.backup: operations.Operation[Path] | None = None
        self.backup_now_button = QPushButton(tr("Back up now"))
        self.backup_now_button.setObjectName("backupNow")
        self.backup_now_button.clicked.connect(lambda: self.backup_now())
        backup_row.addWidget(self.backup_folder, 1)
        backup_row.addWidget(choose_folder)
        backup_row.addWidget(self.backup_now_button)
        form.addRow(tr("Backups"), backup_row)
        self.same_disk = message_label("backupSameDisk", usual="warning")
        form.addRow("", self.same_disk)
        self._warn_same_disk()
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
        self.message = message_label()
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

    def _warn_same_disk(self) -> None:
        if self.workspace.backups.on_the_vaults_disk():
            self.same_disk.setText(
                tr(
                    "Backups are on the same disk as the vault: if the laptop is lost or its "
                    "disk fails, they go with it. Choose a folder on an external drive."
                )
            )
        else:
            self.same_disk.clear()

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
        self._warn_same_disk()
        return True

    def backup_now(self) -> None:
        """Start a backup; pressed again while one runs, the button cancels it."""
        if operations.running(self.backup):
            assert self.backup is not None
            self.backup.cancel()
            return
        workspace = self.workspace
        bar = self.backup_progress
        bar.setRange(0, 100)
        bar.setValue(0)
        bar.setFormat(tr("Copying the vault… %p%"))
        self.backup_now_button.setText(tr("Cancel backup"))

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

        def done(path: Path) -> None:
            self.message.show_success(tr("Backup saved: {0}").format(path.name))

        self.backup = operations.change(
            work,
            done,
            parent=self,
            message=self.message,
            progress=bar,
            show_after_ms=0,
            reported=moved,
            cancelled=lambda: self.message.show_info(tr("Backup cancelled. Nothing was written.")),
            ended=lambda: self.backup_now_button.setText(tr("Back up now")),
        )

    @property
    def backing_up(self) -> bool:
        return operations.running(self.backup)

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
        changes.announce(self)
        self.message.show_success(tr("Saved."))
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
        workspace = self.workspace
        self.removing = operations.change(
            lambda _job: workspace.accounts.disable_user(username),
            lambda _result: self._changed(),
            parent=self,
            message=self.message,
            progress=self.busy,
            busy=[self],
        )

    def _changed(self) -> None:
        self.message.show_success(tr("Saved."))
        self.refresh()
        changes.follow(self, self.refresh)  # a change made elsewhere shows here too

    def refresh(self) -> None:
        users = self.workspace.accounts.users()
        self.users.setRowCount(len(users))
        for row, user in enumerate(users):
            roles = ", ".join(QCoreApplication.translate("vocab", r.label) for r in user.roles)
            state = tr("Active") if user.active else tr("Disabled")
            for column, text in enumerate((user.username, user.display_name, roles, state)):
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
        self.message.show_success(tr("Saved."))
        return True

    def save_auto_lock(self) -> None:
        try:
            self.workspace.accounts.set_auto_lock_minutes(self.auto_lock.value())
        except CaseworkError as error:
            self.message.setText(error_text(error))
            return
        self.message.show_success(tr("Saved."))
        self.auto_lock_changed.emit(self.auto_lock.value())
