"""The caseload table: sorted, filtered and paged by the database, a page at a time.

Clicking a header re-runs the query; there is no proxy model sorting partly loaded rows. The
model knows how many cases match and holds only the pages the view has asked for; a page it
does not hold is read in the background and painted when it arrives, so scrolling through
100,000 cases never blocks the window.
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

from casework.application.desk import Desk
from casework.application.types import CaseFilter, CaseloadWindow, CaseRow, CaseSort
from ui import operations
from ui.messages import error_text

PAGE = 100
MAX_PAGES = 50
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

    def __init__(self, workspace: Desk, parent: Any = None) -> None:
        super().__init__(parent)
        self._workspace: Desk | None = workspace
        self._total = 0
        self._pages: dict[int, list[CaseRow]] = {}
        self._fetching: set[int] = set()
        self._sort = CaseSort.INTAKE_DATE
        self._descending = True
        self._where = CaseFilter()
        self._generation = 0
        self._pending: operations.Operation[CaseloadWindow] | None = None

    def set_filter(self, where: CaseFilter) -> None:
        self._where = where
        self.reload()

    loading_changed = Signal(bool)
    failed = Signal(str)

    @property
    def loading(self) -> bool:
        return self._pending is not None or bool(self._fetching)

    def reload(self, locate: str | None = None) -> None:
        """Re-run the count and the first page (or the page holding ``locate``) off the UI
        thread; the newest request wins if several overlap."""
        workspace = self._workspace
        if workspace is None:
            return
        sort, descending, where = self._sort, self._descending, self._where
        self._generation += 1
        generation = self._generation
        self._fetching.clear()
        self._pending = operations.query(
            lambda: workspace.cases.caseload_window(sort, descending, where, 0, PAGE, locate),
            lambda window: self._loaded(generation, window),
            parent=self,
            failed=lambda error: self._load_failed(generation, error),
        )
        self.loading_changed.emit(True)

    def _loaded(self, generation: int, window: CaseloadWindow) -> None:
        if generation != self._generation or self._workspace is None:
            return
        self._pending = None
        self.beginResetModel()
        self._total = window.total
        self._pages = {window.offset // PAGE: window.rows}
        self.endResetModel()
        self.loading_changed.emit(False)

    def _load_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._pending = None
        self._fetching.clear()
        self.loading_changed.emit(False)
        if self._workspace is not None:
            self.failed.emit(error_text(error))

    def _fetch(self, page: int) -> None:
        """Read one page in the background; its rows are painted when it arrives."""
        workspace = self._workspace
        if workspace is None or page in self._fetching or self._pending is not None:
            return
        self._fetching.add(page)
        sort, descending, where = self._sort, self._descending, self._where
        generation = self._generation
        operations.query(
            lambda: workspace.cases.caseload_window(sort, descending, where, page * PAGE, PAGE),
            lambda window: self._page_loaded(generation, page, window),
            parent=self,
            failed=lambda error: self._load_failed(generation, error),
        )

    def _page_loaded(self, generation: int, page: int, window: CaseloadWindow) -> None:
        if generation != self._generation or self._workspace is None:
            return
        self._fetching.discard(page)
        if window.total != self._total:  # cases were added or removed meanwhile
            self.reload()
            return
        while len(self._pages) >= MAX_PAGES:  # keep memory flat however far one scrolls
            del self._pages[next(iter(self._pages))]
        self._pages[page] = window.rows
        first, last = page * PAGE, min(self._total, (page + 1) * PAGE) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.COLUMNS) - 1))
        if not self.loading:
            self.loading_changed.emit(False)

    def clear(self) -> None:
        """Forget every row (on lock): nothing of the caseload stays in memory."""
        self._generation += 1
        self._pending = None
        self._fetching.clear()
        self.beginResetModel()
        self._total = 0
        self._pages.clear()
        self._workspace = None
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return tr(self.COLUMNS[section][1])
        return None

    def _row(self, position: int) -> CaseRow | None:
        page, slot = divmod(position, PAGE)
        rows = self._pages.get(page)
        if rows is None:
            self._fetch(page)
            return None
        return rows[slot] if slot < len(rows) else None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._total:
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, CASE_ID_ROLE):
            return None
        row = self._row(index.row())
        if row is None:
            return None
        if role == CASE_ID_ROLE:
            return row.case_id
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
        """The row of a case among the pages held (-1 if it is not in one)."""
        for page, rows in self._pages.items():
            for slot, row in enumerate(rows):
                if row.case_id == case_id:
                    return page * PAGE + slot
        return -1
