"""Keeping what a user types as a draft in the vault while they type, so that leaving the
view, a lock or a crash loses at most the last moment of it (see casework.services.drafts).

A ``DraftKeeper`` watches a form's fields. A pause in typing (DRAFT_DELAY_MS) keeps the form's
state off the UI thread; leaving the view keeps it at once (off the UI thread too); a lock keeps
it here and now, before the key is forgotten (a small write; the lock waits for the vault's
writer anyway). What is kept is read once the writer is held, so of two keeps the one that
commits last always holds the latest state, whatever order they started in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from enum import Enum

from PySide6.QtCore import QDate, QObject, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from casework.application.desk import Desk
from casework.application.types import DraftKind, KeptDraft
from casework.errors import CaseworkError
from ui import operations
from ui.pickers import CodePicker

log = logging.getLogger(__name__)

DRAFT_DELAY_MS = 1500

State = dict[str, object]


def widget_state(fields: dict[str, QWidget]) -> State:
    """The values of ``fields`` as plain JSON values, by name."""
    state: State = {}
    for name, widget in fields.items():
        if isinstance(widget, QLineEdit):
            state[name] = widget.text()
        elif isinstance(widget, QPlainTextEdit):
            state[name] = widget.toPlainText()
        elif isinstance(widget, QCheckBox):
            state[name] = widget.isChecked()
        elif isinstance(widget, QDateEdit):
            state[name] = widget.date().toString("yyyy-MM-dd")
        elif isinstance(widget, QComboBox):
            data = widget.currentData()
            state[name] = data.value if isinstance(data, Enum) else widget.currentIndex()
        elif isinstance(widget, QSpinBox):
            state[name] = widget.value()
        elif isinstance(widget, CodePicker):
            state[name] = list(widget.codes())
    return state


def restore_state(fields: dict[str, QWidget], state: State) -> None:
    """Put ``state`` (from ``widget_state``) back into ``fields``; a value of the wrong kind (a
    draft kept by another version) is left out."""
    for name, widget in fields.items():
        value = state.get(name)
        if isinstance(widget, QLineEdit) and isinstance(value, str):
            widget.setText(value)
        elif isinstance(widget, QPlainTextEdit) and isinstance(value, str):
            widget.setPlainText(value)
        elif isinstance(widget, QCheckBox) and isinstance(value, bool):
            widget.setChecked(value)
        elif isinstance(widget, QDateEdit) and isinstance(value, str):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                continue
            widget.setDate(QDate(day.year, day.month, day.day))
        elif isinstance(widget, QComboBox) and isinstance(value, str | int):
            index = -1
            for i in range(widget.count()):
                data = widget.itemData(i)
                if isinstance(data, Enum) and data.value == value:
                    index = i
            if index < 0 and isinstance(value, int) and 0 <= value < widget.count():
                index = value
            if index >= 0:
                widget.setCurrentIndex(index)
        elif isinstance(widget, QSpinBox) and isinstance(value, int):
            widget.setValue(value)
        elif isinstance(widget, CodePicker) and isinstance(value, list):
            widget.set_codes([code for code in value if isinstance(code, str)])


def _changes(widget: QWidget) -> object:
    """The signal ``widget`` sends when the user changes it."""
    if isinstance(widget, QLineEdit):
        return widget.textChanged
    if isinstance(widget, QPlainTextEdit):
        return widget.textChanged
    if isinstance(widget, QCheckBox):
        return widget.toggled
    if isinstance(widget, QDateEdit):
        return widget.dateChanged
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    if isinstance(widget, QSpinBox):
        return widget.valueChanged
    if isinstance(widget, CodePicker):
        return widget.changed
    raise TypeError(f"no change signal for {type(widget).__name__}")


class _Latest:
    """What to keep, read by the keep once it holds the writer (None: nothing, forget it)."""

    def __init__(self) -> None:
        self.content: State | None = None


class DraftKeeper(QObject):
    """Keeps ``snapshot()`` (None when there is nothing worth keeping) as the user's draft of
    ``kind`` on ``case_id`` while they work (see the module's docstring)."""

    def __init__(
        self,
        parent: QWidget,
        desk: Desk,
        kind: DraftKind,
        case_id: str | None,
        snapshot: Callable[[], State | None],
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.kind = kind
        self.case_id = case_id
        self.snapshot = snapshot
        self.paused = False
        self._latest = _Latest()
        self._sent: State | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DRAFT_DELAY_MS)
        self._timer.timeout.connect(self.keep)

    def watch(self, fields: dict[str, QWidget]) -> None:
        for widget in fields.values():
            _changes(widget).connect(self.touch)  # type: ignore[attr-defined]

    def kept(self) -> KeptDraft | None:
        """The draft kept before (a small read of one row)."""
        try:
            return self.desk.drafts.kept(self.kind, self.case_id)
        except CaseworkError as error:
            log.warning("a draft was not read: %s", type(error).__name__)
            return None

    def touch(self, *_changed: object) -> None:
        if not self.paused:
            self._timer.start()

    def _due(self) -> bool:
        """Whether the form's state differs from what was last sent to be kept (it becomes
        what is sent)."""
        self._timer.stop()
        if self.paused or self.desk.closed:
            return False
        content = self.snapshot()
        if content == self._sent:
            return False
        self._latest.content = self._sent = content
        return True

    def _send(self) -> None:
        drafts, kind, case_id, latest = self.desk.drafts, self.kind, self.case_id, self._latest
        operations.change(
            lambda _job: drafts.keep(kind, case_id, lambda: latest.content),
            parent=self,
            failed=lambda error: log.warning("a draft was not kept: %s", type(error).__name__),
        )

    def keep(self) -> None:
        """Keep the form's state now, off the UI thread."""
        if self._due():
            self._send()

    def keep_here(self) -> None:
        """Keep the form's state before this returns (a lock: the key goes next); nothing is
        kept after it (the form is emptied next)."""
        due = self._due()
        self.paused = True
        if not due:
            return
        latest = self._latest
        try:
            self.desk.drafts.keep(self.kind, self.case_id, lambda: latest.content)
        except CaseworkError as error:
            log.warning("a draft was not kept at the lock: %s", type(error).__name__)

    def discard(self) -> None:
        """Thrown away: remove the draft (off the UI thread)."""
        self.forget()
        if not self.desk.closed:
            self._send()

    def forget(self) -> None:
        """The work is saved or thrown away: keep nothing more of it, and any keep still on its
        way removes the draft instead."""
        self._timer.stop()
        self._latest.content = self._sent = None


def keep_drafts(widget: QWidget, here: bool = False) -> None:
    """Keep the drafts of every form inside ``widget`` (leaving a view; ``here``: a lock)."""
    for keeper in widget.findChildren(DraftKeeper):
        if here:
            keeper.keep_here()
        else:
            keeper.keep()
