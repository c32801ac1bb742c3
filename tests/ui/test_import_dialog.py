"""The import dialog with bad files: nothing read without a bound, short values, a bounded
table; and the intake form's message for dates that contradict the intake date."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from casework.application.desk import Desk
from casework.model.vocab import Role
from casework.services.cases import CaseSort
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import WORKER_PASSWORD
from tests.factories import actor_of, unlock
from tests.ui.conftest import cell_text
from ui import jobs
from ui.views.import_dialog import MAX_SHOWN_PROBLEMS, ImportDialog
from ui.views.intake import IntakeForm


@pytest.fixture
def dialog(qtbot: QtBot, staffed_vault: OpenVault) -> Iterator[ImportDialog]:
    assert Role.ADMINISTRATOR in actor_of(staffed_vault).roles
    shown = ImportDialog(Desk(staffed_vault, actor_of(staffed_vault)))
    qtbot.addWidget(shown)
    shown.show()
    yield shown
    jobs.wait_for_all()


def test_the_dialog_refuses_a_device_without_reading_it(
    dialog: ImportDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unbounded(_path: Path) -> bytes:
        raise AssertionError("read_bytes() reads without a bound")

    monkeypatch.setattr(Path, "read_bytes", unbounded)
    dialog.load(Path("/dev/zero"))
    assert "not an ordinary file" in dialog.error.text()
    assert dialog.data is None and not dialog.import_button.isEnabled()


def test_the_dialog_quotes_short_values_and_lists_a_bounded_number_of_problems(
    qtbot: QtBot, dialog: ImportDialog, tmp_path: Path
) -> None:
    bad_rows = MAX_SHOWN_PROBLEMS + 200
    file = tmp_path / "cases.csv"
    file.write_text(
        "prs_FirstName,prs_Birthdate,ext_IntakeDate\n"
        + "".join(f"P{i},{'9' * 500},2026-01-01\n" for i in range(bad_rows))
        + "Amani,,2026-01-01\n",
        encoding="utf-8",
    )
    dialog.load(file)
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=20000)
    assert dialog.problems.rowCount() == MAX_SHOWN_PROBLEMS
    values = {cell_text(dialog.problems, row, 2) for row in range(dialog.problems.rowCount())}
    assert values == {"9" * 60 + "…"}
    summary = dialog.summary.text()
    assert f"{bad_rows} have problems" in summary
    assert f"The first {MAX_SHOWN_PROBLEMS} of {bad_rows} problems are listed" in summary
    assert dialog.import_button.text() == "Import 1 cases"


@pytest.mark.parametrize(
    ("set_dates", "message"),
    [
        (
            lambda form, today: (
                form.fields.birth_known.setChecked(True),
                form.fields.birth_date.setDate(QDate(today - timedelta(days=5))),
            ),
            "The birth date is after the intake date; correct one of them.",
        ),
        (
            lambda form, today: (
                form.fields.has_referral_date.setChecked(True),
                form.fields.referral_date.setDate(QDate(today - timedelta(days=2))),
            ),
            "The referral date is after the intake date; correct one of them.",
        ),
    ],
    ids=["birth-date", "referral-date"],
)
def test_the_intake_form_shows_why_contradictory_dates_are_refused(
    qtbot: QtBot,
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    set_dates: Callable[[IntakeForm, date], object],
    message: str,
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    workspace = Desk(amina, actor_of(amina))
    form = IntakeForm(workspace)
    qtbot.addWidget(form)
    today = date.today()
    form.fields.first_name.setText("Neema")
    # PySide6 converts a datetime.date to a QDate; its stubs leave that constructor out.
    form.fields.intake_date.setDate(QDate(today - timedelta(days=10)))  # type: ignore[call-overload]
    set_dates(form, today)
    form.save()
    assert form.error.text() == message
    assert workspace.cases.caseload_ids(CaseSort.REFERENCE, False) == []
    amina.lock()
