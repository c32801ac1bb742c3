"""A data officer adds a reporting profile and exports from the app: choose, preview (suppressed
cells marked), export with progress; a cancelled export leaves no file."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from casework.model import AuditEvent
from casework.model.vocab import ConsentKind, Gender, Role
from casework.reporting import quarterly
from casework.reporting.summary_pdf import summary_pdf
from casework.services import accounts
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.factories import actor_of
from tests.ui.conftest import cell_text, sign_in
from tests.unit.reporting_data import add_person
from ui.views.national_reporting import ExportWizard, ReportingView, recent_quarters
from ui.windows.main_window import MainWindow

OFFICER = "orchid basalt ferry lamp"
LAST_QUARTER = recent_quarters(date.today())[1]


@pytest.fixture
def reporting_vault(staffed_vault: OpenVault) -> OpenVault:
    accounts.add_user(
        staffed_vault,
        actor_of(staffed_vault),
        "dora",
        OFFICER,
        frozenset({Role.DATA_OFFICER}),
        "Dora P.",
    )
    start = quarterly.Period.parse(LAST_QUARTER).start
    kinds = [["SexualExploitation"], ["ForcedLabour"], ["SexualExploitation", "ForcedLabour"]]
    for i in range(40):
        add_person(
            staffed_vault,
            intakes=[start],
            types=kinds[i % 3],
            consents=(ConsentKind.AGGREGATE_REPORTING, ConsentKind.RECORD_SHARING),
            birth=date(1980 + i % 20, 1, 1),
            gender=[Gender.FEMININE, Gender.MASCULINE][i % 2],
            citizenship=["UA", "KE"][i % 2],
        )
    return staffed_vault


def reporting_view(qtbot: QtBot, window: MainWindow) -> ReportingView:
    sign_in(qtbot, window, "dora", OFFICER)
    view = window.workspace_view
    assert view is not None and view.caseload is None  # a data officer sees no cases
    page = view.detail.currentWidget()
    assert isinstance(page, ReportingView)
    return page


def add_national(qtbot: QtBot, page: ReportingView) -> None:
    dialog = page.add_profile()
    dialog.name.setText("National quarterly return")
    dialog.hub_id.setText("KE-NRM")
    dialog.records.setChecked(True)
    dialog.k.setValue(5)
    dialog.threshold.setValue(3)  # below the floor: refused with a reason
    dialog.save()
    assert "cannot be below 5" in dialog.error.text() and dialog.isVisible()
    dialog.threshold.setValue(10)
    dialog.save()
    assert not dialog.isVisible()
    assert page.profiles.rowCount() == 1
    assert cell_text(page.profiles, 0, 0) == "National quarterly return"


def preview(qtbot: QtBot, wizard: ExportWizard) -> None:
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.loading, timeout=20000)
    assert wizard.steps.currentIndex() == 1, wizard.error.text()


def test_quarterly_export_from_the_wizard(
    qtbot: QtBot,
    make_window: Callable[[VaultFolder], MainWindow],
    vault_folder: VaultFolder,
    reporting_vault: OpenVault,
    tmp_path: Path,
) -> None:
    page = reporting_view(qtbot, make_window(vault_folder))
    add_national(qtbot, page)
    qtbot.waitUntil(lambda: page.history_note.text() == "No export has been made yet.")
    wizard = page.open_export()
    assert wizard.period.currentText() == LAST_QUARTER
    preview(qtbot, wizard)
    assert wizard.preview_tabs.count() == 7
    marked = []
    for index in range(wizard.preview_tabs.count()):
        grid = wizard.preview_tabs.widget(index)
        assert isinstance(grid, QTableWidget)
        for r in range(grid.rowCount()):
            for c in range(grid.columnCount()):
                item = grid.item(r, c)
                if item is not None and item.toolTip() == "Suppressed":
                    marked.append(item.text())
    assert marked and set(marked) == {"x"}
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    out = tmp_path / "return"
    wizard.folder.setText(str(out))
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.loading, timeout=20000)
    assert "Exported" in wizard.outcome.text(), wizard.error.text()
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "summary.csv", "summary.pdf"]
    assert json.loads((out / "manifest.json").read_text())["period"] == LAST_QUARTER
    with reporting_vault.session() as session:
        actions = session.execute(select(AuditEvent.action)).scalars().all()
    assert "export.quarterly" in actions
    # the page lists it under past exports, with each file's fingerprint
    history = page.history
    qtbot.waitUntil(lambda: history.rowCount() == 1, timeout=10000)
    assert cell_text(history, 0, 1) == "Dora P."
    assert cell_text(history, 0, 2) == f"Quarterly summary {LAST_QUARTER}"
    assert cell_text(history, 0, 3) == "National quarterly return"
    files = history.item(0, 4)
    assert files is not None
    shown, whole = files.text(), files.toolTip()
    for name in ("manifest.json", "summary.csv", "summary.pdf"):
        digest = hashlib.sha256((out / name).read_bytes()).hexdigest()
        assert f"{name}  {digest[:16]}…" in shown and f"{name}  {digest}" in whole


def test_a_cancelled_export_leaves_no_file(
    qtbot: QtBot,
    make_window: Callable[[VaultFolder], MainWindow],
    vault_folder: VaultFolder,
    reporting_vault: OpenVault,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = reporting_view(qtbot, make_window(vault_folder))
    add_national(qtbot, page)
    wizard = page.open_export()
    preview(qtbot, wizard)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    out = tmp_path / "return"
    wizard.folder.setText(str(out))
    # Hold the export inside its PDF step until Cancel has been pressed.
    reached, release = threading.Event(), threading.Event()
    render = summary_pdf

    def held(*args: object) -> bytes:
        reached.set()
        release.wait(10)
        return render(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(quarterly, "summary_pdf", held)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(reached.is_set, timeout=20000)
    assert wizard.cancel_button.text() == "Cancel"
    qtbot.mouseClick(wizard.cancel_button, Qt.MouseButton.LeftButton)
    release.set()
    qtbot.waitUntil(lambda: not wizard.loading, timeout=20000)
    assert "Cancelled" in wizard.error.text()
    assert not out.exists()
    with reporting_vault.session() as session:
        actions = session.execute(select(AuditEvent.action)).scalars().all()
    assert "export.quarterly" not in actions


def test_record_level_preview_and_export(
    qtbot: QtBot,
    make_window: Callable[[VaultFolder], MainWindow],
    vault_folder: VaultFolder,
    reporting_vault: OpenVault,
    tmp_path: Path,
) -> None:
    page = reporting_view(qtbot, make_window(vault_folder))
    add_national(qtbot, page)
    wizard = page.open_export()
    wizard.records_choice.setChecked(True)
    year = LAST_QUARTER[:4]
    assert wizard.period.currentText() == year
    preview(qtbot, wizard)
    assert f"records.csv for {year} will hold" in wizard.preview_summary.text()
    grid = wizard.preview_tabs.widget(0)
    assert isinstance(grid, QTableWidget)
    header = grid.horizontalHeaderItem(0)
    assert header is not None
    assert header.text() == "pid" and grid.rowCount() > 0
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    out = tmp_path / "records"
    out.mkdir()
    (out / "old.csv").write_text("x")
    wizard.folder.setText(str(out))
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.loading, timeout=20000)
    assert "not empty" in wizard.error.text()
    wizard.folder.setText(str(tmp_path / "records-new"))
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.loading, timeout=20000)
    assert "records.csv" in wizard.outcome.text(), wizard.error.text()
    assert (tmp_path / "records-new" / "records.csv").exists()


def test_a_record_export_that_withholds_every_identifying_field_warns(
    qtbot: QtBot,
    make_window: Callable[[VaultFolder], MainWindow],
    vault_folder: VaultFolder,
    reporting_vault: OpenVault,
) -> None:
    page = reporting_view(qtbot, make_window(vault_folder))
    add_national(qtbot, page)
    wizard = page.open_export()
    wizard.records_choice.setChecked(True)
    preview(qtbot, wizard)
    assert "Every identifying field" not in wizard.preview_summary.text()  # fields were kept
    release = wizard.release
    levels = release.manifest["hierarchy_levels"]
    # the same preview had every quasi-identifier climbed to its top: withheld
    withheld = dataclasses.replace(
        release,
        manifest={**release.manifest, "hierarchy_levels": dict.fromkeys(levels, "withheld")},
    )
    wizard.steps.setCurrentIndex(0)
    wizard._preview_records(withheld)
    assert wizard.preview_summary.tone == "warning"
    assert "Every identifying field had to be withheld" in wizard.preview_summary.text()
