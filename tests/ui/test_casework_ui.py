"""Casework in the app: duplicate check at intake, closure approval, notes, tasks, consent,
search, filters and the import dialog."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from casework.model.vocab import (
    CaseStatus,
    ClosureDecision,
    ClosureReason,
    ConsentKind,
    DischargeReason,
    OrganisationType,
    ReleaseField,
    RiskLevel,
    ServiceCategory,
    TaskStatus,
)
from casework.services import cases, lifecycle, referrals, tasks
from casework.services.timeline import EventKind
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import actor_of, unlock
from tests.ui.conftest import (
    MakeWindow,
    cell_text,
    look_at,
    open_case_as,
    saved,
    sign_in,
    wait_loaded,
)
from ui.views.approvals import ApprovalsView
from ui.views.case import CaseView
from ui.views.case.overview import ClosureDialog
from ui.views.intake import IntakeForm
from ui.views.my_tasks import MyTasksView
from ui.views.search_results import SearchResultsView
from ui.windows.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton


def record(vault: OpenVault, today: date, **fields: Any) -> cases.CaseDetail:
    with vault.transaction() as session:
        return cases.record_survivor(
            session, actor_of(vault), cases.SurvivorInput(intake_date=today, **fields), today
        )


def test_intake_shows_likely_duplicates_first(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    existing = record(amina, today, first_name="Olena", last_name="Kovalenko")
    amina.lock()
    window = make_window(vault_folder)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    view = window.workspace_view
    assert view is not None and view.caseload is not None
    view.new_survivor()
    form = view.detail.currentWidget()
    assert isinstance(form, IntakeForm)
    form.fields.first_name.setText("Olena")
    form.fields.last_name.setText("Kovalenco")
    form.save()
    dialog = form.duplicates
    assert dialog.isVisible() and dialog.list.count() == 1
    assert "Kovalenko" in dialog.list.item(0).text()
    dialog.list.setCurrentRow(0)
    qtbot.mouseClick(dialog.open_button, LEFT)
    shown = view.detail.currentWidget()
    assert isinstance(shown, CaseView) and shown.case_id == existing.case_id
    wait_loaded(qtbot, view.caseload.model)
    assert view.caseload.model.rowCount() == 1  # nothing new was recorded

    view.new_survivor()
    form = view.detail.currentWidget()
    assert isinstance(form, IntakeForm)
    form.fields.first_name.setText("Olena")
    form.fields.last_name.setText("Kovalenco")
    form.save()
    qtbot.mouseClick(form.duplicates.new_button, LEFT)
    wait_loaded(qtbot, view.caseload.model)
    assert view.caseload.model.rowCount() == 2


def test_a_closure_is_requested_then_approved_by_a_supervisor(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    case = record(amina, today, first_name="Neema")
    with amina.transaction() as session:
        tasks.add_task(session, actor_of(amina), case.case_id, "Book the dentist", today)
    amina.lock()
    window = make_window(vault_folder)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    assert window.workspace_view is not None
    window.workspace_view.open_case(case.case_id)
    view = window.workspace_view.detail.currentWidget()
    assert isinstance(view, CaseView)
    warned: list[str] = []

    def fill_closure(dialog: ClosureDialog) -> int:
        warned.append(dialog.open_work.text())
        dialog.reason.setCurrentIndex(list(ClosureReason).index(ClosureReason.GOALS_MET))
        dialog.comment.setPlainText("Working and housed")
        return 1

    monkeypatch.setattr("ui.views.case.overview.ClosureDialog.exec", fill_closure)
    assert saved(qtbot, view.overview.request_closure())
    assert warned == [
        "Still open: 1 open task. The supervisor who approves can close them with the case."
    ]
    body = view.overview.body
    info = body.findChild(QLabel, "infoText")
    assert info is not None
    assert "Closure requested by Amina K." in info.text()
    assert "“Working and housed”" in info.text()  # her words, for the supervisor
    assert body.findChild(QPushButton, "approveClosure") is None  # not hers to approve
    for action in ("withdrawClosure", "printCaseFile", "requestErasure"):  # still there
        button = body.findChild(QPushButton, action)
        assert button is not None and button.isVisibleTo(view) and button.isEnabled()
    window.lock()

    sign_in(qtbot, window, "sara", SUPERVISOR_PASSWORD)
    assert window.workspace_view is not None
    window.approvals_action.trigger()
    approvals = window.workspace_view.detail.currentWidget()
    assert isinstance(approvals, ApprovalsView)
    assert approvals.list.count() == 2  # the heading, then the request
    assert case.reference in approvals.list.item(1).text()
    approvals.open_case.emit(approvals.list.item(1).data(Qt.ItemDataRole.UserRole + 1))
    view = window.workspace_view.detail.currentWidget()
    assert isinstance(view, CaseView)
    qtbot.mouseClick(view.overview.body.findChild(QPushButton, "approveClosure"), LEFT)
    approval = view.overview.approval
    assert approval.isVisible() and approval.open_work.text() == "Still open: 1 open task."
    assert approval.tidy.isVisible() and approval.tidy.isChecked()
    qtbot.mouseClick(approval.approve_button, LEFT)
    qtbot.waitUntil(lambda: view.overview.detail.status == CaseStatus.CLOSED)
    assert view.overview.detail.closure_reason == ClosureReason.GOALS_MET
    look_at(qtbot, view, view.history)
    assert "Closed" in view.history.view.toPlainText()
    assert window.desk is not None
    assert [t.status for t in window.desk.tasks.of_case(case.case_id)] == [TaskStatus.CANCELLED]
    look_at(qtbot, view, view.tasks)
    assert cell_text(view.tasks.list, 0, 3) == "Cancelled"  # the Tasks section followed


def test_the_caseworker_withdraws_her_closure_request(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    case = record(amina, today, first_name="Neema")
    with amina.transaction() as session:
        lifecycle.request_closure(
            session, actor_of(amina), case.case_id, ClosureReason.GOALS_MET, "Housed"
        )
    amina.lock()
    view = open_case_as(qtbot, make_window, vault_folder, "amina", WORKER_PASSWORD, case.case_id)
    window = view.window()
    assert isinstance(window, MainWindow)
    withdraw = view.overview.body.findChild(QPushButton, "withdrawClosure")
    assert withdraw is not None and withdraw.isVisibleTo(view)
    qtbot.mouseClick(withdraw, LEFT)
    qtbot.waitUntil(lambda: view.overview.body.findChild(QPushButton, "requestClosure") is not None)
    assert view.overview.body.findChild(QPushButton, "withdrawClosure") is None
    assert window.desk is not None
    [request] = window.desk.cases.closure_requests(case.case_id, pending_only=False)
    assert request.decision == ClosureDecision.WITHDRAWN
    assert view.overview.detail.status == CaseStatus.ACTIVE


def test_notes_tasks_and_consent_from_the_case_tabs(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    case = record(amina, today, first_name="Zawadi")
    amina.lock()
    with staffed_vault.transaction() as session:
        referrals.add_partner(
            session,
            actor_of(staffed_vault),
            "City Health Centre",
            OrganisationType.HEALTH,
            (ServiceCategory.MEDICAL,),
        )
    window = make_window(vault_folder)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    assert window.workspace_view is not None
    window.workspace_view.open_case(case.case_id)
    view = window.workspace_view.detail.currentWidget()
    assert isinstance(view, CaseView)

    view.tabs.setCurrentWidget(view.notes)  # as a click on its tab would
    qtbot.mouseClick(view.notes.findChild(QPushButton, "addNote"), LEFT)
    message = view.notes.message  # for the lambda: mypy keeps no narrowing of the rebound ``view``
    qtbot.waitUntil(lambda: message.text() == "The note is empty.")
    view.notes.body.setPlainText("Accompanied to the clinic; follow-up booked")
    saving = view.notes.add()
    assert not view.notes.add_button.isEnabled()  # saved off the UI thread: not twice
    qtbot.waitUntil(lambda: saving.finished)
    assert view.notes.add_button.isEnabled() and view.notes.body.toPlainText() == ""
    assert view.notes.list.count() == 1 and "clinic" in view.notes.list.item(0).text()
    look_at(qtbot, view, view.overview)
    assert view.overview.detail.last_contact_date == date.today()  # the overview followed the note

    view.tasks.title.setText("Book the interpreter")
    assert saved(qtbot, view.tasks.add())
    assert view.tasks.list.rowCount() == 1
    window.tasks_action.trigger()
    mine = window.workspace_view.detail.currentWidget()
    assert isinstance(mine, MyTasksView)
    qtbot.waitUntil(lambda: not mine.loading, timeout=10000)
    texts = [mine.list.item(i).text() for i in range(mine.list.count())]
    assert any("Book the interpreter" in t for t in texts) and texts[1].startswith("Today (1)")

    window.workspace_view.open_case(case.case_id)
    view = window.workspace_view.detail.currentWidget()
    assert isinstance(view, CaseView)
    view.consent.kind.setCurrentIndex(list(ConsentKind).index(ConsentKind.RELEASE))
    assert not saved(qtbot, view.consent.record())
    assert "Name the organisation" in view.consent.message.text()
    partner = view.consent.partner  # chosen from the directory, never typed
    assert partner.isEnabled() and partner.currentData() is None
    partner.setCurrentIndex(partner.findData("City Health Centre"))
    view.consent.purpose.setText("Medical follow-up")
    assert saved(qtbot, view.consent.record())
    assert view.consent.list.rowCount() == 1
    assert cell_text(view.consent.list, 0, 4) == "Valid"
    view.consent.list.selectRow(0)
    assert saved(qtbot, view.consent.withdraw())
    assert cell_text(view.consent.list, 0, 4).startswith("Withdrawn")


def test_search_and_filters(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    high = record(amina, today, first_name="Imani", last_name="Baraka", risk_level=RiskLevel.HIGH)
    record(amina, today, first_name="Kofi", last_name="Mensah")
    amina.lock()
    window = make_window(vault_folder)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    view = window.workspace_view
    assert view is not None and view.caseload is not None
    window.search_box.setText("baraka")
    window._search()
    results = view.detail.currentWidget()
    assert isinstance(results, SearchResultsView)
    qtbot.waitUntil(lambda: results.title.text().startswith("Results"), timeout=10000)
    texts = [results.list.item(i).text() for i in range(results.list.count())]
    assert texts[0] == "People (1)" and "Imani Baraka" in texts[1]

    assert view.caseload.model.rowCount() == 2
    view.caseload.risk.setCurrentIndex(1)  # High
    wait_loaded(qtbot, view.caseload.model)
    assert view.caseload.model.rowCount() == 1
    assert view.caseload.model.data(view.caseload.model.index(0, 0)) == high.reference
    view.caseload.risk.setCurrentIndex(0)
    view.caseload.intake.setCurrentIndex(3)  # over a year ago: neither
    wait_loaded(qtbot, view.caseload.model)
    assert view.caseload.model.rowCount() == 0
    view.caseload.intake.setCurrentIndex(1)  # the last 30 days: both
    view.caseload.quiet.setChecked(True)
    wait_loaded(qtbot, view.caseload.model)
    assert view.caseload.model.rowCount() == 2
    assert view.caseload.heading.text() == "My cases (2)"


def test_the_import_dialog_dry_runs_then_imports(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    tmp_path: Path,
) -> None:
    file = tmp_path / "cases.csv"
    file.write_text(
        "prs_FirstName,ext_IntakeDate,ext_Caseworker\nAmani,2026-03-01,amina\nBad,2026-13-01,amina\n",
        encoding="utf-8",
    )
    window = make_window(vault_folder)
    sign_in(qtbot, window, "sara", SUPERVISOR_PASSWORD)
    assert window.import_action.isVisible()
    assert window.workspace_view is not None and window.workspace_view.caseload is not None
    dialog = window.workspace_view.open_import()
    dialog.load(file)
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10000)
    assert dialog.import_button.text() == "Import 1 cases"
    assert dialog.problems.rowCount() == 1 and cell_text(dialog.problems, 0, 0) == "3"
    assert window.workspace_view.caseload.model.rowCount() == 0
    qtbot.mouseClick(dialog.import_button, LEFT)
    qtbot.waitUntil(lambda: dialog.summary.text().startswith("Imported 1"), timeout=10000)
    dialog.reject()
    wait_loaded(qtbot, window.workspace_view.caseload.model)
    assert window.workspace_view.caseload.model.rowCount() == 1


def test_an_administrator_imports_from_the_administration_view(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    tmp_path: Path,
) -> None:
    from tests.conftest import ADMIN_PASSWORD

    file = tmp_path / "cases.csv"
    file.write_text(
        "prs_FirstName,ext_IntakeDate,ext_Caseworker\nAmani,2026-03-01,amina\n", encoding="utf-8"
    )
    window = make_window(vault_folder)
    sign_in(qtbot, window, "admin", ADMIN_PASSWORD)
    assert window.workspace_view is not None and window.workspace_view.admin is not None
    dialog = window.workspace_view.admin.open_import()
    dialog.load(file)
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10000)
    dialog.commit()
    qtbot.waitUntil(lambda: dialog.summary.text().startswith("Imported 1"), timeout=10000)
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    with amina.session() as session:
        assert len(cases.caseload_ids(session, actor_of(amina))) == 1
    amina.lock()


def shown_buttons(case: CaseView, name: str) -> list[QPushButton]:
    return [b for b in case.overview.findChildren(QPushButton, name) if b.isVisible()]


def test_the_shelter_board_admits_and_discharges(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
) -> None:
    from tests.conftest import ADMIN_PASSWORD
    from ui.views.shelter import ShelterBoard

    window = make_window(vault_folder)
    sign_in(qtbot, window, "admin", ADMIN_PASSWORD)
    assert window.workspace_view is not None
    admin = window.workspace_view.admin
    assert admin is not None
    # the backups are on the vault's own disk, and the screen says what that means
    assert admin.same_disk.isVisible() and "same disk as the vault" in admin.same_disk.text()
    assert admin.same_disk.tone == "warning"
    admin.attachment_limit.setValue(40)
    assert admin.save_attachment_limit()
    from casework.services.accounts import organisation_info

    assert organisation_info(staffed_vault).attachment_limit_mb == 40
    assert not admin.add_facility("Harbour House", "Blue 2")
    assert admin.add_facility("Harbour House", "Blue: 2, Green: 1")
    window.lock()
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    ana = record(amina, today, first_name="Ana")
    record(amina, today, first_name="Bea")
    amina.lock()

    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    assert window.workspace_view is not None
    window.shelter_action.trigger()
    board = window.workspace_view.detail.currentWidget()
    assert isinstance(board, ShelterBoard)
    assert board.summary.text() == "3 beds, 3 free tonight"
    board.table.selectRow(0)
    qtbot.mouseClick(board.admit_button, LEFT)
    dialog = board.admit_dialog
    assert dialog is not None and dialog.isVisible()
    assert not dialog.admit_button.isEnabled()  # nobody chosen yet
    qtbot.keyClicks(dialog.search_box, ana.reference.lower())  # or her name
    people = dialog.people
    qtbot.waitUntil(lambda: people.count() == 1, timeout=5000)
    assert dialog.people.item(0).text() == f"Ana · {ana.reference}"
    dialog.day.setDate(dialog.day.date().addDays(-1))  # she came last night
    dialog.day.setDate(dialog.day.date().addDays(5))  # a later night cannot be chosen
    now = board.workspace.clock.today()  # the desk's day, which the dialog offers
    assert dialog.admitted_on == now
    dialog.day.setDate(dialog.day.date().addDays(-1))
    qtbot.mouseClick(dialog.admit_button, LEFT)
    assert saved(qtbot, dialog.operation)
    assert not dialog.isVisible()
    assert cell_text(board.table, 0, 2) == f"{ana.reference} · Ana"
    assert cell_text(board.table, 0, 3) == (now - timedelta(days=1)).isoformat()
    assert board.message.text() == "Admitted to " + cell_text(board.table, 0, 0) + "."
    board.table.selectRow(0)
    qtbot.mouseClick(board.admit_button, LEFT)
    assert "Choose a free bed" in board.message.text()
    qtbot.mouseClick(board.wait_button, LEFT)  # Bea waits for a bed: found by her name
    waiting = board.waiting_dialog
    assert waiting.isVisible() and not waiting.add_button.isEnabled()
    qtbot.keyClicks(waiting.finder.search_box, "Bea")
    qtbot.waitUntil(lambda: waiting.finder.people.count() == 1, timeout=5000)
    waiting.priority.setCurrentIndex(waiting.priority.findData(1))  # urgent
    qtbot.mouseClick(waiting.add_button, LEFT)
    assert saved(qtbot, waiting.operation)
    assert not waiting.isVisible() and board.message.text() == "Added to the list."
    assert board.waiting.count() == 1 and board.waiting.item(0).text().startswith("1 · ")
    board.table.selectRow(1)
    qtbot.mouseClick(board.admit_button, LEFT)
    dialog = board.admit_dialog
    assert dialog is not None
    # those waiting for a bed are offered first; the only one is chosen
    assert dialog.people.count() == 1 and dialog.people.item(0).text().startswith("Bea · ")
    qtbot.mouseClick(dialog.admit_button, LEFT)
    assert saved(qtbot, dialog.operation)
    assert board.waiting.count() == 0  # admitted: off the waiting list
    board.table.selectRow(0)
    assert saved(qtbot, board.discharge(DischargeReason.MOVED_ON))
    assert board.summary.text() == "3 beds, 2 free tonight"
    # from her case: Ana is admitted again, to a bed chosen in the dialog
    window.workspace_view.open_case(ana.case_id)
    case = window.workspace_view.detail.currentWidget()
    assert isinstance(case, CaseView)
    [admit] = shown_buttons(case, "admitFromCase")
    qtbot.mouseClick(admit, LEFT)
    dialog = case.overview.admit_dialog
    assert dialog.isVisible() and dialog.bed.count() == 2 and not dialog.people.isVisible()
    qtbot.mouseClick(dialog.admit_button, LEFT)
    assert saved(qtbot, dialog.operation)
    assert case.overview.workspace.cases.open_work(ana.case_id).in_shelter_since == now
    assert not [
        b for b in case.overview.findChildren(QPushButton, "admitFromCase") if b.isVisible()
    ]


def test_a_referral_is_blocked_then_allowed_and_its_packet_saved(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
    tmp_path: Path,
) -> None:
    from ui.views.partners import PartnersView

    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    case = record(amina, today, first_name="Zawadi", last_name="Mwangi")
    amina.lock()
    window = make_window(vault_folder)
    sign_in(qtbot, window, "sara", SUPERVISOR_PASSWORD)
    assert window.workspace_view is not None
    window.partners_action.trigger()
    directory = window.workspace_view.detail.currentWidget()
    assert isinstance(directory, PartnersView)
    directory.name.setText("City Health Centre")
    directory.categories[ServiceCategory.MEDICAL].setChecked(True)
    directory.languages.setText("sw, EN")
    assert directory.add() and directory.table.rowCount() == 1
    assert cell_text(directory.table, 0, 3) == "sw, en"
    window.lock()

    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    assert window.workspace_view is not None
    window.workspace_view.open_case(case.case_id)
    view = window.workspace_view.detail.currentWidget()
    assert isinstance(view, CaseView)
    tab = view.referrals
    view.tabs.setCurrentWidget(tab)
    tab.reason.setText("Medical check")
    assert not saved(qtbot, tab.send())
    assert "no valid release of information to City Health Centre" in tab.message.text()
    assert tab.list.rowCount() == 0
    qtbot.mouseClick(tab.record_consent, LEFT)
    assert view.tabs.currentWidget() is view.consent
    assert view.consent.partner.currentData() == "City Health Centre"
    view.consent.purpose.setText("Medical care")
    view.consent.covers[ReleaseField.ORIGIN].setChecked(True)
    assert saved(qtbot, view.consent.record())
    assert view.consent.list.rowCount() == 1
    # The refusal does not outlive its cause: back on Referrals, it is gone.
    assert tab.message.text() == "" and tab.record_consent.isHidden()
    assert saved(qtbot, tab.send())
    assert tab.list.rowCount() == 1 and cell_text(tab.list, 0, 3) == "Pending"
    tab.list.selectRow(0)
    target = tmp_path / "packet.pdf"
    tab.save_packet(str(target))
    qtbot.waitUntil(lambda: tab.message.text().startswith("Saved"), timeout=10000)
    assert tab.message.tone == "success"
    assert target.read_bytes().startswith(b"%PDF") and oct(target.stat().st_mode)[-3:] == "600"


def test_counseling_legal_calendar_and_timeline_tabs(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
) -> None:
    from ui.views.calendar import HearingsCalendar

    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    case = record(amina, today, first_name="Ines")
    amina.lock()
    window = make_window(vault_folder)
    sara.lock()
    sign_in(qtbot, window, "sara", SUPERVISOR_PASSWORD)
    assert window.workspace_view is not None
    window.workspace_view.open_case(case.case_id)
    view = window.workspace_view.detail.currentWidget()
    assert isinstance(view, CaseView)
    view.counseling.notes.setPlainText("Talked about sleep")
    assert saved(qtbot, view.counseling.record())
    assert view.counseling.list.count() == 1
    assert "Talked about sleep" in view.counseling.list.item(0).text()
    view.legal.lawyer.setText("Legal Aid Clinic")
    assert saved(qtbot, view.legal.open_matter())
    assert view.legal.matters.count() == 1
    view.legal.place.setText("High Court, room 2")
    assert saved(qtbot, view.legal.schedule())
    assert "High Court, room 2" in view.legal.view.toPlainText()
    look_at(qtbot, view, view.timeline)
    texts = [view.timeline.list.item(i).text() for i in range(view.timeline.list.count())]
    assert any("Counseling" in t for t in texts) and any("Hearing" in t for t in texts)
    view.timeline.kind.setCurrentIndex(1 + list(EventKind).index(EventKind.HEARING))
    assert view.timeline.list.count() == 1
    window.calendar_action.trigger()
    calendar = window.workspace_view.detail.currentWidget()
    assert isinstance(calendar, HearingsCalendar)
    assert case.reference in calendar.upcoming.list.item(0).text()
    window.lock()

    sign_in(qtbot, window, "amina", WORKER_PASSWORD)  # the caseworker: not her session notes
    assert window.workspace_view is not None
    window.workspace_view.open_case(case.case_id)
    view = window.workspace_view.detail.currentWidget()
    assert isinstance(view, CaseView)
    text = view.counseling.list.item(0).text()
    assert "Talked about sleep" not in text and "supervisors only" in text


def test_attachments_are_viewed_from_memory(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
    tmp_path: Path,
) -> None:
    import tempfile

    from tests.unit.test_attachments import PHRASE, pdf_with

    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    case = record(amina, today, first_name="Mai")
    amina.lock()
    source = tmp_path / "court-letter.pdf"
    source.write_bytes(pdf_with(PHRASE))
    window = make_window(vault_folder)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    assert window.workspace_view is not None
    window.workspace_view.open_case(case.case_id)
    view = window.workspace_view.detail.currentWidget()
    assert isinstance(view, CaseView)
    tab = view.attachments
    tab.description.setText("Letter from the court")
    assert saved(qtbot, tab.attach(str(source)))
    assert tab.list.rowCount() == 1 and cell_text(tab.list, 0, 1) == "Letter from the court"
    tab.list.selectRow(0)
    viewer = tab.view()
    assert viewer is not None
    qtbot.waitUntil(lambda: viewer.pages == 1, timeout=10000)
    temp = Path(tempfile.gettempdir())
    assert all(PHRASE.encode() not in p.read_bytes() for p in temp.rglob("*") if p.is_file())
    window.lock()  # locking closes the viewer with everything else
    assert not any(w.isVisible() for w in QApplication.topLevelWidgets() if w is not window)


def test_enter_adds_a_task_and_a_supervisor_gives_it_to_the_caseworker(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    case = record(amina, today, first_name="Neema")
    amina.lock()
    view = open_case_as(qtbot, make_window, vault_folder, "sara", SUPERVISOR_PASSWORD, case.case_id)
    view.tabs.setCurrentWidget(view.tasks)
    tab = view.tasks
    assert tab.assignee.isVisibleTo(view)
    tab.assignee.setCurrentIndex(tab.assignee.findText("For Amina K."))
    qtbot.keyClicks(tab.title, "Call the lawyer back")
    qtbot.keyClick(tab.title, Qt.Key.Key_Return)

    def added() -> list[int]:  # a reminder made at sign-in may be listed too
        rows = range(tab.list.rowCount())
        return [r for r in rows if cell_text(tab.list, r, 1) == "Call the lawyer back"]

    # saved, and the field emptied for the next task (another change may list it first)
    qtbot.waitUntil(lambda: bool(added()) and tab.title.text() == "")
    [row] = added()
    assert cell_text(tab.list, row, 2) == "Amina K."


def test_a_caseworker_is_not_offered_to_give_tasks_away(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    case = record(amina, today, first_name="Neema")
    amina.lock()
    view = open_case_as(qtbot, make_window, vault_folder, "amina", WORKER_PASSWORD, case.case_id)
    view.tabs.setCurrentWidget(view.tasks)
    assert not view.tasks.assignee.isVisibleTo(view)
