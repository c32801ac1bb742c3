"""The caseload table: ids sorted by the database, rows fetched lazily a page at a time.

Clicking a header re-runs the sorted id query; there is no proxy model sorting partly loaded
rows. Only the rows the view actually shows are ever fetched.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from casework.services.cases import CaseFilter, CaseRow, CaseSort
from casework.workspace import Workspace
from ui import jobs
from ui.messages import error_text

PAGE = 100
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1

ModelIndex = QModelIndex | QPersistentModelIndex


def tr(text: str) -> str:
    return QCoreApplication.translate("CaseloadModel", text)


class CaseloadModel(QAbstractTableModel):
    COLUMNS = (
        (CaseSort.REFERENCE, "Reference"),
        (CaseSort.NAME, "Name"),
        (CaseSort.INTAKE_DATE, "Intake date"),
        (CaseSort.STATUS, "Status"),
        (CaseSort.CASEWORKER, "Caseworker"),
        (CaseSort.RISK, "Risk"),
        (CaseSort.LAST_CONTACT, "Last contact"),
    )

    def __init__(self, workspace: Workspace, parent: Any = None) -> None:
        super().__init__(parent)
        self._workspace: Workspace | None = workspace
        self._ids: list[str] = []
        self._rows: dict[str, CaseRow] = {}
        self._sort = CaseSort.INTAKE_DATE
        self._descending = True
        self._where = CaseFilter()
        self._generation = 0
        self._pending: jobs.Job | None = None

    def set_filter(self, where: CaseFilter) -> None:
        self._where = where
        self.reload()

    loading_changed = Signal(bool)

    @property
    def loading(self) -> bool:
        return self._pending is not None

    def reload(self) -> None:
        """Re-run the sorted, filtered id query off the UI thread (at 100,000 cases it takes a
        noticeable moment); the newest request wins if several overlap."""
        workspace = self._workspace
        if workspace is None:
            return
        sort, descending, where = self._sort, self._descending, self._where
        self._generation += 1
        generation = self._generation
        self._pending = jobs.start(
            lambda _job: workspace.caseload_ids(sort, descending, where),
            lambda ids: self._loaded(generation, ids),
            lambda error: self._load_failed(generation, error),
        )
        self.loading_changed.emit(True)

    def _loaded(self, generation: int, ids: list[str]) -> None:
        if generation != self._generation or self._workspace is None:
            return
        self._pending = None
        self.beginResetModel()
        self._rows.clear()
        self._ids = ids
        self.endResetModel()
        self.loading_changed.emit(False)

    def _load_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._pending = None
        self.loading_changed.emit(False)
        if self._workspace is not None:
            self.failed.emit(error_text(error))

    failed = Signal(str)

    def clear(self) -> None:
        """Forget every row (on lock): nothing of the caseload stays in memory."""
        self._generation += 1
        self._pending = None
        self.beginResetModel()
        self._ids = []
        self._rows.clear()
        self._workspace = None
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return tr(self.COLUMNS[section][1])
        return None

    def _row(self, position: int) -> CaseRow | None:
        case_id = self._ids[position]
        row = self._rows.get(case_id)
        if row is None and self._workspace is not None:
            start = position - position % PAGE
            page = [i for i in self._ids[start : start + PAGE] if i not in self._rows]
            for fetched in self._workspace.caseload_rows(page):
                self._rows[fetched.case_id] = fetched
            row = self._rows.get(case_id)
        return row

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == CASE_ID_ROLE:
            return self._ids[index.row()]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self._row(index.row())
        if row is None:
            return None
        column = self.COLUMNS[index.column()][0]
        if column == CaseSort.REFERENCE:
            return row.reference
        if column == CaseSort.NAME:
            return row.survivor_name
        if column == CaseSort.INTAKE_DATE:
            return row.intake_date.isoformat()
        if column == CaseSort.STATUS:
            return QCoreApplication.translate("vocab", row.status.label)
        if column == CaseSort.RISK:
            return QCoreApplication.translate("vocab", row.risk_level.label)
        if column == CaseSort.LAST_CONTACT:
            return row.last_contact_date.isoformat() if row.last_contact_date else ""
        return row.caseworker

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.COLUMNS):
            return
        self._sort = self.COLUMNS[column][0]
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def row_of(self, case_id: str) -> int:
        try:
            return self._ids.index(case_id)
        except ValueError:
            return -1
