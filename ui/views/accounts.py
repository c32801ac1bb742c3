"""Account dialogs for administrators: add a user, set a new password. Both run the slow key
derivation off the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from casework.errors import ValidationError
from casework.model.vocab import Role
from ui import operations
from ui.messages import error_text
from ui.widgets import busy_bar, message_label


def tr(text: str) -> str:
    return QCoreApplication.translate("AccountDialogs", text)


class AccountDialog(QDialog):
    """A form whose OK runs ``action(values)`` in the background and closes on success."""

    def __init__(
        self,
        title: str,
        with_identity: bool,
        parent: QWidget | None = None,
        with_current: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.action: Callable[[], Any] | None = None
        self.form = QFormLayout()
        self.username = QLineEdit()
        self.username.setObjectName("newUsername")
        self.display_name = QLineEdit()
        self.roles = {
            role: QCheckBox(QCoreApplication.translate("vocab", role.label)) for role in Role
        }
        if with_identity:
            self.form.addRow(tr("User name"), self.username)
            self.form.addRow(tr("Full name"), self.display_name)
            roles = QWidget()
            role_layout = QVBoxLayout(roles)
            role_layout.setContentsMargins(0, 0, 0, 0)
            for box in self.roles.values():
                role_layout.addWidget(box)
            self.form.addRow(tr("Roles"), roles)
        self.current = QLineEdit()
        self.current.setObjectName("currentPassword")
        self.current.setEchoMode(QLineEdit.EchoMode.Password)
        if with_current:
            self.form.addRow(tr("Current password"), self.current)
        self.password = QLineEdit()
        self.password.setObjectName("newPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit()
        self.confirm.setObjectName("confirmPassword")
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow(tr("Password"), self.password)
        rule = tr("12 characters or more, or a phrase of four words or more.")
        self.hint = QLabel(
            rule
            if with_current
            else rule
            + " "
            + tr("Give it to the person in private; they can change it under “My password…”.")
        )
        self.hint.setObjectName("subtitle")
        self.hint.setWordWrap(True)  # as a placeholder it was cut at the box's edge
        self.form.addRow("", self.hint)
        self.form.addRow(tr("Repeat the password"), self.confirm)
        self.busy = busy_bar()
        self.error = message_label("errorText")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.busy)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

    def chosen_roles(self) -> frozenset[Role]:
        return frozenset(role for role, box in self.roles.items() if box.isChecked())

    def submit(self) -> None:
        if self.password.text() != self.confirm.text():
            self.error.setText(tr("The two passwords are not the same."))
            return
        if self.action is None:
            return
        action = self.action
        self.operation = operations.change(
            lambda _job: action(),
            self._done,
            parent=self,
            failed=self._failed,
            progress=self.busy,
            busy=[self.buttons],
        )

    def _done(self, _result: object) -> None:
        for field in (self.current, self.password, self.confirm):
            field.clear()
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.error.setText(error_text(error))
        if not isinstance(error, ValidationError):
            for field in (self.current, self.password, self.confirm):
                field.clear()
