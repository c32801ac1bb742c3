"""The caseload: every case the user may see, filtered and sorted, a page at a time."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from casework.application.types import (
    CaseFilter,
)
from casework.model.vocab import CaseStatus, RiskLevel
from ui.models.caseload import CaseloadModel
from ui.widgets import busy_bar

if TYPE_CHECKING:
    pass


def tr(text: str) -> str:
    return QCoreApplication.translate("Desk", text)


class CaseloadView(QWidget):
    def __init__(self, workspace: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.heading = QLabel()
        self.heading.setObjectName("sectionTitle")
        self.status = QComboBox()
        self.status.setObjectName("statusFilter")
        self.status.addItem(tr("Any status"), ())
        self.status.addItem(tr("Open"), (CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP))
        for status in CaseStatus:
            self.status.addItem(QCoreApplication.translate("vocab", status.label), (status,))
        self.risk = QComboBox()
        self.risk.setObjectName("riskFilter")
        self.risk.addItem(tr("Any risk"), ())
        for level in reversed(list(RiskLevel)):
            self.risk.addItem(QCoreApplication.translate("vocab", level.label), (level,))
        self.worker = QComboBox()
        self.worker.setObjectName("caseworkerFilter")
        self.worker.addItem(tr("Any caseworker"), None)
        if workspace.actor.sees_all_cases:
            for worker_id, name in workspace.cases.caseworkers():
                self.worker.addItem(name, worker_id)
        else:
            self.worker.hide()
        self.intake = QComboBox()
        self.intake.setObjectName("intakeFilter")
        # (from, to) in days before today; None is open-ended.
        self.intake.addItem(tr("Any intake date"), (None, None))
        self.intake.addItem(tr("Intake in the last 30 days"), (30, None))
        self.intake.addItem(tr("Intake in the last 12 months"), (365, None))
        self.intake.addItem(tr("Intake over a year ago"), (None, 365))
        self.overdue = QCheckBox(tr("Overdue tasks"))
        self.overdue.setObjectName("overdueFilter")
        self.quiet = QCheckBox(tr("No contact for 30 days"))
        self.quiet.setObjectName("quietFilter")
        filters = QVBoxLayout()
        for row_widgets in (
            (self.status, self.risk, self.worker),
            (self.intake, self.overdue, self.quiet),
        ):
            row = QHBoxLayout()
            for widget in row_widgets:
                row.addWidget(widget)
            row.addStretch(1)
            filters.addLayout(row)
        for combo in (self.status, self.risk, self.worker, self.intake):
            combo.currentIndexChanged.connect(self.apply_filters)
        for box in (self.overdue, self.quiet):
            box.toggled.connect(self.apply_filters)
        self.model = CaseloadModel(workspace, self)
        self.table = QTableView()
        self.table.setObjectName("caseload")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((130, 190, 100, 125, 130, 70)):
            self.table.setColumnWidth(column, width)
        self.busy = busy_bar()
        self.problem = QLabel()
        self.problem.setObjectName("errorText")
        self.problem.hide()
        self.pending_selection: str | None = None
        self.model.modelReset.connect(self._after_reset)
        self.model.loading_changed.connect(self.busy.setVisible)
        self.model.failed.connect(self._failed)
        # Newest intake first; this runs the first (sorted) query.
        self.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addLayout(filters)
        layout.addWidget(self.busy)
        layout.addWidget(self.problem)
        layout.addWidget(self.table)

    def apply_filters(self) -> None:
        today = self.workspace.clock.today()
        since, until = self.intake.currentData()
        self.model.set_filter(
            CaseFilter(
                intake_from=today - timedelta(days=since) if since is not None else None,
                intake_to=today - timedelta(days=until) if until is not None else None,
                statuses=self.status.currentData(),
                risk_levels=self.risk.currentData(),
                caseworker_id=self.worker.currentData(),
                with_overdue_tasks_on=today if self.overdue.isChecked() else None,
                no_contact_since=today - timedelta(days=30) if self.quiet.isChecked() else None,
            )
        )

    def _failed(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def _after_reset(self) -> None:
        self.problem.hide()
        self._count()
        if self.pending_selection is not None:
            case_id, self.pending_selection = self.pending_selection, None
            self.select(case_id)

    def _count(self) -> None:
        mine = not self.workspace.actor.sees_all_cases
        text = tr("My cases ({0})") if mine else tr("All cases ({0})")
        self.heading.setText(text.format(self.model.rowCount()))

    def select(self, case_id: str) -> None:
        row = self.model.row_of(case_id)
        if row >= 0:
            index = self.model.index(row, 0)
            self.table.selectionModel().select(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.table.scrollTo(index)
