"""The desk owns the work running on it: closing it (lock, sign-out, quit) cancels that work,
waits for it, and only then locks the vault; nothing is written after it."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from casework.application.desk import Desk
from casework.application.work import Work
from casework.errors import Cancelled, VaultLocked
from casework.reporting import quarterly, release_files
from casework.vault import backup
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import WORKER_PASSWORD
from tests.factories import actor_of, record_survivor, unlock
from tests.unit.reporting_data import add_person


def run_in_thread(
    desk: Desk, job: Callable[[Work], object]
) -> tuple[threading.Thread, list[object], threading.Event]:
    """``job(work)`` in a worker thread, tracked by the desk; what it returned or raised."""
    outcome: list[object] = []
    started = threading.Event()
    work = Work()
    desk.begin(work)

    def run() -> None:
        try:
            started.set()
            outcome.append(job(work))
        except BaseException as exc:
            outcome.append(exc)
        finally:
            desk.end(work)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome, started


def slowed(
    monkeypatch: pytest.MonkeyPatch, module: object, name: str, entered: threading.Event
) -> None:
    original = getattr(module, name)

    def slow(*args: object, **kwargs: object) -> object:
        entered.set()
        time.sleep(1.0)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)


def test_closing_during_a_backup_cancels_it_and_keeps_no_file(
    admin_vault: OpenVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = Desk(admin_vault, actor_of(admin_vault))
    folder = admin_vault.backup_folder
    before = set(folder.glob("*")) if folder.exists() else set()
    checking = threading.Event()
    slowed(monkeypatch, backup, "verify_copy", checking)

    def job(work: Work) -> Path:
        return desk.backups.now(check=work.check)

    thread, outcome, _ = run_in_thread(desk, job)
    assert checking.wait(10)  # copied, being checked: the last moment before the manifest
    left = desk.close()
    thread.join(10)
    assert left == []  # it stopped within the wait
    assert admin_vault.is_locked
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled)
    assert set(folder.glob("*")) == before  # neither the copy nor its manifest


def test_closing_during_an_export_cancels_it_and_writes_nothing(
    officer: OpenVault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(6):
        add_person(officer, intakes=[date(2026, 7, 10)], types=["SexualExploitation"])
    desk = Desk(officer, actor_of(officer))
    rendering = threading.Event()
    slowed(monkeypatch, quarterly, "summary_pdf", rendering)
    out = tmp_path / "release"

    def job(work: Work) -> object:
        return desk.reporting.export("quarterly", "National", "2026-Q3", out, check=work.check)

    thread, outcome, _ = run_in_thread(desk, job)
    assert rendering.wait(10)
    desk.close()
    thread.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled | VaultLocked)
    assert not out.exists() or not any(out.iterdir())


def test_a_closed_desk_takes_no_more_work(admin_vault: OpenVault) -> None:
    desk = Desk(admin_vault, actor_of(admin_vault))
    desk.close()
    with pytest.raises(VaultLocked):
        desk.begin(Work())
    with pytest.raises(VaultLocked), desk.working():
        pass


def test_work_that_ignores_its_cancel_does_not_hold_the_lock_for_ever(
    admin_vault: OpenVault,
) -> None:
    desk = Desk(admin_vault, actor_of(admin_vault))
    release = threading.Event()
    thread, _outcome, started = run_in_thread(desk, lambda _work: release.wait(10))
    assert started.wait(10)
    left = desk.close(wait_seconds=0.2)
    assert admin_vault.is_locked
    assert len(left) == 1  # named, and the vault locked all the same
    release.set()
    thread.join(10)


def test_an_export_whose_audit_row_a_lock_refused_leaves_no_file(
    officer: OpenVault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by trying it: the lock gave up waiting for an export writing to a slow drive and
    refused its audit row, but the files it had written stayed: an export with no record."""
    for _ in range(6):
        add_person(officer, intakes=[date(2026, 7, 10)], types=["SexualExploitation"])
    desk = Desk(officer, actor_of(officer))
    writing = threading.Event()
    slowed(monkeypatch, release_files, "write_private_file", writing)
    out = tmp_path / "release"

    def job(work: Work) -> object:
        return desk.reporting.export("quarterly", "National", "2026-Q3", out)  # ignores any cancel

    thread, outcome, _ = run_in_thread(desk, job)
    assert writing.wait(10)
    officer.lock(wait_seconds=0.2)  # gives up on the write: its commit is refused
    thread.join(20)
    assert len(outcome) == 1 and isinstance(outcome[0], VaultLocked)
    assert not out.exists() or not any(out.iterdir())


def test_an_area_binds_a_service_with_the_callers_arguments_only(staffed_vault: OpenVault) -> None:
    import inspect

    from casework.services import tasks

    desk = Desk(staffed_vault, actor_of(staffed_vault))
    add = desk.tasks.add
    assert add is desk.tasks.add  # made once, kept on the area
    assert add.__name__ == "add_task" and add.__doc__ == tasks.add_task.__doc__
    assert list(inspect.signature(add).parameters)[:3] == ["case_id", "title", "due_on"]


def test_a_bound_write_waits_for_the_writer_and_a_bound_read_does_not(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    desk = Desk(amina, actor_of(amina))
    case = record_survivor(amina, today)
    order: list[str] = []
    holding, release = threading.Event(), threading.Event()

    def hold_the_writer() -> None:
        with amina.transaction():
            holding.set()
            release.wait(10)
            order.append("released")

    holder = threading.Thread(target=hold_the_writer)
    holder.start()
    assert holding.wait(10)
    assert desk.tasks.of_case(case.case_id) == []  # a read goes on while the writer is held

    def write() -> None:
        desk.tasks.add(case.case_id, "Call back", today)
        order.append("wrote")

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(0.3)  # a chance to write past the held writer, if it could
    release.set()
    holder.join(10)
    writer.join(10)
    assert order == ["released", "wrote"]
    assert [t.title for t in desk.tasks.of_case(case.case_id)] == ["Call back"]
    amina.lock()


def test_the_desk_dates_with_the_clock_it_is_given(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    from datetime import UTC, datetime, timedelta

    from casework.clock import FixedClock
    from casework.errors import ValidationError
    from casework.model.vocab import Confidentiality

    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    case = record_survivor(amina, today)
    stopped = Desk(amina, actor_of(amina), FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC)))
    later = date(2026, 11, 23) + timedelta(days=2)
    with pytest.raises(ValidationError):  # after the desk's today, whatever the system's
        stopped.notes.add(case.case_id, "Called", later, Confidentiality.ORDINARY)
    note = stopped.notes.add(case.case_id, "Called", date(2026, 11, 23), Confidentiality.ORDINARY)
    assert note.noted_on == date(2026, 11, 23)
    amina.lock()


def test_backups_on_the_vaults_own_disk_are_told_apart(
    admin_vault: OpenVault, tmp_path: Path
) -> None:
    desk = Desk(admin_vault, actor_of(admin_vault))
    assert desk.backups.on_the_vaults_disk()  # the default: inside the vault's folder
    other = Path("/dev/shm")
    if not other.is_dir() or other.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("no second file system here to put backups on")
    target = other / f"safehold-test-{tmp_path.name}"
    target.mkdir()
    try:
        desk.backups.set_folder(target)
        assert not desk.backups.on_the_vaults_disk()
    finally:
        desk.backups.set_folder(None)
        shutil.rmtree(target)
