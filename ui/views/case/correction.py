"""Correcting the record after intake: the intake's fields, filled as stored, saved off the UI
thread; only what the user changed is stored, each change kept in the case's history."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from casework.application.types import CaseDetail
from casework.errors import ValidationError
from ui import operations
from ui.messages import error_text
from ui.views.case.common import tr
from ui.views.record_form import RecordFields
from ui.widgets import discard_confirmed, message_label


class CorrectionDialog(QDialog):
    """The record's fields as stored; Save stores what changed. Closing with changes typed
    asks first."""

    corrected = Signal(object)  # the CaseDetail as saved

    def __init__(
        self, workspace: Desk, detail: CaseDetail, focus: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("correctionDialog")
        self.setWindowTitle(tr("Correct the record of {0}").format(detail.full_name))
        self.workspace = workspace
        self.case_id = detail.case_id
        self.fields = RecordFields()
        self.fields.fill(detail)
        self.before = self.fields.collect()  # the record as shown: what a change is from
        self.operation: operations.Operation[CaseDetail] | None = None
        intro = QLabel(
            tr(
                "Change what is wrong or out of date. Each change is kept in the case's "
                "history with your name; supervisors can see the value it replaced."
            )
        )
        intro.setWordWrap(True)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.fields)
        self.error = message_label("errorText")
        self.save_button = QPushButton(tr("Save changes"))
        self.save_button.setObjectName("saveCorrection")
        self.save_button.setDefault(True)
        self.cancel_button = QPushButton(tr("Cancel"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.resize(640, 620)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        start = self.fields.field_for(focus) or self.fields.first_name
        start.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def edited(self) -> bool:
        return self.fields.collect() != self.before

    def save(self) -> operations.Operation[CaseDetail] | None:
        after = self.fields.collect()
        if after == self.before:
            self.accept()  # nothing changed: nothing to store
            return None
        cases, case_id, before = self.workspace.cases, self.case_id, self.before

        def saved(detail: CaseDetail) -> None:
            self.before = after
            self.corrected.emit(detail)
            self.accept()

        self.operation = operations.change(
            lambda _job: cases.correct_record(case_id, before, after),
            saved,
            parent=self,
            failed=self._refused,
            busy=[self.save_button, self.cancel_button],
        )
        return self.operation

    def _refused(self, error: BaseException) -> None:
        self.error.setText(error_text(error))
        if isinstance(error, ValidationError):
            field = self.fields.field_for(error.field)
            if field is not None:
                field.setFocus(Qt.FocusReason.OtherFocusReason)

    def reject(self) -> None:
        """Cancel, Escape or the window's close: typed changes are not dropped unasked."""
        if operations.running(self.operation):
            return  # the save decides
        if self.edited and not self._discard_confirmed():
            return
        super().reject()

    def _discard_confirmed(self) -> bool:
        return discard_confirmed(
            self,
            tr("Discard your changes?"),
            tr("The changes you typed to this record are not saved. Discard them?"),
        )
