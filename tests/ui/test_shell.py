"""The app shell driven as a user would: set-up, sign-in, intake, locking."""

from __future__ import annotations

import re
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QPushButton
from pytestqt.qtbot import QtBot

from casework.errors import WrongCredentials
from casework.model.vocab import Role
from casework.services import cases
from casework.vault import backup as backup_module
from casework.vault import crypto
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import ADMIN_PASSWORD, FAST_KDF, SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import actor_of, unlock
from tests.ui.conftest import (
    MakeWindow,
    cell_text,
    choose,
    sign_in,
    wait_loaded,
    workspace_of,
)
from ui import jobs
from ui.models.caseload import CASE_ID_ROLE
from ui.views.case import CaseView
from ui.views.intake import IntakeForm
from ui.windows.setup import RecoveryCodePage

LEFT = Qt.MouseButton.LeftButton


def print_the_code(
    qtbot: QtBot, page: RecoveryCodePage, monkeypatch: pytest.MonkeyPatch, folder: Path
) -> str:
    """Print the recovery code as she would: first to a file (refused: the code must not stay
    on the computer), then to a printer; the text of the page sent to the printer."""
    to_file = folder / "recovery-code.pdf"
    choices = iter([str(to_file), ""])

    def chosen(dialog: QPrintDialog) -> int:
        target = next(choices)  # "Print to file", then a printer
        dialog.printer().setOutputFileName(target)
        if not target:  # this machine has no printer: be one
            monkeypatch.setattr(
                QPrinter, "outputFormat", lambda _p: QPrinter.OutputFormat.NativeFormat
            )
        return QDialog.DialogCode.Accepted

    pages: list[str] = []
    monkeypatch.setattr(QPrintDialog, "exec", chosen)
    monkeypatch.setattr(
        QTextDocument, "print_", lambda document, _printer: pages.append(document.toPlainText())
    )
    qtbot.mouseClick(page.print_button, LEFT)
    assert page.printed.tone == "warning" and "choose a printer" in page.printed.text()
    assert not to_file.exists() and pages == []
    qtbot.mouseClick(page.print_button, LEFT)
    assert page.printed.tone == "success" and "Sent to the printer" in page.printed.text()
    [printed] = pages
    return printed


def test_first_run_sets_up_the_vault_and_shows_the_recovery_code_once(
    qtbot: QtBot,
    make_window: MakeWindow,
    vault_folder: VaultFolder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(crypto, "calibrate", lambda *a, **k: FAST_KDF)
    window = make_window(vault_folder)
    page = window.setup
    assert window.pages.currentWidget() is page
    page.org_name.setText("Harbour Light")
    page.country.setText("ke")
    page.province.setText("Mombasa")
    page.admin_username.setText("amina")
    page.password.setText("short")
    page.confirm.setText("short")
    qtbot.mouseClick(page.create_button, LEFT)
    assert "12 characters" in page.error.text()
    assert not vault_folder.exists()

    page.password.setText(ADMIN_PASSWORD)
    page.confirm.setText(ADMIN_PASSWORD + "x")
    qtbot.mouseClick(page.create_button, LEFT)
    assert "not the same" in page.error.text()

    page.confirm.setText(ADMIN_PASSWORD)
    qtbot.mouseClick(page.create_button, LEFT)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.recovery, timeout=15000)
    code = window.recovery.code.text()
    assert re.fullmatch(r"([A-Z2-9]{5}-){4}[A-Z2-9]{5}", code)
    assert not window.recovery.continue_button.isEnabled()
    printed = print_the_code(qtbot, window.recovery, monkeypatch, vault_folder.folder.parent)
    assert code in printed and "office safe" in printed
    window.recovery.confirm.setChecked(True)
    qtbot.mouseClick(window.recovery.continue_button, LEFT)
    assert window.recovery.code.text() == ""
    assert window.workspace_view is not None and window.workspace_view.admin is not None
    assert code.encode() not in vault_folder.keyring_path.read_bytes()
    # The code really opens the vault's recovery slot.
    _keyring, secrets = vault_folder.open_with_recovery_code(code)
    assert secrets.audit_root_key is not None


