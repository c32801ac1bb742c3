"""The mouse wheel scrolls forms; it changes a field only once the user has put the cursor in
it. Scrolling the intake form used to turn "Possible victim of trafficking" into "Not a victim
of trafficking" on the way past. One filter on the application covers every screen."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QComboBox, QWidget

# Fields whose value the wheel changes: combo boxes, and spin boxes (dates and times too).
GUARDED = (QComboBox, QAbstractSpinBox)


class WheelGuard(QObject):
    """Gives a wheel turn over a field without focus to the scrolling area behind it, and
    keeps such fields from taking focus from the wheel (they take it from a click or Tab)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, GUARDED):
            return False
        if event.type() == QEvent.Type.Polish:
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            return False
        if event.type() != QEvent.Type.Wheel or watched.hasFocus():
            return False
        area = _scrolling_area(watched)
        if area is not None:
            QCoreApplication.sendEvent(area.viewport(), event)
        return True  # the field's value stays as it was


def _scrolling_area(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


_guard: WheelGuard | None = None


def guard_fields(app: QCoreApplication) -> None:
    """Install the guard on ``app`` once (every window made after it is covered)."""
    global _guard
    if _guard is None:
        _guard = WheelGuard(app)
        app.installEventFilter(_guard)
