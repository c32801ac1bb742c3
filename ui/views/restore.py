"""Restoring a backup on a machine without a vault (after a stolen laptop, say): an
administrator's password or the recovery code opens it. The key derivation and the copy run in
the background."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from casework.application.entrance import Entrance
from ui import jobs, operations
from ui.widgets import busy_bar, message_label

if TYPE_CHECKING:  # the restore's report types, without loading the services at start-up
    from casework.application.entrance import Replaced
    from casework.application.types import RestoreReport


def tr(text: str) -> str:
    return QCoreApplication.translate("RestoreDialog", text)


class RestoreDialog(QDialog):
    restored = Signal(str)  # what the restore brought back, to tell the user

    def __init__(
        self,
        entrance: Entrance,
        parent: QWidget | None = None,
        replace_damaged: bool = False,
        suggested: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.entrance = entrance
        self.replace_damaged = replace_damaged
        self.suggested = suggested
        self.operation: operations.Operation[RestoreReport | Replaced] | None = None
        self.setWindowTitle(tr("Restore from a backup"))
        self.setMinimumWidth(520)
        intro = QLabel(
            tr(
                "Choose the backup file (its manifest, the .json file of the same name, must be "
                "beside it). An administrator's password at the time of the backup, or the "
                "recovery code, opens it. The vault is restored into {0}."
            ).format(entrance.folder)
        )
        intro.setWordWrap(True)
        if replace_damaged:
            intro.setText(
                intro.text()
                + " "
                + tr(
                    "The damaged vault is moved aside, unchanged, into a folder beside it; "
                    "nothing is deleted."
                )
            )
        self.path = QLineEdit(str(suggested) if suggested else "")
        self.path.setObjectName("backupPath")
        browse = QPushButton(tr("Choose…"))
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        self.as_admin = QRadioButton(tr("An administrator's password"))
        self.as_recovery = QRadioButton(tr("The recovery code"))
        self.as_recovery.setObjectName("useRecoveryCode")
        group = QButtonGroup(self)
        group.addButton(self.as_admin)
        group.addButton(self.as_recovery)
        self.as_admin.setChecked(True)
        self.username = QLineEdit()
        self.username.setObjectName("restoreUsername")
        self.secret = QLineEdit()
        self.secret.setObjectName("restoreSecret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(tr("Backup file"), where)
        form.addRow(tr("Open with"), self.as_admin)
        form.addRow("", self.as_recovery)
        form.addRow(tr("Administrator"), self.username)
        form.addRow(tr("Password or code"), self.secret)
        self.busy = busy_bar()
        self.error = message_label("errorText")
        self.restore_button = QPushButton(tr("Restore"))
        self.restore_button.setObjectName("restoreBackup")
        self.restore_button.setDefault(True)
        cancel = QPushButton(tr("Cancel"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.restore_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.busy)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.restore_button.clicked.connect(self.restore)
        cancel.clicked.connect(self.reject)
        self.as_admin.toggled.connect(self.username.setEnabled)

    @property
    def loading(self) -> bool:
        return operations.running(self.operation)

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, tr("Choose the backup"), "", tr("Safehold backups (*.db);;All files (*)")
        )
        if chosen:
            self.path.setText(chosen)

    def restore(self) -> None:
        if operations.running(self.operation):
            return
        source = Path(self.path.text().strip())
        if not self.path.text().strip():
            self.error.setText(tr("Choose the backup file."))
            return
        user = self.username.text().strip() if self.as_admin.isChecked() else None
        if self.as_admin.isChecked() and not user:
            self.error.setText(tr("Enter the administrator's user name."))
            return
        secret, entrance, replace = self.secret.text(), self.entrance, self.replace_damaged
        # The suggested "latest" backup: the newest that authenticates once opened.
        backup = None if self.suggested is not None and source == self.suggested else source
        self.secret.clear()

        def work(_job: jobs.Job) -> RestoreReport | Replaced:
            if replace:
                return entrance.replace_damaged(backup, secret, user)
            return entrance.restore(backup, secret, user)

        self.operation = operations.change(
            work,
            self._done,
            parent=self,
            message=self.error,
            progress=self.busy,
            busy=[self.restore_button],
        )

    def _done(self, report: RestoreReport | Replaced) -> None:
        self.restored.emit(report.describe())
        self.accept()
