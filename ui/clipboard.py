"""Copied case text leaves the clipboard after 30 seconds, and at once on lock, if the clipboard
still holds what was copied from Safehold (something copied since, elsewhere, is left alone)."""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import QApplication

CLEAR_AFTER_MS = 30_000


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


class ClipboardGuard(QObject):
    def __init__(self, clear_after_ms: int = CLEAR_AFTER_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clipboard: QClipboard = QGuiApplication.clipboard()
        self._ours: bytes | None = None  # a digest, so the guard itself keeps no copy of the text
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(clear_after_ms)
        self._timer.timeout.connect(self.clear_if_ours)
        self._clipboard.dataChanged.connect(self._changed)

    def _changed(self) -> None:
        text = self._clipboard.text()
        if self._ours is not None and text and _digest(text) == self._ours:
            return  # our own copy, seen again
        from_us = (
            self._clipboard.ownsClipboard()
            or QApplication.activeWindow() is not None
            or (QGuiApplication.applicationState().name == "ApplicationActive")
        )
        if text and from_us:
            self._ours = _digest(text)
            self._timer.start()
        else:
            self._ours = None
            self._timer.stop()

    def clear_if_ours(self) -> None:
        text = self._clipboard.text()
        if self._ours is not None and text and _digest(text) == self._ours:
            self._clipboard.clear()
        self._ours = None
        self._timer.stop()

    def detach(self) -> None:
        self._clipboard.dataChanged.disconnect(self._changed)
