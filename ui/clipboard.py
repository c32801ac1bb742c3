"""Copied case text leaves the clipboard after 30 seconds, and at once on lock, if the clipboard
still holds what was copied from Safehold (something copied since, elsewhere, is left alone).

As KeePassXC does it: what Safehold copies is marked sensitive
(``x-kde-passwordManagerHint: secret``, which Klipper and other clipboard managers honour by
keeping no history of it), and the X11 primary selection (what selecting text puts there, for
a middle click to paste) is cleared with the clipboard."""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QMimeData, QObject, QTimer
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import QApplication

CLEAR_AFTER_MS = 30_000
SENSITIVE_HINT = "x-kde-passwordManagerHint"


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def sensitive(text: str) -> QMimeData:
    """Text for the clipboard, marked so clipboard managers keep no history of it."""
    data = QMimeData()
    data.setText(text)
    data.setData(SENSITIVE_HINT, b"secret")
    return data


class ClipboardGuard(QObject):
    def __init__(self, clear_after_ms: int = CLEAR_AFTER_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clipboard: QClipboard = QGuiApplication.clipboard()
        # Digests per mode, so the guard itself keeps no copy of the text.
        self._ours: dict[QClipboard.Mode, bytes | None] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(clear_after_ms)
        self._timer.timeout.connect(self.clear_if_ours)
        self._clipboard.dataChanged.connect(self._changed)
        self._clipboard.selectionChanged.connect(self._selection_changed)

    def _from_us(self, mode: QClipboard.Mode) -> bool:
        return (
            self._clipboard.ownsClipboard()
            if mode == QClipboard.Mode.Clipboard
            else self._clipboard.ownsSelection()
        ) or (
            QApplication.activeWindow() is not None
            or QGuiApplication.applicationState().name == "ApplicationActive"
        )

    def _seen(self, mode: QClipboard.Mode) -> None:
        text = self._clipboard.text(mode)
        ours = self._ours.get(mode)
        if ours is not None and text and _digest(text) == ours:
            return  # our own copy, seen again
        if text and self._from_us(mode):
            self._ours[mode] = _digest(text)
            if mode == QClipboard.Mode.Clipboard:
                mime = self._clipboard.mimeData(mode)
                if mime is None or not mime.hasFormat(SENSITIVE_HINT):
                    # Put it back marked sensitive (seen again above, not re-marked).
                    self._clipboard.setMimeData(sensitive(text), mode)
            self._timer.start()
        else:
            self._ours[mode] = None

    def _changed(self) -> None:
        self._seen(QClipboard.Mode.Clipboard)

    def _selection_changed(self) -> None:
        if self._clipboard.supportsSelection():
            self._seen(QClipboard.Mode.Selection)

    def clear_if_ours(self) -> None:
        for mode, ours in list(self._ours.items()):
            text = self._clipboard.text(mode)
            if ours is not None and text and _digest(text) == ours:
                self._clipboard.clear(mode)
        self._ours.clear()
        self._timer.stop()

    def detach(self) -> None:
        self._clipboard.dataChanged.disconnect(self._changed)
        self._clipboard.selectionChanged.disconnect(self._selection_changed)
