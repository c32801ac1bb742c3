"""Admitting someone to a shelter bed, with the night they came: from their case (the person is
known, a bed is chosen) or from the shelter board (the bed is chosen, the person is found by
name or case reference, those on the waiting list first); and putting someone on the waiting
list. Nobody types a case reference into a bare box."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from casework.application.types import BedState, PersonHit
from ui import operations
from ui.views.person_finder import PersonFinder
from ui.widgets import date_edit, message_label, to_date


def tr(text: str) -> str:
    return QCoreApplication.translate("AdmitDialog", text)


def bed_name(bed: BedState) -> str:
    return " · ".join((bed.facility, bed.room, bed.bed))


class AdmitDialog(QDialog):
    """Choose the bed (free tonight), the person (unless the case is given) and the date."""

    admitted = Signal(str)  # the case id

    def __init__(
        self,
        workspace: Desk,
        case: tuple[str, str] | None = None,  # (case id, how it is shown)
        bed_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("admitDialog")
        self.setWindowTitle(tr("Admit to a shelter bed"))
        self.setMinimumWidth(440)
        self.workspace = workspace
        self.case_id = case[0] if case else None
        self.operation: operations.Operation[object] | None = None
        self.bed = QComboBox()
        self.bed.setObjectName("admitBed")
        free = [bed for bed in workspace.shelter.occupancy() if bed.free]
        for bed in free:
            self.bed.addItem(bed_name(bed), bed.bed_id)
        if bed_id is not None and self.bed.findData(bed_id) >= 0:
            self.bed.setCurrentIndex(self.bed.findData(bed_id))
        today = workspace.clock.today()
        self.day = date_edit(today, latest=today)
        self.day.setObjectName("admittedOn")
        self.error = message_label("errorText")
        self.finder = PersonFinder(workspace, self.error, self._waiting if case is None else list)
        self.search_box, self.people = self.finder.search_box, self.finder.people
        self.admit_button = QPushButton(tr("Admit"))
        self.admit_button.setObjectName("admitConfirm")
        self.admit_button.setDefault(True)
        cancel = QPushButton(tr("Cancel"))
        form = QFormLayout()
        if case is not None:
            form.addRow(tr("Person"), QLabel(case[1]))
        form.addRow(tr("Bed"), self.bed)
        form.addRow(tr("Admitted on"), self.day)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        if case is None:
            layout.addWidget(QLabel(tr("Who is admitted (those waiting for a bed are listed)")))
            layout.addWidget(self.finder)
        else:
            self.finder.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.admit_button)
        layout.addLayout(buttons)
        if not free:
            self.error.show_warning(tr("No bed is free tonight: discharge someone first."))
        self.finder.chosen.connect(self._update)
        self.finder.activated.connect(lambda: self.admit())
        self.admit_button.clicked.connect(self.admit)
        cancel.clicked.connect(self.reject)
        self._update()

    @property
    def searching(self) -> operations.Operation[list[PersonHit]] | None:
        return self.finder.searching

    def chosen_case(self) -> str | None:
        return self.case_id if self.case_id is not None else self.finder.chosen_case()

    def _update(self) -> None:
        self.admit_button.setEnabled(self.bed.count() > 0 and self.chosen_case() is not None)

    def _waiting(self) -> list[tuple[str, str]]:
        return [
            (
                entry.case_id,
                tr("{0} · {1} · waiting since {2}").format(
                    entry.preferred_name, entry.case_reference, entry.requested_on.isoformat()
                ),
            )
            for entry in self.workspace.shelter.waiting_list()
        ]

    def admit(self) -> operations.Operation[object] | None:
        case_id, bed_id = self.chosen_case(), self.bed.currentData()
        if case_id is None or not isinstance(bed_id, str):
            return None
        shelter, on = self.workspace.shelter, to_date(self.day)

        def done(_stay: object) -> None:
            self.admitted.emit(case_id)
            self.accept()

        self.operation = operations.change(
            lambda _job: shelter.admit(case_id, bed_id, on),
            done,
            parent=self,
            message=self.error,
            busy=[self.admit_button],
        )
        return self.operation

    @property
    def admitted_on(self) -> date:
        return to_date(self.day)


class WaitingDialog(QDialog):
    """Put someone on the waiting list for a bed, found by name or reference, with a priority."""

    added = Signal(str)  # the case id

    PRIORITIES = (
        (1, QT_TRANSLATE_NOOP("AdmitDialog", "Urgent")),
        (2, QT_TRANSLATE_NOOP("AdmitDialog", "Normal")),
        (3, QT_TRANSLATE_NOOP("AdmitDialog", "When a bed is free")),
    )

    def __init__(self, workspace: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("waitingDialog")
        self.setWindowTitle(tr("Add to the waiting list"))
        self.setMinimumWidth(440)
        self.workspace = workspace
        self.operation: operations.Operation[object] | None = None
        self.error = message_label("errorText")
        self.finder = PersonFinder(workspace, self.error)
        self.priority = QComboBox()
        self.priority.setObjectName("waitingPriority")
        for value, label in self.PRIORITIES:
            self.priority.addItem(tr(str(label)), value)
        self.priority.setCurrentIndex(1)
        self.add_button = QPushButton(tr("Add to the list"))
        self.add_button.setObjectName("waitingConfirm")
        self.add_button.setDefault(True)
        cancel = QPushButton(tr("Cancel"))
        form = QFormLayout()
        form.addRow(tr("Who"), self.finder)
        form.addRow(tr("Priority"), self.priority)
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.finder.chosen.connect(self._update)
        self.finder.activated.connect(lambda: self.add())
        self.add_button.clicked.connect(self.add)
        cancel.clicked.connect(self.reject)
        self._update()

    def _update(self) -> None:
        self.add_button.setEnabled(self.finder.chosen_case() is not None)

    def add(self) -> operations.Operation[object] | None:
        case_id, priority = self.finder.chosen_case(), self.priority.currentData()
        if case_id is None:
            return None
        shelter = self.workspace.shelter

        def done(_result: object) -> None:
            self.added.emit(case_id)
            self.accept()

        self.operation = operations.change(
            lambda _job: shelter.add_to_waiting_list(case_id, priority),
            done,
            parent=self,
            message=self.error,
            busy=[self.add_button],
        )
        return self.operation