def test_a_wrong_password_is_shown_and_a_right_one_opens_the_caseload(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    window = make_window(vault_folder)
    assert window.pages.currentWidget() is window.sign_in
    window.sign_in.username.setText("amina")
    window.sign_in.password.setText("not my password at all")
    qtbot.mouseClick(window.sign_in.sign_in, LEFT)
    qtbot.waitUntil(lambda: bool(window.sign_in.error.text()), timeout=15000)
    assert window.sign_in.error.text() == "The user name or password is not correct."
    assert window.sign_in.password.text() == ""
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    view = window.workspace_view
    assert view is not None and view.caseload is not None and view.admin is None
    assert view.caseload.heading.text() == "My cases (0)"


def test_recording_a_new_survivor_from_the_form(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    window = make_window(vault_folder)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    view = window.workspace_view
    assert view is not None and view.caseload is not None
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = view.detail.currentWidget()
    assert isinstance(form, IntakeForm)
    qtbot.mouseClick(form.save_button, LEFT)
    assert "first name" in form.error.text()
    qtbot.keyClicks(form.fields.first_name, "Olena")
    qtbot.keyClicks(form.fields.last_name, "Kovalenko")
    choose(qtbot, form.fields.citizenship, "Ukraine", "moldova")
    form.fields.exploitation[next(iter(form.fields.exploitation))].setChecked(True)
    qtbot.mouseClick(form.save_button, LEFT)
    shown = view.detail.currentWidget()
    assert isinstance(shown, CaseView)
    wait_loaded(qtbot, view.caseload.model)
    assert view.caseload.heading.text() == "My cases (1)"
    model = view.caseload.model
    assert model.data(model.index(0, 1)) == "Olena Kovalenko"
    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    with sara.session() as session:
        rows = cases.caseload_rows(
            session, actor_of(sara), cases.caseload_ids(session, actor_of(sara))
        )
    sara.lock()
    assert [(r.survivor_name, r.caseworker) for r in rows] == [("Olena Kovalenko", "Amina K.")]


def test_ctrl_l_locks_everything_and_signing_in_returns_to_the_case(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
) -> None:
    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    with sara.transaction() as session:
        for name in ("Ines", "Joy"):
            cases.record_survivor(
                session,
                actor_of(sara),
                cases.SurvivorInput(first_name=name, intake_date=today),
                today,
            )
    sara.lock()
    window = make_window(vault_folder)
    vault = sign_in(qtbot, window, "sara", SUPERVISOR_PASSWORD)
    view = window.workspace_view
    assert view is not None and view.caseload is not None
    model = view.caseload.model
    case_id = model.data(model.index(1, 0), CASE_ID_ROLE)
    view.open_case(case_id)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.sign_in
    assert window.workspace_view is None and window.vault is None
    assert vault.is_locked and model.rowCount() == 0
    assert window.sign_in.username.text() == "sara"
    sign_in(qtbot, window, "sara", SUPERVISOR_PASSWORD)
    current = workspace_of(window).detail.currentWidget()  # mypy holds it None from above
    assert isinstance(current, CaseView) and current.case_id == case_id


def test_the_app_locks_itself_after_idle(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    window = make_window(vault_folder)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    assert window.idle.active and window.idle.interval_ms == 5 * 60 * 1000
    window.idle.start(300)  # the administrator's 5 minutes, shortened for the test
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.sign_in, timeout=5000)
    assert window.vault is None


def test_an_administrator_sets_the_idle_timeout(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    window = make_window(vault_folder)
    sign_in(qtbot, window, "admin", ADMIN_PASSWORD)
    assert window.workspace_view is not None
    admin = window.workspace_view.admin
    assert admin is not None and window.workspace_view.caseload is None
    assert admin.users.rowCount() == 4
    admin.auto_lock.setValue(15)
    qtbot.mouseClick(admin.findChild(QPushButton, "saveAutoLock"), LEFT)
    assert admin.message.text() == "Saved." and admin.message.tone == "success"
    assert window.idle.interval_ms == 15 * 60 * 1000
    window.lock()
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    assert window.idle.interval_ms == 15 * 60 * 1000


def test_an_administrator_adds_resets_and_removes_accounts_in_the_app(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    window = make_window(vault_folder)
    sign_in(qtbot, window, "admin", ADMIN_PASSWORD)
    assert window.workspace_view is not None
    admin = window.workspace_view.admin
    assert admin is not None
    dialog = admin.add_user()
    dialog.username.setText("dina")
    dialog.display_name.setText("Dina R.")
    dialog.roles[Role.CASEWORKER].setChecked(True)
    dialog.password.setText("short")
    dialog.confirm.setText("short")
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=10000)
    assert "12 characters" in dialog.error.text()
    dialog.password.setText("amber cedar falcon lake")
    dialog.confirm.setText("amber cedar falcon lake")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10000)
    assert admin.users.rowCount() == 5
    names = {cell_text(admin.users, r, 0): cell_text(admin.users, r, 1) for r in range(5)}
    assert names["dina"] == "Dina R." and names["amina"] == "Amina K."  # full names shown

    admin.users.selectRow([cell_text(admin.users, r, 0) for r in range(5)].index("dina"))
    reset = admin.reset_password()
    assert reset is not None
    reset.password.setText("birch meadow otter stone")
    reset.confirm.setText("birch meadow otter stone")
    reset.submit()
    qtbot.waitUntil(lambda: reset.result() == QDialog.DialogCode.Accepted, timeout=10000)
    unlock(vault_folder, "dina", "birch meadow otter stone").lock()

    admin.disable_user(confirmed=True)
    qtbot.waitUntil(lambda: admin.isEnabled(), timeout=15000)
    states = {cell_text(admin.users, r, 0): cell_text(admin.users, r, 3) for r in range(5)}
    assert states["dina"] == "Disabled"
    with pytest.raises(WrongCredentials):
        unlock(vault_folder, "dina", "birch meadow otter stone")


def test_anyone_changes_their_own_password(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    window = make_window(vault_folder)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    dialog = window.change_password()
    assert dialog is not None
    dialog.current.setText("not my password")
    dialog.password.setText("willow copper lantern dawn")
    dialog.confirm.setText("willow copper lantern dawn")
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=10000)
    assert dialog.error.text() == "The current password is not correct."
    dialog.current.setText(WORKER_PASSWORD)
    dialog.password.setText("willow copper lantern dawn")
    dialog.confirm.setText("willow copper lantern dawn")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10000)
    window.lock()
    with pytest.raises(WrongCredentials):
        unlock(vault_folder, "amina", WORKER_PASSWORD)
    sign_in(qtbot, window, "amina", "willow copper lantern dawn")


def test_restore_a_backup_from_the_first_run_screen(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, tmp_path: Path
) -> None:
    backup = staffed_vault.backup("manual", tmp_path / "stick")
    window = make_window(VaultFolder(tmp_path / "new-laptop" / "vault"))
    assert window.pages.currentWidget() is window.setup
    dialog = window.setup.open_restore()
    dialog.path.setText(str(backup))
    dialog.username.setText("admin")
    dialog.secret.setText("wrong password entirely")
    dialog.restore()
    qtbot.waitUntil(lambda: not dialog.loading, timeout=15000)
    assert "do not open this backup" in dialog.error.text()
    dialog.secret.setText(ADMIN_PASSWORD)
    dialog.restore()
    qtbot.waitUntil(lambda: not dialog.loading, timeout=15000)
    assert window.pages.currentWidget() is window.sign_in
    sign_in(qtbot, window, "admin", ADMIN_PASSWORD)
    assert window.workspace_view is not None and window.workspace_view.admin is not None


def test_an_administrator_backs_up_to_a_chosen_folder(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    tmp_path: Path,
) -> None:
    window = make_window(vault_folder)
    sign_in(qtbot, window, "admin", ADMIN_PASSWORD)
    assert window.workspace_view is not None
    admin = window.workspace_view.admin
    assert admin is not None
    drive = tmp_path / "external"
    assert admin.choose_backup_folder(str(drive))
    assert admin.backup_folder.text() == str(drive)
    admin.backup_now()
    qtbot.waitUntil(lambda: "Backup saved" in admin.message.text(), timeout=15000)
    assert list(drive.glob("safehold-*-manual.db"))


def widget_texts() -> list[str]:
    """Every text any live widget holds: labels, fields, lists, tables and item models."""
    from PySide6.QtWidgets import (
        QAbstractItemView,
        QApplication,
        QLabel,
        QLineEdit,
        QPlainTextEdit,
        QTextEdit,
    )

    texts = []
    for widget in QApplication.allWidgets():
        if isinstance(widget, QLabel | QLineEdit):
            texts.append(widget.text())
        elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(min(model.rowCount(QModelIndex()), 500)):
                for column in range(60):
                    index = model.index(row, column)
                    if not index.isValid():
                        break
                    texts.append(str(model.data(index) or ""))
        texts.append(widget.windowTitle())
    return texts


def test_the_screen_locking_locks_the_app_and_no_widget_keeps_case_data(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    with amina.transaction() as session:
        case_id = cases.record_survivor(
            session,
            actor_of(amina),
            cases.SurvivorInput(first_name="Wambuirae", last_name="Ochiengova", intake_date=today),
            today,
        ).case_id
    amina.lock()
    window = make_window(vault_folder)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    assert window.workspace_view is not None
    window.workspace_view.open_case(case_id)
    case_view = window.workspace_view.detail.currentWidget()
    assert isinstance(case_view, CaseView)
    printing = case_view.overview.print_case_file()
    assert any("Wambuirae" in text for text in widget_texts())
    window.session_watch.screensaver(True)  # what the desktop's screensaver signal calls
    assert window.vault is None and window.pages.currentWidget() is window.sign_in
    assert not printing.isVisible()
    assert not any("Wambuirae" in t or "Ochiengova" in t for t in widget_texts())
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    window.session_watch.sleeping(True)  # the login manager's PrepareForSleep
    assert window.vault is None


def test_the_screensaver_signal_reaches_the_app_over_dbus(tmp_path: Path) -> None:
    """A private session bus and a real ActiveChanged signal, in a process of its own (Qt keeps
    one session-bus connection per process)."""
    import shutil
    import subprocess
    import sys

    if not (shutil.which("dbus-daemon") and shutil.which("dbus-send")):
        pytest.skip("no dbus-daemon on this machine to carry the signal")
    script = tmp_path / "listen.py"
    script.write_text(
        "import subprocess\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from ui.session_watch import SessionWatcher\n"
        "watcher = SessionWatcher()\n"
        "heard = []\n"
        "watcher.lock_requested.connect(lambda why: (heard.append(why), app.quit()))\n"
        "QTimer.singleShot(300, lambda: subprocess.run(['dbus-send', '--session', "
        "'--type=signal', '/org/freedesktop/ScreenSaver', "
        "'org.freedesktop.ScreenSaver.ActiveChanged', 'boolean:true']))\n"
        "QTimer.singleShot(8000, app.quit)\n"
        "app.exec()\n"
        "print('heard', heard)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        ["dbus-run-session", "--", sys.executable, str(script)]
        if shutil.which("dbus-run-session")
        else [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(root)},
    )
    assert "heard ['screensaver']" in done.stdout, done.stderr[-2000:]


def test_a_damaged_vault_offers_the_latest_backup_and_keeps_the_damaged_files(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    import hashlib
    import os

    backup = staffed_vault.backup("manual")
    staffed_vault.lock()
    for sidecar in vault_folder.folder.glob("safehold.db-*"):
        sidecar.unlink()
    vault_folder.database.write_bytes(os.urandom(16384))
    damaged = hashlib.sha256(vault_folder.database.read_bytes()).hexdigest()
    window = make_window(vault_folder)
    page = window.sign_in
    page.username.setText("admin")
    page.password.setText(ADMIN_PASSWORD)
    page.submit()
    qtbot.waitUntil(lambda: bool(page.error.text()), timeout=15000)
    assert "damaged" in page.error.text() and page.restore_button.isVisible()
    dialog = page.open_restore()
    assert dialog.path.text() == str(backup)
    dialog.username.setText("admin")
    dialog.secret.setText(ADMIN_PASSWORD)
    dialog.restore()
    qtbot.waitUntil(lambda: not dialog.loading, timeout=15000)
    assert "Restored the backup" in page.info.text(), dialog.error.text()
    [aside] = vault_folder.folder.parent.glob("vault-damaged-*")
    assert hashlib.sha256((aside / "safehold.db").read_bytes()).hexdigest() == damaged
    sign_in(qtbot, window, "admin", ADMIN_PASSWORD)
    assert window.vault is not None


def test_an_administrator_previews_then_saves_a_retention_rule(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
) -> None:
    window = make_window(vault_folder)
    sign_in(qtbot, window, "admin", ADMIN_PASSWORD)
    assert window.workspace_view is not None and window.workspace_view.admin is not None
    dialog = window.workspace_view.admin.open_retention()
    assert not dialog.add_button.isEnabled()  # no rule without its preview
    dialog.years.setValue(5)
    assert dialog.preview()
    assert "0 cases of 0 people" in dialog.preview_text.text()
    assert dialog.add()
    assert dialog.rules.count() == 1 and "5 years" in dialog.rules.item(0).text()
    dialog.rules.setCurrentRow(0)
    assert dialog.run() and "Done" in dialog.preview_text.text()
    assert "last run: 20" in dialog.rules.item(0).text()


def test_an_administrator_backs_up_with_progress_and_can_cancel(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(backup_module, "STEP_PAGES", 4)
    staffed_vault.set_backup_folder(tmp_path / "drive")
    window = make_window(vault_folder)
    sign_in(qtbot, window, "admin", ADMIN_PASSWORD)
    assert window.workspace_view is not None
    admin = window.workspace_view.admin
    assert admin is not None
    button = admin.findChild(QPushButton, "backupNow")
    assert button is not None
    seen: list[int] = []
    admin.backup_progress.valueChanged.connect(seen.append)
    qtbot.mouseClick(button, LEFT)
    assert button.text() == "Cancel backup" and admin.backup_progress.isVisible()
    qtbot.waitUntil(lambda: admin.message.text().startswith("Backup saved"), timeout=20000)
    assert button.text() == "Back up now" and not admin.backup_progress.isVisible()
    assert any(0 < percent < 100 for percent in seen)  # the bar moved while the copy ran
    assert len(list((tmp_path / "drive").glob("*-manual.db"))) == 1

    # Pressed again while the copy runs, the button cancels it: the job waits at its start
    # until the second press has been made, so the test does not race the copy.
    workspace = admin.workspace
    pressed = threading.Event()
    real_backup_now = workspace.backups.now

    def held_backup_now(progress, check):  # type: ignore[no-untyped-def]
        pressed.wait(10)
        return real_backup_now(progress, check)

    monkeypatch.setattr(workspace.backups, "now", held_backup_now)
    qtbot.mouseClick(button, LEFT)
    qtbot.mouseClick(button, LEFT)
    pressed.set()
    qtbot.waitUntil(lambda: "cancelled" in admin.message.text(), timeout=20000)
    assert admin.message.text() == "Backup cancelled. Nothing was written."
    assert button.text() == "Back up now"
    # Only the first manual backup (and the daily one taken at sign-in), each with its manifest.
    left = sorted(path.suffix for path in (tmp_path / "drive").iterdir())
    assert len(list((tmp_path / "drive").glob("*-manual.db"))) == 1
    assert left == [".db", ".db", ".json", ".json"]


def test_a_fresh_process_after_a_lock_signs_in_where_the_locked_one_was(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    """The lock replaces the process (ui.restart); the fresh one is handed ids only and, once
    the same person signs in, opens the case that was open."""
    from tests.ui.test_supervision_ui import amina_cases

    [case_id] = amina_cases(vault_folder, date.today(), ["Faith"])
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    user_id = actor_of(amina).user_id
    amina.lock()
    place = {"user_id": user_id, "view": "case", "case_id": case_id}
    handed: dict[str, object] = {
        "username": "amina",
        "place": {**place, "sort_column": 2, "sort_order": 1},
    }
    window = make_window(vault_folder)
    window.resume(handed)
    assert window.sign_in.username.text() == "amina"
    assert "locked" in window.sign_in.info.text()
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    qtbot.waitUntil(
        lambda: isinstance(workspace_of(window).detail.currentWidget(), CaseView), timeout=10000
    )
    current = workspace_of(window).detail.currentWidget()
    assert isinstance(current, CaseView)
    assert current.case_id == case_id


def test_a_place_handed_on_that_does_not_read_leaves_the_idle_lock_armed(
    qtbot: QtBot, make_window: MakeWindow, staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    """Whoever starts the app sets what a locked process hands on: a sort column of 2**40 or a
    geometry that is not hex is passed over, and the idle lock is armed all the same."""
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    user_id = actor_of(amina).user_id
    amina.lock()
    window = make_window(vault_folder)
    place = {"user_id": user_id, "view": "empty", "case_id": None, "sort_column": 2**40}
    window.resume({"username": "amina", "geometry": "é", "place": {**place, "sort_order": 1}})
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    assert window.idle.active


def test_locking_while_a_backup_runs_stops_it_and_writes_nothing_after(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ "Back up now", then Ctrl+L while the copy is being checked: the backup used to finish
    and write its file after the key was forgotten, and its callbacks then raised on deleted
    widgets. Now the lock cancels it, waits for it, and only then locks."""
    staffed_vault.set_backup_folder(tmp_path / "drive")
    window = make_window(vault_folder)
    sign_in(qtbot, window, "admin", ADMIN_PASSWORD)
    jobs.wait_for_all()  # the daily backup taken at sign-in
    drive = tmp_path / "drive"
    before = set(drive.glob("*"))
    checking = threading.Event()
    real_verify = backup_module.verify_copy

    def slow_verify(path, key):  # type: ignore[no-untyped-def]
        checking.set()
        time.sleep(1.0)
        return real_verify(path, key)

    monkeypatch.setattr(backup_module, "verify_copy", slow_verify)
    assert window.workspace_view is not None
    admin = window.workspace_view.admin
    assert admin is not None
    qtbot.mouseClick(admin.findChild(QPushButton, "backupNow"), LEFT)
    assert checking.wait(10)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.vault is None and window.pages.currentWidget() is window.sign_in
    jobs.wait_for_all()
    qtbot.wait(50)  # the job's queued callbacks reach a view that no longer exists
    assert set(drive.glob("*")) == before
