"""Shared pieces of the case's sections: the translation context and small tables."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)


def tr(text: str) -> str:
    return QCoreApplication.translate("CaseView", text)


class CaseTable(QTableWidget):
    """A section's list. Empty, it says what to do instead of showing a blank box; the actions
    on a selected row are enabled only while a row is selected."""

    def __init__(self, columns: int, empty: str = "") -> None:
        super().__init__(0, columns)
        self.empty_text = empty
        self._row_actions: list[QWidget] = []
        self.itemSelectionChanged.connect(self._selection_changed)

    def needs_row(self, *actions: QWidget) -> None:
        self._row_actions.extend(actions)
        self._selection_changed()

    def _selection_changed(self) -> None:
        chosen = self.rowCount() > 0 and bool(self.selectedItems())
        for action in self._row_actions:
            action.setEnabled(chosen)
        self.setAccessibleDescription(self.empty_text if self.rowCount() == 0 else "")

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.rowCount() or not self.empty_text:
            return
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        area = self.viewport().rect().adjusted(12, 12, -12, -12)
        flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
        painter.drawText(area, int(flags) | int(Qt.TextFlag.TextWordWrap), self.empty_text)
        painter.end()


def table(headers: list[str], empty: str = "") -> CaseTable:
    widget = CaseTable(len(headers), empty)
    widget.setHorizontalHeaderLabels(headers)
    widget.verticalHeader().hide()
    widget.horizontalHeader().setStretchLastSection(True)
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    widget.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    widget.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    return widget


def fill_table(widget: QTableWidget, rows: list[list[str]], keys: list[str]) -> None:
    widget.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            if c == 0:
                item.setData(256, keys[r])
            widget.setItem(r, c, item)
    widget.resizeColumnsToContents()
    if isinstance(widget, CaseTable):
        widget._selection_changed()
        widget.viewport().update()


def selected_key(widget: QTableWidget) -> str | None:
    item = widget.item(widget.currentRow(), 0) if widget.currentRow() >= 0 else None
    return item.data(256) if item is not None else None


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
