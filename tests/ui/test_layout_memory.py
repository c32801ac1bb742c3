"""The window's size, the caseload's divider and its columns are kept between runs (in
QSettings, layout only: nothing about a case is written there)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import WORKER_PASSWORD
from tests.ui.conftest import MakeWindow, sign_in


def test_size_divider_and_columns_come_back_and_nothing_else_is_kept(
    qtbot: QtBot,
    make_window: MakeWindow,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    tmp_path: Path,
) -> None:
    window = make_window(vault_folder)
    sign_in(qtbot, window, "amina", WORKER_PASSWORD)
    window.resize(780, 560)  # within the offscreen screen (restoring keeps a window on it)
    view = window.workspace_view
    assert view is not None and view.caseload is not None
    view.splitter.setSizes([300, 460])
    view.caseload.table.horizontalHeader().resizeSection(1, 260)
    divider = view.splitter.sizes()
    window.lock()

    again = make_window(vault_folder)
    assert (again.width(), again.height()) == (780, 560)
    sign_in(qtbot, again, "amina", WORKER_PASSWORD)
    assert again.workspace_view is not None and again.workspace_view.caseload is not None
    assert again.workspace_view.caseload.table.horizontalHeader().sectionSize(1) == 260
    assert again.workspace_view.splitter.sizes()[0] == divider[0]
    kept = (tmp_path / "config" / "layout.ini").read_text(encoding="utf-8", errors="replace")
    keys = {line.split("=", 1)[0] for line in kept.splitlines() if "=" in line}
    assert keys == {"window", "caseload-divider", "caseload-columns"}
