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
    QMessageBox,
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


TONE_MARGINS = (8, 2, 4, 2)  # left (past the 4 px bar), top, right, bottom


class Message(QLabel):
    """A form's line of news, in one of four tones styled alike everywhere (``QLabel[tone=…]``
    in safehold.qss): an error, a warning, a success, a note. Plain ``setText`` gives the
    line's usual tone (an error line's: error), so a failure after a success never shows as
    one. An empty line has no tone, so it shows no coloured bar."""

    def __init__(self, usual: str = "error") -> None:
        super().__init__()
        self.usual = usual
        self.setWordWrap(True)
        self._tone("")

    @property
    def tone(self) -> str:
        """error, warning, success or info; "" while empty."""
        return str(self.property("tone"))

    def setText(self, text: str, /) -> None:
        self._say(text, self.usual)

    def clear(self) -> None:
        self._say("", self.usual)

    def show_error(self, text: str) -> None:
        self._say(text, "error")

    def show_warning(self, text: str) -> None:
        self._say(text, "warning")

    def show_success(self, text: str) -> None:
        self._say(text, "success")

    def show_info(self, text: str) -> None:
        self._say(text, "info")

    def _say(self, text: str, tone: str) -> None:
        super().setText(text)
        self._tone(tone if text else "")

    def _tone(self, tone: str) -> None:
        if self.property("tone") != tone:
            self.setProperty("tone", tone)
            self.style().unpolish(self)
            self.style().polish(self)
            # the text clear of the coloured bar, wrapped or not (a wrapped label's text
            # ignored the style sheet's padding and ran over the bar)
            self.setContentsMargins(*(TONE_MARGINS if tone else (0, 0, 0, 0)))


def discard_confirmed(parent: QWidget, title: str, text: str) -> bool:
    """Whether the user answers Discard to throwing typed work away (Cancel is the default)."""
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


def message_label(name: str = "errorText", usual: str | None = None) -> Message:
    """A wrapping line for a form's messages (see Message): "errorText" is an error line,
    "infoText" a line of notes; another name is a line by that object name, of ``usual`` tone
    (an error line unless said)."""
    label = Message(usual or ("info" if name == "infoText" else "error"))
    label.setObjectName("message" if name in ("errorText", "infoText") else name)
    return label


def show_error(label: QLabel, text: str) -> None:
    """``text`` in ``label`` as an error, whatever the line's usual tone."""
    if isinstance(label, Message):
        label.show_error(text)
    else:
        label.setText(text)


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
