"""First run: create the organisation's vault and its first administrator, then show the
recovery code once."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont, QTextDocument
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casework.application.entrance import Created, Entrance
from casework.errors import ValidationError
from casework.passwords import check_password
from ui import operations
from ui.messages import error_text
from ui.views.restore import RestoreDialog
from ui.widgets import busy_bar, message_label


def tr(text: str) -> str:
    return QCoreApplication.translate("SetupPage", text)


def card(parent: QWidget) -> tuple[QWidget, QVBoxLayout]:
    box = QWidget(parent)
    box.setObjectName("card")
    box.setFixedWidth(560)
    layout = QVBoxLayout(box)
    centre(parent, box)
    return box, layout


def centre(parent: QWidget, box: QWidget) -> None:
    """Centre a fixed-width card. Stretches rather than an alignment flag, so that wrapped
    labels get the height their width needs (an aligned widget gets only its size hint)."""
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(box)
    row.addStretch(1)
    outer = QVBoxLayout(parent)
    outer.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)


class SetupPage(QWidget):
    created = Signal(object)  # entrance.Created
    restored = Signal(str)  # the restore's account of what came back

    def __init__(self, entrance: Entrance, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entrance = entrance
        _, layout = card(self)
        title = QLabel(tr("Set up Safehold for your organisation"))
        title.setObjectName("pageTitle")
        intro = QLabel(
            tr(
                "Everything you record is kept encrypted on this computer. Create the first "
                "administrator account; more accounts can be added afterwards."
            )
        )
        intro.setWordWrap(True)
        self.org_name = QLineEdit()
        self.country = QLineEdit()
        self.country.setPlaceholderText(tr("Two-letter code, such as KE"))
        self.country.setMaxLength(2)
        self.province = QLineEdit()
        self.admin_username = QLineEdit()
        self.admin_name = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(tr("12 characters or more, or four words"))
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        for name, widget in (
            ("orgName", self.org_name),
            ("country", self.country),
            ("province", self.province),
            ("adminUsername", self.admin_username),
            ("adminName", self.admin_name),
            ("password", self.password),
            ("confirm", self.confirm),
        ):
            widget.setObjectName(name)
        form = QFormLayout()
        form.addRow(tr("Organisation name"), self.org_name)
        form.addRow(tr("Country"), self.country)
        form.addRow(tr("Province or state"), self.province)
        form.addRow(tr("Administrator's user name"), self.admin_username)
        form.addRow(tr("Administrator's full name"), self.admin_name)
        form.addRow(tr("Password"), self.password)
        form.addRow(tr("Repeat the password"), self.confirm)
        self.create_button = QPushButton(tr("Create the vault"))
        self.create_button.setObjectName("create")
        self.create_button.setDefault(True)
        self.busy = busy_bar()
        self.error = message_label("errorText")
        for label in (title, intro):
            layout.addWidget(label)
        layout.addLayout(form)
        layout.addWidget(self.create_button)
        layout.addWidget(self.busy)
        layout.addWidget(self.error)
        self.restore_button = QPushButton(tr("Restore from a backup instead…"))
        self.restore_button.setObjectName("openRestore")
        layout.addWidget(self.restore_button)
        self.create_button.clicked.connect(self.submit)
        self.restore_button.clicked.connect(lambda: self.open_restore())

    def open_restore(self) -> RestoreDialog:
        dialog = RestoreDialog(self.entrance, self)
        dialog.restored.connect(self.restored)
        dialog.open()
        return dialog

    def submit(self) -> None:
        if self.password.text() != self.confirm.text():
            self.error.setText(tr("The two passwords are not the same."))
            return
        try:
            check_password(
                self.password.text(),
                username=self.admin_username.text(),
                organisation=self.org_name.text(),
            )
        except ValidationError as error:
            self.error.setText(error_text(error))
            return
        org_name, country, province = (
            self.org_name.text(),
            self.country.text(),
            self.province.text(),
        )
        username, display_name, password = (
            self.admin_username.text(),
            self.admin_name.text(),
            self.password.text(),
        )
        entrance = self.entrance
        self.creating = operations.change(
            lambda _job: entrance.create(
                org_name=org_name,
                country=country,
                province=province,
                admin_username=username,
                admin_display_name=display_name,
                admin_password=password,
            ),
            self._succeeded,
            parent=self,
            message=self.error,
            progress=self.busy,
            busy=[self.create_button],
        )

    def _succeeded(self, created: Created) -> None:
        self.password.clear()
        self.confirm.clear()
        self.created.emit(created)


class RecoveryCodePage(QWidget):
    """Shown once, right after set-up. The code is never stored anywhere in clear."""

    done = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _, layout = card(self)
        title = QLabel(tr("Your recovery code"))
        title.setObjectName("pageTitle")
        explain = QLabel(
            tr(
                "Write this code down or print it now, and keep it in the office safe. It is shown "
                "only this once. If every administrator forgets their password, it is the only way "
                "back into the records. Anyone holding it can open them: never keep it on this "
                "computer or send it by email or message."
            )
        )
        explain.setWordWrap(True)
        self.code = QLabel()
        self.code.setObjectName("recoveryCode")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(20)
        self.code.setFont(font)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.print_button = QPushButton(tr("&Print the code…"))
        self.print_button.setObjectName("printRecovery")
        self.printed = message_label("errorText")
        self.confirm = QCheckBox(tr("I have written down or printed the recovery code"))
        self.confirm.setObjectName("confirmRecovery")
        self.continue_button = QPushButton(tr("Continue"))
        self.continue_button.setObjectName("continue")
        self.continue_button.setEnabled(False)
        for widget in (title, explain, self.code, self.print_button, self.printed, self.confirm):
            layout.addWidget(widget)
        layout.addWidget(self.continue_button)
        self.confirm.toggled.connect(self.continue_button.setEnabled)
        self.continue_button.clicked.connect(self._finish)
        self.print_button.clicked.connect(self.print_code)

    def show_code(self, code: str) -> None:
        self.code.setText(code)
        self.printed.clear()
        self.confirm.setChecked(False)

    def print_code(self) -> bool:
        """On paper only: a PDF or a print file would leave the code on this computer, which
        is what the code must never be. Returns whether it went to a printer."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(tr("Safehold recovery code"))
        dialog = QPrintDialog(printer, self)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, False)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        if printer.outputFormat() != QPrinter.OutputFormat.NativeFormat or printer.outputFileName():
            # Qt prints to a PDF file when the user picks "Print to file" or no printer is set up
            self.printed.show_warning(
                tr(
                    "Not printed: choose a printer, not a file (if none is listed, write the "
                    "code down). A file would keep the code on this computer, where anyone who "
                    "finds it could open the records."
                )
            )
            return False
        self.page(self.code.text()).print_(printer)
        self.printed.show_success(
            tr("Sent to the printer. Check that the page came out whole before you go on.")
        )
        return True

    @staticmethod
    def page(code: str) -> QTextDocument:
        """The printed page: what the code is, the code, and where it is kept."""
        document = QTextDocument()
        heading = tr("Safehold recovery code")
        keep = tr(
            "Keep this page in the office safe. If every administrator forgets their password, "
            "this code is the only way back into the records; anyone holding it can open them. "
            "Do not copy it, photograph it or keep it on a computer."
        )
        document.setHtml(
            f"<h1>{escape(heading)}</h1>"
            f"<p style='font-family: monospace; font-size: 20pt; white-space: pre'>"
            f"{escape(code)}</p><p>{escape(keep)}</p>"
        )
        return document

    def _finish(self) -> None:
        self.code.clear()
        self.done.emit()
