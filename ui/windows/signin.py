"""Sign-in: the slow key derivation runs off the UI thread behind a busy indicator."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casework.application.entrance import Entrance
from casework.errors import UnlockThrottled, VaultDamaged
from ui import operations
from ui.messages import error_text
from ui.views.restore import RestoreDialog
from ui.widgets import busy_bar, message_label
from ui.windows.setup import centre


def tr(text: str) -> str:
    return QCoreApplication.translate("SignInPage", text)


class SignInPage(QWidget):
    signed_in = Signal(object)  # Desk

    def __init__(
        self, entrance: Entrance, demo_hint: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.entrance = entrance
        self.setObjectName("signInPage")
        self.title = QLabel(tr("Sign in to Safehold"))
        self.title.setObjectName("pageTitle")
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.sign_in = QPushButton(tr("Sign in"))
        self.sign_in.setObjectName("signIn")
        self.sign_in.setDefault(True)
        self.busy = busy_bar()
        self.error = message_label("errorText")
        self.info = message_label("infoText")
        self.hint = QLabel(demo_hint)
        self.hint.setObjectName("demoHint")
        self.hint.setWordWrap(True)
        self.hint.setVisible(bool(demo_hint))
        self.hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        form = QFormLayout()
        form.addRow(tr("User name"), self.username)
        form.addRow(tr("Password"), self.password)
        box = QWidget()
        box.setObjectName("card")
        box.setFixedWidth(460)
        inner = QVBoxLayout(box)
        inner.addWidget(self.title)
        inner.addWidget(self.info)
        inner.addLayout(form)
        inner.addWidget(self.sign_in)
        inner.addWidget(self.busy)
        inner.addWidget(self.error)
        self.restore_button = QPushButton(tr("Restore from the latest backup…"))
        self.restore_button.setObjectName("offerRestore")
        self.restore_button.hide()
        self.restore_button.clicked.connect(lambda: self.open_restore())
        inner.addWidget(self.restore_button)
        inner.addWidget(self.hint)
        centre(self, box)

        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self.sign_in.clicked.connect(self.submit)
        self.password.returnPressed.connect(self.submit)
        self.username.returnPressed.connect(self.password.setFocus)

    def set_organisation(self, name: str) -> None:
        self.title.setText(tr("Sign in to {0}").format(name) if name else tr("Sign in to Safehold"))

    def prepare(self, username: str = "", message: str = "") -> None:
        self.password.clear()
        self.username.setText(username)
        self.error.clear()
        self.info.setText(message)
        self.info.setVisible(bool(message))
        (self.password if username else self.username).setFocus()
        self._tick()

    def submit(self) -> None:
        if not self.sign_in.isEnabled():
            return
        username, password = self.username.text(), self.password.text()
        if not username.strip() or not password:
            self.error.setText(tr("Enter your user name and password."))
            return
        self.info.hide()
        entrance = self.entrance
        # The database is checked (read-only) before sign-in writes anything to it: a damaged
        # vault is refused as it was found, with what is wrong and the way back.
        self.signing_in = operations.change(
            lambda _job: entrance.sign_in(username, password),
            self.signed_in.emit,
            parent=self,
            failed=self._failed,
            progress=self.busy,
            busy=[self.username, self.password, self.sign_in],
        )
        self.error.clear()
        self.password.clear()

    def _failed(self, error: BaseException) -> None:
        self.error.setText(error_text(error))
        # A damaged vault: offer the way back, from the newest good backup.
        self.restore_button.setVisible(isinstance(error, VaultDamaged))
        if isinstance(error, UnlockThrottled):
            self._tick()
        self.password.setFocus()

    def open_restore(self) -> RestoreDialog:
        dialog = RestoreDialog(
            self.entrance, self, replace_damaged=True, suggested=self.entrance.latest_backup()
        )
        dialog.restored.connect(self._restored)
        dialog.open()
        return dialog

    def _restored(self, told: str) -> None:
        self.restore_button.hide()
        self.prepare("", told)

    def _tick(self) -> None:
        wait = self.entrance.seconds_to_wait()
        if wait > 0:
            self.sign_in.setEnabled(False)
            self.sign_in.setText(tr("Wait {0} s").format(int(wait) + 1))
            self._countdown.start()
        else:
            self._countdown.stop()
            self.sign_in.setEnabled(self.username.isEnabled())
            self.sign_in.setText(tr("Sign in"))
