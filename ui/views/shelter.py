"""The shelter's occupancy board: every bed, who is in it and since when; admissions,
discharges and the waiting list."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from casework.application.types import BedState
from casework.model.vocab import DischargeReason
from ui import changes, operations
from ui.views.admit import AdmitDialog, WaitingDialog
from ui.widgets import message_label, vocab

BED_ROLE = Qt.ItemDataRole.UserRole + 1


def tr(text: str) -> str:
    return QCoreApplication.translate("ShelterBoard", text)


class ShelterBoard(QWidget):
    open_case = Signal(str)

    def __init__(self, workspace: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.beds: list[BedState] = []
        self.admit_dialog: AdmitDialog | None = None
        title = QLabel(tr("Shelter"))
        title.setObjectName("pageTitle")
        self.summary = QLabel()
        self.summary.setObjectName("subtitle")
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("occupancy")
        self.table.setHorizontalHeaderLabels([tr("Bed"), tr("Facility"), tr("Who"), tr("Since")])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.admit_button = QPushButton(tr("Admit to the selected bed…"))
        self.admit_button.setObjectName("admit")
        self.discharge_button = QPushButton(tr("Discharge…"))
        self.discharge_button.setObjectName("discharge")
        self.wait_button = QPushButton(tr("Add to the waiting list…"))
        self.message = message_label("errorText")
        self.waiting = QListWidget()
        self.waiting.setMaximumHeight(140)
        buttons = QHBoxLayout()
        for button in (self.admit_button, self.discharge_button, self.wait_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(QLabel(tr("Waiting list")))
        layout.addWidget(self.waiting)
        self.admit_button.clicked.connect(lambda: self.admit())
        self.discharge_button.clicked.connect(lambda: self.discharge())
        self.wait_button.clicked.connect(lambda: self.add_waiting())
        self.table.cellDoubleClicked.connect(self._open)
        self.reload()
        changes.follow(self, self.reload)  # a change made elsewhere shows here too

    def reload(self) -> None:
        self.beds = self.workspace.shelter.occupancy()
        self.table.setRowCount(len(self.beds))
        free = 0
        for row, bed in enumerate(self.beds):
            who = f"{bed.case_reference} · {bed.preferred_name}" if not bed.free else tr("free")
            since = bed.since.isoformat() if bed.since else ""
            for column, text in enumerate((bed.bed, bed.facility, who, since)):
                item = QTableWidgetItem(text)
                if bed.free:
                    item.setForeground(QColor("#2e7d32"))
                self.table.setItem(row, column, item)
            free += bed.free
        self.table.resizeColumnsToContents()
        self.summary.setText(
            tr("{0} beds, {1} free tonight").format(len(self.beds), free)
            if self.beds
            else tr("No beds are set up yet: an administrator adds facilities in Administration.")
        )
        self.waiting.clear()
        for entry in self.workspace.shelter.waiting_list():
            self.waiting.addItem(
                f"{entry.priority} · {entry.case_reference} · {entry.preferred_name} · "
                + tr("since {0}").format(entry.requested_on.isoformat())
            )

    def selected(self) -> BedState | None:
        row = self.table.currentRow()
        return self.beds[row] if 0 <= row < len(self.beds) else None

    def _open(self, row: int, _column: int) -> None:
        case_id = self.beds[row].case_id if 0 <= row < len(self.beds) else None
        if case_id:
            self.open_case.emit(case_id)

    def _submit(self, action: Callable[[], object]) -> operations.Operation[object]:
        """``action`` off the UI thread (it never waits there for the vault's writer), then
        the board read again."""
        return operations.change(
            lambda _job: action(), lambda _result: self.reload(), parent=self, message=self.message
        )

    def admit(self) -> AdmitDialog | None:
        """Admit someone to the selected free bed: the dialog finds the person and takes the
        date; the board is read again once they are in."""
        bed = self.selected()
        if bed is None or not bed.free:
            self.message.setText(tr("Choose a free bed first."))
            return None
        self.message.clear()
        dialog = AdmitDialog(self.workspace, bed_id=bed.bed_id, parent=self)
        # the board reads again for the admission as every open view does (ui.changes)
        dialog.admitted.connect(
            lambda _case_id: self.message.show_success(tr("Admitted to {0}.").format(bed.bed))
        )
        dialog.open()
        self.admit_dialog = dialog
        return dialog

    def discharge(
        self, reason: DischargeReason | None = None
    ) -> operations.Operation[object] | None:
        bed = self.selected()
        if bed is None or bed.stay_id is None:
            self.message.setText(tr("Choose an occupied bed first."))
            return None
        stay_id = bed.stay_id
        if reason is None:
            labels = [vocab(r.label) for r in DischargeReason]
            label, ok = QInputDialog.getItem(self, tr("Discharge"), tr("Reason:"), labels, 0, False)
            if not ok:
                return None
            reason = list(DischargeReason)[labels.index(label)]
        shelter, chosen = self.workspace.shelter, reason
        return self._submit(lambda: shelter.discharge(stay_id, chosen))

    def add_waiting(self) -> WaitingDialog:
        """The person found by name or reference, with a priority; the list follows."""
        dialog = WaitingDialog(self.workspace, parent=self)
        dialog.added.connect(lambda _case_id: self.message.show_success(tr("Added to the list.")))
        dialog.open()
        self.waiting_dialog = dialog
        return dialog
