"""A caseworker corrects a record from the case's overview: the fields come filled as stored,
only what she changes is saved, the case's header, the caseload and the history follow at once;
typed changes are not dropped without asking; a supervisor reads the value a change replaced."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from casework.model.vocab import RiskLevel, TraffickingStatus
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import SUPERVISOR_PASSWORD
from tests.ui.conftest import (
    MakeWindow,
    answering,
    case_of_amina_as,
    choose,
    look_at,
    open_case_as,
    wait_loaded,
)
from ui.views.case.correction import CorrectionDialog
from ui.views.case.view import CaseView
from ui.windows.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton


def correct_button(view: CaseView, group: int) -> QPushButton:
    buttons = view.overview.body.findChildren(QPushButton, "correctRecord")
    assert len(buttons) == 3  # person, contact, case
    return buttons[group]


def test_a_caseworker_corrects_a_name_and_the_status_and_every_screen_follows(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
) -> None:
    view, case = case_of_amina_as(
        qtbot,
        make_window,
        vault_folder,
        today,
        first_name="Olna",
        last_name="Petrenko",
        phone="+380 1",
    )
    window = view.window()
    assert isinstance(window, MainWindow)
    assert view.title.text() == "Olna Petrenko"

    qtbot.mouseClick(correct_button(view, 0), LEFT)
    dialog = view.overview.correction
    assert isinstance(dialog, CorrectionDialog) and dialog.isVisible()
    fields = dialog.fields
    assert fields.first_name.text() == "Olna" and fields.phone.text() == "+380 1"
    assert dialog.focusWidget() is fields.first_name  # the cursor where she clicked "Correct"
    fields.first_name.setText("Olena")
    fields.status.setCurrentIndex(fields.status.findData(TraffickingStatus.ACTUAL))
    fields.risk.setCurrentIndex(fields.risk.findData(RiskLevel.HIGH))
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)

    assert view.title.text() == "Olena Petrenko"  # the header followed
    shown = view.overview.body.findChildren(type(view.title))
    texts = [label.text() for label in shown]
    assert "Actual victim of trafficking" in texts and "High" in texts
    assert window.workspace_view is not None
    caseload = window.workspace_view.caseload
    assert caseload is not None
    wait_loaded(qtbot, caseload.model)
    assert caseload.model.data(caseload.model.index(0, 1)) == "Olena Petrenko"
    look_at(qtbot, view, view.history)
    history = view.history.view.toPlainText()
    assert "First name changed by Amina K." in history
    assert "Trafficking status changed by Amina K." in history
    assert "Olna" not in history  # the old value is for supervisors
    window.close()

    sara = open_case_as(qtbot, make_window, vault_folder, "sara", SUPERVISOR_PASSWORD, case.case_id)
    history = sara.history.view.toPlainText()
    assert "was: Olna · now: Olena" in history
    assert "was: Possible victim of trafficking · now: Actual victim of trafficking" in history


@pytest.mark.parametrize(
    "answer", [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
)
def test_typed_changes_are_not_dropped_unasked(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
    monkeypatch: pytest.MonkeyPatch,
    answer: QMessageBox.StandardButton,
) -> None:
    view, _case = case_of_amina_as(
        qtbot, make_window, vault_folder, today, first_name="Neema", safe_contact_note="Mornings"
    )
    qtbot.mouseClick(correct_button(view, 1), LEFT)
    dialog = view.overview.correction
    asked = answering(monkeypatch, answer)
    qtbot.mouseClick(dialog.cancel_button, LEFT)
    assert not dialog.isVisible() and asked == []  # nothing typed: nothing to ask

    qtbot.mouseClick(correct_button(view, 1), LEFT)
    dialog = view.overview.correction
    dialog.fields.safe_contact.setPlainText("Only through her sister")
    qtbot.mouseClick(dialog.cancel_button, LEFT)
    assert asked == ["Discard your changes?"]
    if answer == QMessageBox.StandardButton.Discard:
        assert not dialog.isVisible()
        assert view.overview.detail.safe_contact_note == "Mornings"
    else:
        assert dialog.isVisible()
        assert dialog.fields.safe_contact.toPlainText() == "Only through her sister"
        dialog.close()  # the window's close asks too
        assert asked == ["Discard your changes?"] * 2 and dialog.isVisible()


def test_a_refused_correction_says_why_and_keeps_what_was_typed(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
) -> None:
    view, _case = case_of_amina_as(qtbot, make_window, vault_folder, today, first_name="Dana")
    qtbot.mouseClick(correct_button(view, 0), LEFT)
    dialog = view.overview.correction
    dialog.fields.first_name.setText("")
    choose(qtbot, dialog.fields.citizenship, "Kenya")
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=10000)
    assert "first name" in dialog.error.text() and dialog.isVisible()
    assert dialog.fields.citizenship.codes() == ("KE",)
    assert view.overview.detail.first_name == "Dana"
    dialog.fields.first_name.setText("Dana")
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    assert view.overview.detail.citizenship == ("KE",)
