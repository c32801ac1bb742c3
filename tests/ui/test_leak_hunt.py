"""The leak hunt: a survivor, notes and an attachment with distinctive strings go in through the
app; the case is worked, the app locked, a de-identified report exported and a backup taken.
Then every file the app could have written is scanned: the strings appear nowhere in clear."""

from __future__ import annotations

import logging
import logging.handlers
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from casework.model.vocab import ConsentKind, Role
from casework.platform import log_folder
from casework.services import accounts
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import ADMIN_PASSWORD, WORKER_PASSWORD
from tests.factories import actor_of
from tests.ui.conftest import MakeWindow, saved, sign_in
from tests.unit.test_attachments import pdf_with
from ui import jobs
from ui.views.case import CaseView
from ui.views.intake import IntakeForm

FIRST, LAST = "Zorbavelle", "Quintraxa"
ALIAS, PHONE = "Mama Ploovy", "+254 733 918 274"
NOTE = "Hid in the Vexmoor warehouse"
ATTACHMENT = pdf_with("Glimmerhast passport scan")  # a real PDF: a fake one is refused
NEEDLES = [FIRST, LAST, ALIAS, PHONE, "Vexmoor", "Glimmerhast"]


@pytest.fixture
def redirected_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Every per-user folder the app could write to, inside the test's own folder."""
    places = {}
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        places[name] = tmp_path / "user" / name.lower()
        places[name].mkdir(parents=True)
        monkeypatch.setenv(name, str(places[name]))
    return places


def files_under(*folders: Path) -> list[Path]:
    return [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]


def test_nothing_about_a_survivor_is_written_in_clear(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    tmp_path: Path,
    redirected_home: dict[str, Path],
) -> None:
    log_file = log_folder() / "safehold.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(log_file, encoding="utf-8")
    root = logging.getLogger()
    root.addHandler(handler)
    previous_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        accounts.add_user(
            staffed_vault,
            actor_of(staffed_vault),
            "dora",
            "orchid basalt ferry lamp",
            frozenset({Role.DATA_OFFICER}),
        )
        window = make_window(vault_folder)
        sign_in(qtbot, window, "amina", WORKER_PASSWORD)
        view = window.workspace_view
        assert view is not None
        qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        form = view.detail.currentWidget()
        assert isinstance(form, IntakeForm)
        form.fields.first_name.setText(FIRST)
        form.fields.last_name.setText(LAST)
        form.fields.aliases.setText(ALIAS)
        form.fields.phone.setText(PHONE)
        form.fields.safe_contact.setPlainText("Vexmoor cousin may answer")
        form.fields.exploitation[next(iter(form.fields.exploitation))].setChecked(True)
        form.save()
        case_view = view.detail.currentWidget()
        assert isinstance(case_view, CaseView)
        case_id = case_view.case_id
        case_view.notes.body.setPlainText(NOTE)
        saving = case_view.notes.add()
        qtbot.waitUntil(lambda: saving.finished)
        upload = tmp_path / "outside" / "scan.pdf"  # the user's own file, not the app's
        upload.parent.mkdir()
        upload.write_bytes(ATTACHMENT)
        assert saved(qtbot, case_view.attachments.attach(str(upload)))
        desk = window.desk
        assert desk is not None
        desk.consent.record(
            case_id, ConsentKind.AGGREGATE_REPORTING, date.today() - timedelta(days=200)
        )
        window.search_box.setText(LAST[:5])
        window._search()
        jobs.wait_for_all()
        qtbot.wait(50)
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        assert window.vault is None
        settings = QSettings()
        settings.sync()

        sign_in(qtbot, window, "dora", "orchid basalt ferry lamp")
        officer = window.desk
        assert officer is not None
        officer.reporting.add_profile("National", "KE-NRM", "", 5, 5, False, 11, 2)
        quarter = date.today().month - 1
        period = f"{date.today().year}-Q{quarter // 3 + 1}"
        export = tmp_path / "chosen-export"
        try:
            officer.reporting.export("quarterly", "National", period, export)
        except Exception as refused:  # too few people to report is fine; nothing written then
            assert "nothing" in str(refused).lower() or not export.exists()
        window.lock()
        sign_in(qtbot, window, "admin", ADMIN_PASSWORD)
        assert window.desk is not None
        backup = window.desk.backups.now()
        window.lock()
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(previous_level)

    scanned = files_under(
        vault_folder.folder,
        backup.parent,
        Path(tempfile.gettempdir()),
        *redirected_home.values(),
        tmp_path / "chosen-export",
    )
    names = {p.name for p in scanned}
    assert {"safehold.db", "keyring.json", backup.name, "safehold.log"} <= names
    needles = [n.encode() for n in NEEDLES] + [n.encode("utf-16-le") for n in (FIRST, LAST)]
    for path in scanned:
        data = path.read_bytes()
        for needle in needles:
            assert needle not in data, f"{needle!r} in clear in {path}"
    assert len(scanned) >= 5 and log_file.stat().st_size > 0  # the log was written to
