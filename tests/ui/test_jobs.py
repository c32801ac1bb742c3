"""Background jobs: results come back on the UI thread; the garbage collector pauses meanwhile
and the UI thread gets the interpreter back more often."""

from __future__ import annotations

import gc
import sys
import threading

from pytestqt.qtbot import QtBot

from casework import runtime
from ui import jobs


def test_a_job_hands_its_result_to_the_ui_thread_and_holds_the_collector(qtbot: QtBot) -> None:
    release = threading.Event()
    results: list[tuple[int, bool]] = []
    default_interval = sys.getswitchinterval()
    assert default_interval > runtime.BUSY_SWITCH_INTERVAL_S

    def work(_job: jobs.Job) -> int:
        release.wait(10)
        return 42

    job = jobs.start(
        work,
        lambda value: results.append(
            (value, threading.current_thread() is threading.main_thread())
        ),
        lambda e: None,
    )
    assert not gc.isenabled()  # no collection in a worker thread while the job runs
    # the UI thread's turns come often
    assert sys.getswitchinterval() == runtime.BUSY_SWITCH_INTERVAL_S
    release.set()
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    qtbot.waitUntil(lambda: job not in jobs._running, timeout=5000)
    assert results == [(42, True)]
    assert gc.isenabled() and sys.getswitchinterval() == default_interval


def test_a_failing_job_reports_its_error(qtbot: QtBot) -> None:
    errors: list[BaseException] = []

    def work(_job: jobs.Job) -> None:
        raise ValueError("boom")

    jobs.start(work, lambda _value: None, errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], ValueError)
    qtbot.waitUntil(gc.isenabled, timeout=5000)


def test_a_finished_job_and_what_its_callbacks_hold_are_let_go(qtbot: QtBot) -> None:
    """Every job of a day used to stay in memory, and with it each locked vault its callbacks
    closed over: the pool kept the runnable, and Qt's connections the callbacks."""
    import weakref

    from PySide6.QtCore import QCoreApplication, QEvent

    class Held:
        """Stands for what a callback closes over: a view, the workspace, the open vault."""

    seen: list[int] = []

    def start() -> tuple[weakref.ref[jobs.Job], weakref.ref[Held]]:
        held = Held()

        # Both callbacks close over ``held``, as a view's callbacks do.
        def succeeded(value: int) -> None:
            seen.append(value)
            assert held is not None

        def failed(_error: BaseException) -> None:
            assert held is not None

        job = jobs.start(lambda _job: 7, succeeded, failed)
        return weakref.ref(job), weakref.ref(held)

    job_ref, held_ref = start()
    qtbot.waitUntil(lambda: bool(seen) and not jobs._running, timeout=5000)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    assert seen == [7]
    assert job_ref() is None and held_ref() is None
