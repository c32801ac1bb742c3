"""The Counseling section."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from casework.application.desk import Desk
from casework.model.vocab import (
    Attendance,
    Modality,
    SessionKind,
)
from ui.views.case.common import tr
from ui.views.tab import Saving, Tab
from ui.widgets import date_edit, to_date, vocab


class CounselingTab(Tab):
    def __init__(self, workspace: Desk, case_id: str) -> None:
        super().__init__(workspace, case_id)
        self.held_on = date_edit(latest=workspace.clock.today())
        self.minutes = QSpinBox()
        self.minutes.setRange(5, 480)
        self.minutes.setValue(50)
        self.minutes.setSuffix(tr(" min"))
        self.kind = QComboBox()
        for kind in SessionKind:
            self.kind.addItem(vocab(kind.label), kind)
        self.modality = QComboBox()
        for modality in Modality:
            self.modality.addItem(vocab(modality.label), modality)
        self.attendance = QComboBox()
        for attendance in Attendance:
            self.attendance.addItem(vocab(attendance.label), attendance)
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("sessionNotes")
        self.notes.setMaximumHeight(80)
        self.notes.setPlaceholderText(
            tr("Session notes: only you and supervisors will be able to read them")
        )
        record = QPushButton(tr("Record the session"))
        record.setObjectName("recordSession")
        row = QHBoxLayout()
        for widget in (self.held_on, self.minutes, self.kind, self.modality, self.attendance):
            row.addWidget(widget)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.notes)
        layout.addWidget(record)
        layout.addWidget(self.message)
        layout.addWidget(self.list, 1)
        record.clicked.connect(self.record)
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        for item in self.workspace.counseling.of_case(self.case_id):
            head = (
                f"{item.held_on.isoformat()} · {vocab(item.kind.label)} · "
                f"{vocab(item.modality.label)} · {item.duration_minutes} min · "
                f"{vocab(item.attendance.label)} · {item.counselor}"
            )
            body = (
                tr("(notes visible to the counselor and supervisors only)")
                if item.notes_hidden
                else item.notes
            )
            self.list.addItem(f"{head}\n{body}" if body else head)

    def record(self) -> Saving:
        counseling, case_id = self.workspace.counseling, self.case_id
        held_on, minutes, kind, modality, attendance, notes = (
            to_date(self.held_on),
            self.minutes.value(),
            self.kind.currentData(),
            self.modality.currentData(),
            self.attendance.currentData(),
            self.notes.toPlainText(),
        )
        return self.submit(
            lambda: counseling.record(case_id, held_on, minutes, kind, modality, attendance, notes),
            lambda _session: self.notes.clear(),
        )
