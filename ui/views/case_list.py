"""A list of cases beside the caseload (my tasks, search results, approvals, the cases behind a
dashboard figure), each row opening its case."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.widgets import message_label

CASE_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2


def tr(text: str) -> str:
    return QCoreApplication.translate("Lists", text)


class CaseList(QWidget):
    """A titled list whose items open a case."""

    open_case = Signal(str)

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(title)
        self.title.setObjectName("pageTitle")
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.message = message_label("errorText")
        self.box = QVBoxLayout(self)
        self.box.addWidget(self.title)
        self.box.addWidget(self.message)
        self.box.addWidget(self.list, 1)
        self.list.itemActivated.connect(self._activated)
        self.list.itemDoubleClicked.connect(self._activated)

    def _activated(self, item: QListWidgetItem) -> None:
        case_id = item.data(CASE_ROLE)
        if case_id:
            self.open_case.emit(case_id)

    def heading(self, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        item.setForeground(QColor("#1f3a4d"))
        item.setBackground(QColor("#e9eef2"))
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        self.list.addItem(item)

    def entry(self, text: str, case_id: str | None, key: str | None = None) -> None:
        item = QListWidgetItem(text)
        item.setData(CASE_ROLE, case_id)
        item.setData(KEY_ROLE, key)
        self.list.addItem(item)
