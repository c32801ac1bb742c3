"""Typed work is not lost: a half-filled intake and an unsaved note are kept as drafts in the
vault while they are typed, survive leaving the view, switching case and a lock, and are
offered back; cancelling asks first; saving removes the draft."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from casework.application.types import CaseSort, DraftKind
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import WORKER_PASSWORD
from tests.factories import record_survivor, unlock
from tests.ui.conftest import answering, saved, sign_in
from ui.drafts import DRAFT_DELAY_MS
from ui.views.case.view import CaseView
from ui.views.intake import IntakeForm
from ui.windows.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton
MakeWindow = Callable[[VaultFolder], MainWindow]


def intake_of(window: MainWindow) -> IntakeForm:
    assert window.workspace_view is not None
    window.new_action.trigger()  # the toolbar's "New survivor" (Ctrl+N)
    form = window.workspace_view.detail.currentWidget()
    assert isinstance(form, IntakeForm)
    return form


def kept_intake(window: MainWindow) -> dict[str, object] | None:
    assert window.desk is not None
    kept = window.desk.drafts.kept(DraftKind.INTAKE)
    return kept.content if kept is not None else None


def test_a_half_filled_intake_survives_a_click_elsewhere_and_is_offered_back(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    window = make_window(vault_folder)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    form = intake_of(window)
    qtbot.keyClicks(form.fields.first_name, "Olena")
    qtbot.keyClicks(form.fields.phone, "+380 50 111")
    form.fields.safe_contact.setPlainText("Evenings, through her sister")
    # Straight away, before the pause that keeps a draft: the caseworker opens her tasks.
    window.tasks_action.trigger()
    qtbot.waitUntil(lambda: (kept_intake(window) or {}).get("phone") == "+380 50 111")

    again = intake_of(window)
    assert again.draft_banner.isVisible()
    assert "Olena" in again.draft_text.text()
    assert not again.fields.isEnabled()  # nothing typed over the draft before she decides
    qtbot.mouseClick(again.resume_button, LEFT)
    assert not again.draft_banner.isVisible() and again.fields.isEnabled()
    assert again.fields.first_name.text() == "Olena"
    assert again.fields.phone.text() == "+380 50 111"
    assert again.fields.safe_contact.toPlainText() == "Evenings, through her sister"

    qtbot.mouseClick(again.save_button, LEFT)
    assert window.desk is not None
    assert len(window.desk.cases.caseload_ids(CaseSort.REFERENCE, False)) == 1
    assert kept_intake(window) is None
    assert not intake_of(window).draft_banner.isVisible()


def test_typing_pauses_keep_the_intake_and_a_lock_brings_it_back_as_it_was(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    window = make_window(vault_folder)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    form = intake_of(window)
    qtbot.keyClicks(form.fields.first_name, "Neema")
    qtbot.waitUntil(lambda: kept_intake(window) is not None, timeout=DRAFT_DELAY_MS * 5)
    qtbot.keyClicks(form.fields.last_name, "Achieng")  # and locks at once
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.desk is None

    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    assert window.workspace_view is not None
    back = window.workspace_view.detail.currentWidget()
    assert isinstance(back, IntakeForm)
    assert not back.draft_banner.isVisible()  # she was in the middle of it: it is taken up
    assert (back.fields.first_name.text(), back.fields.last_name.text()) == ("Neema", "Achieng")


@pytest.mark.parametrize(
    "answer", [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
)
def test_cancelling_a_typed_intake_asks_first(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    monkeypatch: pytest.MonkeyPatch,
    answer: QMessageBox.StandardButton,
) -> None:
    asked = answering(monkeypatch, answer)
    window = make_window(vault_folder)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    form = intake_of(window)
    cancel = next(b for b in form.findChildren(QPushButton) if b.text() == "Cancel")
    qtbot.mouseClick(cancel, LEFT)
    assert asked == []  # nothing typed: nothing to ask
    form = intake_of(window)
    qtbot.keyClicks(form.fields.first_name, "Olena")
    form.keeper.keep()
    qtbot.waitUntil(lambda: kept_intake(window) is not None)
    qtbot.mouseClick(next(b for b in form.findChildren(QPushButton) if b.text() == "Cancel"), LEFT)
    assert asked == ["Discard this intake?"]
    assert window.workspace_view is not None
    if answer == QMessageBox.StandardButton.Discard:
        assert window.workspace_view.detail.currentWidget() is not form
        qtbot.waitUntil(lambda: kept_intake(window) is None)
    else:
        assert window.workspace_view.detail.currentWidget() is form
        assert form.fields.first_name.text() == "Olena"
        assert kept_intake(window) is not None


def test_discarding_an_offered_draft_starts_an_empty_form(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    window = make_window(vault_folder)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    assert window.desk is not None
    window.desk.drafts.keep(DraftKind.INTAKE, None, lambda: {"first_name": "Olena"})
    form = intake_of(window)
    assert form.draft_banner.isVisible()
    qtbot.mouseClick(form.discard_draft_button, LEFT)
    assert form.fields.isEnabled() and form.fields.first_name.text() == ""
    qtbot.waitUntil(lambda: kept_intake(window) is None)


def test_an_unsaved_note_survives_switching_case_and_goes_once_added(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    first = record_survivor(amina, today, first_name="Olena").case_id
    second = record_survivor(amina, today, first_name="Ines").case_id
    amina.lock()
    window = make_window(vault_folder)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    workspace = window.workspace_view
    assert workspace is not None and window.desk is not None
    desk = window.desk

    def case_view() -> CaseView:
        view = workspace.detail.currentWidget()
        assert isinstance(view, CaseView)
        return view

    workspace.open_case(first)
    view = case_view()
    view.tabs.setCurrentWidget(view.notes)  # as a click on its tab would
    qtbot.keyClicks(view.notes.body, "Called at noon; she asked about")
    workspace.open_case(second)  # at once, before the pause that keeps it
    qtbot.waitUntil(lambda: desk.drafts.kept(DraftKind.NOTE, first) is not None)
    assert case_view().notes.body.toPlainText() == ""  # the other case's box is its own
    assert desk.drafts.kept(DraftKind.NOTE, second) is None

    workspace.open_case(first)
    notes = case_view().notes
    assert notes.body.toPlainText() == "Called at noon; she asked about"
    assert notes.message.text() == "The note you had not added is back in the box."
    assert saved(qtbot, notes.add())
    assert notes.body.toPlainText() == ""
    assert desk.drafts.kept(DraftKind.NOTE, first) is None
    assert [n.body for n in desk.notes.of_case(first)] == ["Called at noon; she asked about"]
