"""The caseload model: Qt's model contract, SQL sorting, lazy pages, permissions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from casework.application.desk import Desk
from casework.services import cases
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import actor_of, unlock
from tests.ui.conftest import wait_loaded
from ui.models import caseload
from ui.models.caseload import CaseloadModel


def fill(vault: OpenVault, names: list[str], today: date) -> None:
    with vault.transaction() as session:
        for offset, name in enumerate(names):
            cases.record_survivor(
                session,
                actor_of(vault),
                cases.SurvivorInput(first_name=name, intake_date=today - timedelta(days=offset)),
                today,
            )


def test_the_model_keeps_qts_contract(
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
) -> None:
    """Checked once the rows have loaded (checked while it was still loading, the model had no
    row for the tester to look at), and checked again while it reloads."""
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    fill(amina, ["Ana", "Bea", "Cy"], today)
    model = CaseloadModel(Desk(amina, actor_of(amina)))
    model.reload()
    wait_loaded(qtbot, model)
    qtbot.waitUntil(lambda: model.data(model.index(2, 0)) is not None, timeout=15000)
    assert model.rowCount() == 3
    qtmodeltester.check(model)
    model.reload()
    qtmodeltester.check(model)
    wait_loaded(qtbot, model)
    amina.lock()


def test_sorting_is_done_by_the_database_and_pages_load_in_the_background(
    qtbot: QtBot,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    names = [f"Name{i:03d}" for i in range(250)]
    fill(sara, names, today)
    workspace = Desk(sara, actor_of(sara))
    offsets: list[int] = []
    real = workspace.cases.caseload_window

    def counting(*args: Any, **kwargs: Any) -> cases.CaseloadWindow:
        window = real(*args, **kwargs)
        offsets.append(window.offset)
        return window

    monkeypatch.setattr(workspace.cases, "caseload_window", counting)
    model = CaseloadModel(workspace)
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert model.loading  # the query runs in the background
    wait_loaded(qtbot, model)
    assert model.rowCount() == 250 and offsets == [0]  # the count and the first page only
    assert model.data(model.index(0, 1)) == "Name000"
    assert model.data(model.index(249, 1)) is None  # not held: asked for, painted on arrival
    with qtbot.waitSignal(model.dataChanged, timeout=15000):
        pass
    assert model.data(model.index(249, 1)) == "Name249"
    assert offsets == [0, 2 * caseload.PAGE]  # two pages read, never the whole list
    model.sort(2, Qt.SortOrder.AscendingOrder)  # oldest intake first
    wait_loaded(qtbot, model)
    assert model.data(model.index(0, 1)) == "Name249"
    target = model.data(model.index(0, 0), caseload.CASE_ID_ROLE)
    model.sort(1, Qt.SortOrder.AscendingOrder)
    wait_loaded(qtbot, model)
    before = len(offsets)
    model.reload(locate=target)  # after an edit: the page holding the open case
    wait_loaded(qtbot, model)
    assert model.row_of(target) == 249 and offsets[before:] == [2 * caseload.PAGE]
    model.clear()
    assert model.rowCount() == 0
    sara.lock()
