"""A supervisor's day in the app: the dashboard's numbers click through to cases, the approvals
inbox decides erasure requests with a comment the caseworker reads, reviews and bulk moves."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCharts import QAbstractBarSeries
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from casework.model.vocab import ClosureReason
from casework.services import cases, lifecycle, tasks
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import actor_of, unlock
from tests.ui.conftest import MakeWindow, cell_text, saved, sign_in
from ui.views.approvals import ApprovalsView
from ui.views.audit import AuditView
from ui.views.case import CaseView
from ui.views.dashboard import CasesView, DashboardView
from ui.windows.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton


def amina_cases(vault_folder: VaultFolder, today: date, names: list[str]) -> list[str]:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    ids = []
    for name in names:
        with amina.transaction() as session:
            ids.append(
                cases.record_survivor(
                    session,
                    actor_of(amina),
                    cases.SurvivorInput(first_name=name, intake_date=today),
                    today,
                ).case_id
            )
    amina.lock()
    return ids


def dashboard(qtbot: QtBot, window: MainWindow) -> DashboardView:
    window.dashboard_action.trigger()
    assert window.workspace_view is not None
    view = window.workspace_view.detail.currentWidget()
    assert isinstance(view, DashboardView)
    qtbot.waitUntil(lambda: not view.loading, timeout=15000)
    # New tiles are shown by the event loop (Qt queues the show of a widget added to a shown
    # layout): wait for them to be on screen, as a user would.
    qtbot.waitUntil(lambda: all(b.isVisible() for b in view.tile_buttons.values()), timeout=5000)
    return view


def test_dashboard_numbers_click_through_to_the_cases(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    today = date.today()
    ids = amina_cases(vault_folder, today, ["Ana", "Bea", "Cruz"])
    window = make_window(vault_folder)
    sign_in(qtbot, window, "sara", SUPERVISOR_PASSWORD)
    view = dashboard(qtbot, window)
    tile = view.tile_buttons["new-month"]
    assert tile.text().startswith("3\n")
    assert window.workspace_view is not None
    qtbot.mouseClick(tile, LEFT)
    listed = window.workspace_view.detail.currentWidget()
    assert isinstance(listed, CasesView)
    first = listed  # for the lambda: mypy keeps no narrowing of the rebound ``listed``
    qtbot.waitUntil(lambda: not first.loading, timeout=15000)
    assert listed.list.count() == 3
    listed.list.setCurrentRow(0)
    listed._activated(listed.list.item(0))
    opened = window.workspace_view.detail.currentWidget()
    assert isinstance(opened, CaseView) and opened.case_id in ids

    view = dashboard(qtbot, window)
    assert cell_text(view.people, 0, 0) == "Amina K." and cell_text(view.people, 0, 1) == "3"
    series = view.caseload_chart.chart().series()[0]
    assert isinstance(series, QAbstractBarSeries)
    assert series.barSets()[0].at(0) == 3
    view._person_cell(0, 1)
    listed = window.workspace_view.detail.currentWidget()
    assert isinstance(listed, CasesView) and "Amina K." in listed.title.text()
    qtbot.waitUntil(lambda: not listed.loading, timeout=15000)
    assert listed.list.count() == 3


def test_erasure_request_is_decided_in_the_inbox_and_the_caseworker_reads_why(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    [case_id] = amina_cases(vault_folder, date.today(), ["Dana"])
    window = make_window(vault_folder)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    assert window.workspace_view is not None
    window.workspace_view.open_case(case_id)
    case_view = window.workspace_view.detail.currentWidget()
    assert isinstance(case_view, CaseView)
    assert saved(qtbot, case_view.overview.request_erasure("Asked by phone; withdrew consent."))
    assert case_view.overview.body.findChild(QPushButton, "approveErasure") is None
    window.lock()

    sign_in(qtbot, window, "sara", SUPERVISOR_PASSWORD)
    assert window.workspace_view is not None
    window.approvals_action.trigger()
    inbox = window.workspace_view.detail.currentWidget()
    assert isinstance(inbox, ApprovalsView)
    assert inbox.select(case_id)
    assert not saved(qtbot, inbox.decide(False))  # a rejection needs a comment
    assert "Say why" in inbox.message.text()
    inbox.comment.setText("A court order requires us to keep the file until March.")
    qtbot.mouseClick(inbox.reject_button, LEFT)
    qtbot.waitUntil(lambda: inbox.comment.text() == "")  # decided: the form is cleared
    assert not inbox.select(case_id) and "Nothing is waiting" in inbox.list.item(0).text()
    window.lock()

    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    assert window.workspace_view is not None
    window.workspace_view.open_case(case_id)
    case_view = window.workspace_view.detail.currentWidget()
    assert isinstance(case_view, CaseView)
    history = case_view.history.view.toPlainText()
    assert "Rejected" in history and "court order" in history and "Sara M." in history


def test_reviews_and_moving_a_caseload(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = amina_cases(vault_folder, date.today(), ["Ana", "Bea"])
    window = make_window(vault_folder)
    sign_in(qtbot, window, "sara", SUPERVISOR_PASSWORD)
    assert window.workspace_view is not None
    window.workspace_view.open_case(ids[0])
    case_view = window.workspace_view.detail.currentWidget()
    assert isinstance(case_view, CaseView)
    case_view.tabs.setCurrentWidget(case_view.reviews)
    assert not saved(qtbot, case_view.reviews.record())
    assert "Summarise" in case_view.reviews.message.text()
    case_view.reviews.summary.setPlainText("Safety plan reviewed; housing pending.")
    assert saved(qtbot, case_view.reviews.record())
    assert "Safety plan reviewed" in case_view.reviews.list.toPlainText()

    view = dashboard(qtbot, window)
    dialog = view.open_reassign()
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.loading, timeout=15000)
    # Nothing is chosen for her: no case ticked, nobody to move them to, Move not offered.
    assert dialog.cases.count() == 2 and dialog.chosen() == []
    assert dialog.target.currentText() == "Choose a caseworker"
    assert dialog.target.findText("Amina K.") == -1  # never to the caseworker they are with
    assert not dialog.move_button.isEnabled()
    qtbot.mouseClick(dialog.all, LEFT, pos=QPoint(8, dialog.all.height() // 2))  # its box
    assert len(dialog.chosen()) == 2 and not dialog.move_button.isEnabled()
    dialog.target.setCurrentIndex(dialog.target.findText("Bruno L."))
    assert not dialog.move_button.isEnabled()  # not without saying why
    dialog.reason.setText("Amina has left the organisation")
    assert dialog.move_button.isEnabled()
    asked: list[str] = []

    def question(_parent: object, _title: str, text: str, *_args: object) -> object:
        asked.append(text)
        return (
            QMessageBox.StandardButton.Cancel if len(asked) == 1 else QMessageBox.StandardButton.Yes
        )

    monkeypatch.setattr(QMessageBox, "question", question)
    qtbot.mouseClick(dialog.move_button, LEFT)
    assert asked == ["Move 2 cases from Amina K. to Bruno L.?"]
    assert not dialog.loading and dialog.outcome.text() == ""  # she said Cancel: nothing moved
    qtbot.mouseClick(dialog.move_button, LEFT)
    qtbot.waitUntil(lambda: not dialog.loading, timeout=15000)
    assert "Moved 2 cases to Bruno L." in dialog.outcome.text()
    assert dialog.outcome.tone == "success"
    qtbot.waitUntil(lambda: not dialog.loading, timeout=15000)
    assert dialog.cases.count() == 0
    assert dialog.source.currentText() == "Amina K. (0 open cases)"  # counts what is left
    bruno = [dialog.source.itemText(i) for i in range(dialog.source.count())]
    assert "Bruno L. (2 open cases)" in bruno, bruno  # and what the other now has
    dialog.close()
    # the audit trail says to whom, from whom and why, in words
    assert window.workspace_view is not None
    audit = window.workspace_view.show_audit(action="case.reassign")
    qtbot.waitUntil(lambda: not audit.loading and audit.table.rowCount() == 2, timeout=15000)
    assert cell_text(audit.table, 0, 3) == "Gave the case to another caseworker"
    assert {cell_text(audit.table, r, 5) for r in range(2)} == {
        "From Amina K. to Bruno L. — Amina has left the organisation"
    }


def test_who_opened_a_case_and_the_chain_check_from_the_ui(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    [case_id] = amina_cases(vault_folder, date.today(), ["Esi"])
    window = make_window(vault_folder)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    assert window.workspace_view is not None
    window.workspace_view.open_case(case_id)  # Amina opens it
    case_view = window.workspace_view.detail.currentWidget()
    assert isinstance(case_view, CaseView)
    assert case_view.history.findChild(QPushButton, "whoOpened") is None  # not a caseworker's view
    window.lock()
    sign_in(qtbot, window, "sara", SUPERVISOR_PASSWORD)
    assert window.workspace_view is not None
    window.workspace_view.open_case(case_id)
    case_view = window.workspace_view.detail.currentWidget()
    assert isinstance(case_view, CaseView)
    qtbot.mouseClick(case_view.findChild(QPushButton, "whoOpenedHeader"), LEFT)
    audit = window.workspace_view.detail.currentWidget()
    assert isinstance(audit, AuditView)
    qtbot.waitUntil(lambda: not audit.loading, timeout=15000)
    rows = [[cell_text(audit.table, r, c) for c in range(5)] for r in range(audit.table.rowCount())]
    assert {r[3] for r in rows} == {"Opened the case's record"}
    assert {r[2] for r in rows} == {"Amina K.", "Sara M."}
    qtbot.mouseClick(audit.verify_button, LEFT)
    qtbot.waitUntil(lambda: not audit.loading, timeout=15000)
    assert "intact" in audit.result.text()
    with staffed_vault.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET action = 'case.create' WHERE seq = 4"))
    audit.verify()
    qtbot.waitUntil(lambda: not audit.loading, timeout=15000)
    assert "first bad row is #4" in audit.result.text()


def test_printing_a_caseload_report_and_a_case_file(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    tmp_path: Path,
) -> None:
    from pypdf import PdfReader

    [case_id] = amina_cases(vault_folder, date.today(), ["Faith"])
    window = make_window(vault_folder)
    sign_in(qtbot, window, "sara", SUPERVISOR_PASSWORD)
    assert window.workspace_view is not None
    dialog = window.workspace_view.open_reports()
    dialog.caseworker.setCurrentIndex(dialog.caseworker.findText("Amina K."))
    dialog.end.setDate(QDate.currentDate())  # the default is last month
    dialog.page.setCurrentIndex(1)  # Letter
    assert dialog.path.text().endswith(".pdf")  # a file name is suggested
    dialog.path.clear()
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert "Choose where" in dialog.outcome.text()
    dialog.path.setText(str(tmp_path / "caseload.pdf"))
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: not dialog.loading, timeout=15000)
    assert "Saved" in dialog.outcome.text(), dialog.outcome.text()
    pdf = PdfReader(tmp_path / "caseload.pdf")
    text = pdf.pages[0].extract_text()
    assert "Caseload report: Amina K." in text and "Faith" in text
    assert round(float(pdf.pages[0].mediabox.width)) == 612
    assert (tmp_path / "caseload.pdf").stat().st_mode & 0o077 == 0

    window.workspace_view.open_case(case_id)
    case_view = window.workspace_view.detail.currentWidget()
    assert isinstance(case_view, CaseView)
    printing = case_view.overview.print_case_file()
    printing.path.setText(str(tmp_path / "case.pdf"))
    printing.build()
    qtbot.waitUntil(lambda: not printing.loading, timeout=15000)
    assert "Saved" in printing.outcome.text(), printing.outcome.text()
    assert "Case file" in PdfReader(tmp_path / "case.pdf").pages[0].extract_text()


def test_approving_an_erasure_closes_the_case_for_good(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    [case_id] = amina_cases(vault_folder, date.today(), ["Gift"])
    window = make_window(vault_folder)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    assert window.workspace_view is not None
    window.workspace_view.open_case(case_id)
    case_view = window.workspace_view.detail.currentWidget()
    assert isinstance(case_view, CaseView)
    overview = case_view.overview
    assert saved(qtbot, overview.request_erasure("Asked today."))
    window.lock()
    sign_in(qtbot, window, "sara", SUPERVISOR_PASSWORD)
    assert window.workspace_view is not None
    window.workspace_view.open_case(case_id)
    case_view = window.workspace_view.detail.currentWidget()
    assert isinstance(case_view, CaseView)
    overview = case_view.overview
    assert overview.body.findChild(QPushButton, "approveErasure") is not None
    (request,) = window.workspace_view.workspace.supervision.erasure_requests()
    assert saved(qtbot, overview.approve_erasure(request.request_id, confirmed=True))
    assert window.workspace_view.detail.currentWidget() is window.workspace_view.empty
    assert "erased" in window.workspace_view.empty.text()
    window.workspace_view.open_case(case_id)
    assert "does not exist" in window.workspace_view.empty.text()


def test_a_closed_print_dialog_leaves_no_window_behind(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    """The case file's dialog kept its unshown caseload choices as windows of their own, and
    itself with them, for the rest of the day (found by bench/soak.py)."""
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    def windows() -> int:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()
        return len(QApplication.topLevelWidgets())

    [case_id] = amina_cases(vault_folder, date.today(), ["Faith"])
    window = make_window(vault_folder)
    sign_in(qtbot, window, "sara", SUPERVISOR_PASSWORD)
    assert window.workspace_view is not None
    window.workspace_view.open_case(case_id)
    case_view = window.workspace_view.detail.currentWidget()
    assert isinstance(case_view, CaseView)
    before = windows()
    for _ in range(2):
        printing = case_view.overview.print_case_file()
        assert not printing.caseworker.isVisibleTo(printing)
        printing.close()
        printing.deleteLater()
        del printing
    assert windows() == before


def test_the_audit_trail_reads_as_sentences_with_the_case_of_each_record(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    """A supervisor reads what was done and to which case, not codes and record ids; a case's
    trail includes its records (a task added to it), and the dates count only once ticked."""
    today = date.today()
    [case_id] = amina_cases(vault_folder, today, ["Faith"])
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    with amina.transaction() as session:
        tasks.add_task(session, actor_of(amina), case_id, "Book the dentist", today)
        reference = cases.visible_case(session, actor_of(amina), case_id).reference
    amina.lock()
    window = make_window(vault_folder)
    sign_in(qtbot, window, "sara", SUPERVISOR_PASSWORD)
    assert window.workspace_view is not None
    audit = window.workspace_view.show_audit(case_id, reference)
    qtbot.waitUntil(lambda: not audit.loading, timeout=15000)
    rows = [[cell_text(audit.table, r, c) for c in range(5)] for r in range(audit.table.rowCount())]
    assert ["Amina K.", "Added a task", f"Case {reference}"] in [r[2:] for r in rows]
    assert ["Amina K.", "Opened the case", f"Case {reference}"] in [r[2:] for r in rows]
    assert all("." not in r[3] for r in rows)  # no code such as task.add is shown
    assert audit.case_label.text() == f"Case {reference} and its records"
    assert not audit.start.isEnabled() and not audit.end.isEnabled()
    qtbot.mouseClick(audit.use_dates, LEFT, pos=QPoint(8, audit.use_dates.height() // 2))
    assert audit.start.isEnabled() and audit.end.isEnabled()
    assert audit.action.findText("Added a task") >= 0


def test_what_waits_for_a_supervisor_stands_out_on_the_dashboard(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    [case_id] = amina_cases(vault_folder, date.today(), ["Ana"])
    window = make_window(vault_folder)
    sign_in(qtbot, window, "sara", SUPERVISOR_PASSWORD)
    view = dashboard(qtbot, window)
    assert view.tile_buttons["approvals"].property("attention") is False  # none waiting
    window.lock()
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    with amina.transaction() as session:
        lifecycle.request_closure(session, actor_of(amina), case_id, ClosureReason.GOALS_MET)
    amina.lock()
    sign_in(qtbot, window, "sara", SUPERVISOR_PASSWORD)
    view = dashboard(qtbot, window)
    assert view.tile_buttons["approvals"].text().startswith("1\n")
    assert view.tile_buttons["approvals"].property("attention") is True
    assert view.tile_buttons["new-month"].property("attention") is False
