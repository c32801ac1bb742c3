"""Admitting someone to a shelter bed, with the night they came: from their case (the person is
known, a bed is chosen) or from the shelter board (the bed is chosen, the person is found by
name or case reference, those on the waiting list first). Nobody types a case reference."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from casework.application.types import BedState, PersonHit
from ui import operations
from ui.widgets import date_edit, message_label, to_date

SEARCH_DELAY_MS = 250


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
        self.workspace = workspace
        self.case_id = case[0] if case else None
        self.operation: operations.Operation[object] | None = None
        self.searching: operations.Operation[list[PersonHit]] | None = None
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
        self.search_box = QLineEdit()
        self.search_box.setObjectName("admitFind")
        self.search_box.setPlaceholderText(tr("Type a name or a case reference"))
        self.people = QListWidget()
        self.people.setObjectName("admitPeople")
        self.people.setMaximumHeight(160)
        self.error = message_label("errorText")
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
            layout.addWidget(self.search_box)
            layout.addWidget(self.people)
        else:
            self.search_box.hide()
            self.people.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.admit_button)
        layout.addLayout(buttons)
        if not free:
            self.error.show_warning(tr("No bed is free tonight: discharge someone first."))
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(SEARCH_DELAY_MS)
        self._pause.timeout.connect(self._search)
        self.search_box.textChanged.connect(lambda _text: self._pause.start())
        self.people.currentItemChanged.connect(lambda *_items: self._update())
        self.people.itemActivated.connect(lambda _item: self.admit())
        self.admit_button.clicked.connect(self.admit)
        cancel.clicked.connect(self.reject)
        if case is None:
            self._show_waiting()
        self._update()

    def chosen_case(self) -> str | None:
        if self.case_id is not None:
            return self.case_id
        item = self.people.currentItem()
        found = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return found if isinstance(found, str) else None

    def _update(self) -> None:
        self.admit_button.setEnabled(self.bed.count() > 0 and self.chosen_case() is not None)

    def _fill(self, rows: list[tuple[str, str]]) -> None:
        self.people.clear()
        for case_id, text in rows:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, case_id)
            self.people.addItem(item)
        if len(rows) == 1:
            self.people.setCurrentRow(0)
        self._update()

    def _show_waiting(self) -> None:
        self._fill(
            [
                (
                    entry.case_id,
                    tr("{0} · {1} · waiting since {2}").format(
                        entry.preferred_name, entry.case_reference, entry.requested_on.isoformat()
                    ),
                )
                for entry in self.workspace.shelter.waiting_list()
            ]
        )

    def _search(self) -> None:
        text = self.search_box.text().strip()
        if len(text) < 2:
            self._show_waiting()
            return
        cases = self.workspace.cases

        def found(hits: list[PersonHit]) -> None:
            if self.searching is searching:  # not the answer to what was typed before
                self._fill([(hit.case_id, f"{hit.name} · {hit.reference}") for hit in hits])

        searching = self.searching = operations.query(
            lambda: cases.people(text), found, parent=self, message=self.error
        )

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
