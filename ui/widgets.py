"""Small widget helpers shared by the views."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QCoreApplication, QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QTableWidget,
    QTextEdit,
    QWidget,
)

from casework.clock import SYSTEM


def vocab(label: str) -> str:
    """A controlled-vocabulary label, translated."""
    return QCoreApplication.translate("vocab", label)


def message_label(name: str = "errorText") -> QLabel:
    """A wrapping line for a form's message (styled by its object name: errorText, infoText)."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


def progress_bar(name: str) -> QProgressBar:
    """A thin determinate progress bar, hidden until work starts."""
    bar = QProgressBar()
    bar.setObjectName(name)
    bar.setMaximumHeight(10)
    bar.setTextVisible(False)
    bar.hide()
    return bar


def busy_bar(height: int = 6) -> QProgressBar:
    """A thin, indeterminate progress bar, hidden until work starts."""
    bar = QProgressBar()
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    bar.setMaximumHeight(height)
    bar.hide()
    return bar


def date_edit(value: date | None = None, latest: date | None = None) -> QDateEdit:
    """A date field with a calendar, in ISO form, not after ``latest`` if given."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    day = value or SYSTEM.today()
    edit.setDate(QDate(day.year, day.month, day.day))
    if latest is not None:
        edit.setMaximumDate(QDate(latest.year, latest.month, latest.day))
    return edit


def to_date(widget: QDateEdit) -> date:
    value = widget.date()
    return date(value.year(), value.month(), value.day())


TEXT_HOLDERS = (
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QListWidget,
    QTableWidget,
    QComboBox,
)


def scrub(root: QWidget) -> None:
    """Empty every text-bearing widget under ``root`` (itself included): on lock, widgets wait
    for the event loop to delete them, and must not hold case data meanwhile."""
    for widget in [root, *root.findChildren(QWidget)]:
        widget.blockSignals(True)  # going away: no handler runs on the emptied values
        if isinstance(widget, TEXT_HOLDERS):
            widget.clear()
        if widget.isWindow():
            widget.setWindowTitle("")
