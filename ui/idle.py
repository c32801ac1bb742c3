"""Locks the vault after a stretch without keyboard or mouse input."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

USER_INPUT = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class IdleWatcher(QObject):
    """An application-wide event filter: any user input puts the countdown back to its start.

    The filter sees every event of the application, hundreds a second while the mouse moves, so it
    only notes the time in Python. The single-shot timer fires at the earliest moment the vault
    could be idle; it then checks the time of the last input and either signals `idle` or sleeps
    for what is left. That is one call into Qt per countdown, not one per mouse move (a binding
    that mishandles a call is then met a few times an hour, not a million times a day).
    """

    idle = Signal()

    def __init__(
        self, parent: QObject | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(parent)
        self._now = clock
        self._interval_ms = 0
        self._last_input = self._now()
        self._armed = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)

    def start(self, interval_ms: int) -> None:
        self._interval_ms = interval_ms
        self._last_input = self._now()
        self._armed = True
        self._timer.start(interval_ms)

    def stop(self) -> None:
        self._armed = False
        self._timer.stop()

    @property
    def active(self) -> bool:
        return self._armed

    @property
    def interval_ms(self) -> int:
        return self._interval_ms

    def _check(self) -> None:
        if not self._armed:
            return
        quiet_ms = (self._now() - self._last_input) * 1000
        left_ms = self._interval_ms - quiet_ms
        if left_ms > 0:
            self._timer.start(max(1, int(left_ms) + 1))
            return
        self._armed = False
        self.idle.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._armed and event.type() in USER_INPUT:
            self._last_input = self._now()
        return False
