"""The intake form: a new survivor and their case. Only a name and the intake date are
required; everything else can wait."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from casework.application.types import CaseDetail, PossibleDuplicate, SurvivorInput
from casework.errors import CaseworkError, ValidationError
from ui.messages import error_text
from ui.views.record_form import RecordFields
from ui.widgets import message_label


def tr(text: str) -> str:
    return QCoreApplication.translate("IntakeForm", text)


class DuplicatesDialog(QDialog):
    """Likely matches, shown before a new person is recorded."""

    open_existing = Signal(str)
    record_anyway = Signal()

    def __init__(self, matches: list[PossibleDuplicate], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("This person may already be known"))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        intro = QLabel(tr("Check these before recording a new person, so nobody is entered twice."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        for match in matches:
            reasons = ", ".join(tr(r) for r in match.reasons)
            if match.case_id:
                text = f"{match.name} · {match.reference} · {match.caseworker} — {reasons}"
            else:
                text = tr("A case in {0}'s caseload — {1}. Ask them or a supervisor.").format(
                    match.caseworker or tr("another caseworker"), reasons
                )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, match.case_id)
            self.list.addItem(item)
        layout.addWidget(self.list)
        self.open_button = QPushButton(tr("Open the selected case"))
        self.open_button.setObjectName("openDuplicate")
        self.new_button = QPushButton(tr("Record a new person"))
        self.new_button.setObjectName("recordAnyway")
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        layout.addLayout(buttons)
        self.open_button.clicked.connect(self._open)
        self.new_button.clicked.connect(self._new)
        self.list.currentItemChanged.connect(
            lambda item, _old: self.open_button.setEnabled(
                bool(item and item.data(Qt.ItemDataRole.UserRole))
            )
        )
        self.open_button.setEnabled(False)

    def _open(self) -> None:
        item = self.list.currentItem()
        if item is not None and item.data(Qt.ItemDataRole.UserRole):
            self.accept()
            self.open_existing.emit(item.data(Qt.ItemDataRole.UserRole))

    def _new(self) -> None:
        self.accept()
        self.record_anyway.emit()


class IntakeForm(QWidget):
    saved = Signal(object)  # CaseDetail
    cancelled = Signal()
    open_existing = Signal(str)

    def __init__(self, workspace: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        title = QLabel(tr("New survivor"))
        title.setObjectName("pageTitle")
        self.fields = RecordFields()

        self.error = message_label("errorText")
        self.save_button = QPushButton(tr("Save and open the case"))
        self.save_button.setObjectName("saveIntake")
        self.save_button.setDefault(True)
        cancel = QPushButton(tr("Cancel"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)

        scroll = QScrollArea()
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.fields)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.cancelled)
        self.fields.first_name.setFocus(Qt.FocusReason.OtherFocusReason)

    def collect(self) -> SurvivorInput:
        return self.fields.collect()

    def save(self) -> None:
        """Check for likely duplicates first; record once the user has seen them."""
        try:
            data = self.collect()
            matches = self.workspace.cases.possible_duplicates(data)
        except CaseworkError as error:
            self.error.setText(error_text(error))
            return
        if matches and data.first_name.strip():
            self.duplicates = DuplicatesDialog(matches, self)
            self.duplicates.open_existing.connect(self.open_existing)
            self.duplicates.record_anyway.connect(self.record)
            self.duplicates.open()
            return
        self.record()

    def record(self) -> None:
        try:
            detail: CaseDetail = self.workspace.cases.record_survivor(self.collect())
        except ValidationError as error:
            self.error.setText(error_text(error))
            field = self.fields.field_for(error.field)
            if field is not None:
                field.setFocus()
            return
        except CaseworkError as error:
            self.error.setText(error_text(error))
            return
        self.saved.emit(detail)
