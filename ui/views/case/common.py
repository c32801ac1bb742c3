"""Shared pieces of the case's sections: the translation context and small tables."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QTableWidget,
    QTableWidgetItem,
)


def tr(text: str) -> str:
    return QCoreApplication.translate("CaseView", text)


def table(headers: list[str]) -> QTableWidget:
    widget = QTableWidget(0, len(headers))
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


def selected_key(widget: QTableWidget) -> str | None:
    item = widget.item(widget.currentRow(), 0) if widget.currentRow() >= 0 else None
    return item.data(256) if item is not None else None


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
