"""Scrolling a form with the wheel never changes a field the cursor is not in (the intake form
turned "Possible victim" into "Not a victim" on the way past); it scrolls the form instead. A
field the user clicked into still answers the wheel."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from casework.model.vocab import TraffickingStatus
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import WORKER_PASSWORD
from tests.ui.conftest import MakeWindow, sign_in
from ui.views.intake import IntakeForm

DOWN = -120  # one notch towards the user


def turn_wheel(widget: QWidget, notches: int = 1) -> None:
    """A wheel turn over ``widget`` as the window system delivers it: to the widget under the
    pointer, in the application's event dispatch."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, DOWN * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_scrolls_the_intake_form_past_its_fields(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
) -> None:
    window = make_window(vault_folder)
    window.resize(1180, 600)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    assert window.workspace_view is not None
    window.workspace_view.new_survivor()
    form = window.workspace_view.detail.currentWidget()
    assert isinstance(form, IntakeForm)
    fields = form.fields
    scroll = form.findChild(QScrollArea)
    assert scroll is not None and scroll.verticalScrollBar().maximum() > 0  # the form scrolls
    fields.first_name.setFocus()
    status = fields.status
    assert status.currentData() == TraffickingStatus.POSSIBLE and status.isVisible()
    start = scroll.verticalScrollBar().value()

    for widget in (status, fields.gender, fields.estimated_age, fields.intake_date):
        before = widget.currentText() if hasattr(widget, "currentText") else widget.text()
        turn_wheel(widget, 2)
        after = widget.currentText() if hasattr(widget, "currentText") else widget.text()
        assert after == before, f"the wheel changed {type(widget).__name__}"
        assert not widget.hasFocus()
    assert status.currentData() == TraffickingStatus.POSSIBLE
    assert scroll.verticalScrollBar().value() > start  # the turn scrolled the form instead
    assert status.focusPolicy() == Qt.FocusPolicy.StrongFocus  # a click or Tab still focuses

    status.setFocus()  # the user clicked into it: now the wheel is hers to use on it
    qtbot.waitUntil(status.hasFocus)
    turn_wheel(status)
    assert status.currentData() != TraffickingStatus.POSSIBLE
