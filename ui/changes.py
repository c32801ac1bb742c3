"""After any change, every open view that shows the vault shows it as it now is.

Every change operation that succeeds (``ui.operations.change``) announces itself here with the
widget it was started from. A view that shows something from the vault follows the
announcements (``follow(widget, reload)``): it reloads at the next turn of the event loop if it
is on screen, or when it is next shown if it is not (a hidden section does not read the vault
for nothing). The view a change came from (the operation's widget, or what holds it in its
window) refreshes itself in the operation's ``done`` and is left alone here, so nothing reads
twice; the owner of a dialog is not left alone: it hears of the dialog's change as every other
view does. Announcements that arrive together are handled once.

So no view has to know which others show what it changed: a case closed from the approvals
inbox, a bed given from the case, a release recorded while the referral's refusal is shown all
reach every open view the same way.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class _Follower(QObject):
    """One view's following: its reload, and whether it missed a change while hidden."""

    def __init__(self, widget: QWidget, reload: Callable[[], None]) -> None:
        super().__init__(widget)  # it goes with the widget
        self.widget = widget
        self.reload = reload
        self.stale = False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and self.stale:
            self.stale = False
            self.reload()
        return False

    def changed(self) -> None:
        if self.widget.isVisible():
            self.stale = False
            self.reload()
        else:
            self.stale = True


PRUNE_AT = 256  # followers kept before the closed views' are dropped
_followers: list[_Follower] = []
_sources: list[QObject] = []
_flush: QTimer | None = None


def follow(widget: QWidget, reload: Callable[[], None]) -> None:
    """``reload`` after every change made elsewhere, while ``widget`` lives."""
    if len(_followers) >= PRUNE_AT:  # views opened and closed with no change between
        _prune()
    _followers.append(_Follower(widget, reload))


def _prune() -> None:
    _followers[:] = [f for f in _followers if shiboken6.isValid(f) and shiboken6.isValid(f.widget)]


def announce(source: QObject) -> None:
    """A change started from ``source`` has been written (called by ``ui.operations``)."""
    global _flush
    _sources.append(source)
    if _flush is None:
        _flush = QTimer()
        _flush.setSingleShot(True)
        _flush.setInterval(0)
        _flush.timeout.connect(_deliver)
    if not _flush.isActive():
        _flush.start()


def _address(node: QObject) -> int:
    return int(shiboken6.getCppPointer(node)[0])


def _lineage(source: QObject) -> set[int]:
    """``source`` and what holds it in its window: the view it was made in refreshes itself.
    A dialog is a window of its own, so its owner is not of its lineage: the owner reads
    again as any other view does (it did not make the change)."""
    found: set[int] = set()
    node: QObject | None = source
    while node is not None and shiboken6.isValid(node):
        found.add(_address(node))
        if isinstance(node, QWidget) and node.isWindow():
            break
        node = node.parent()
    return found


def _deliver() -> None:
    origin: set[int] = set()
    for source in _sources:
        if shiboken6.isValid(source):
            origin |= _lineage(source)
    _sources.clear()
    _prune()
    for follower in list(_followers):
        if _address(follower.widget) in origin:
            continue  # the change came from inside it: it has refreshed itself
        follower.changed()


def pending() -> bool:
    """Whether announced changes are still to be delivered (for tests that wait on them)."""
    return _flush is not None and _flush.isActive()
