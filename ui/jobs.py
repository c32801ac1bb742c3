"""Background work off the UI thread: a job runs in the thread pool and hands its result (or
its error) back to the UI thread through a signal."""

from __future__ import annotations

import gc
import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from ui import preload

log = logging.getLogger(__name__)


class JobSignals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)
    progress = Signal(int, str)
    finished = Signal()


class Cancelled(Exception):
    """Raised inside a job that saw its cancel flag."""


class Job:
    """Run ``work(job)`` in a worker thread. ``work`` may call ``job.report(percent, text)`` and
    should call ``job.check_cancelled()`` between steps.

    Not a QRunnable: one handed to the pool with auto-delete off kept a reference to its Python
    object that nothing ever released, so every job, and all its closures held, stayed for the
    life of the process. The pool is given the bound ``run`` instead, which it lets go."""

    def __init__(self, work: Callable[[Job], Any]) -> None:
        self.signals = JobSignals()
        self._work = work
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check_cancelled(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def report(self, percent: int, text: str = "") -> None:
        self.signals.progress.emit(percent, text)

    def run(self) -> None:
        try:
            preload.wait()  # never import alongside the start-up preload
            result = self._work(self)
        except BaseException as exc:  # handed to the UI thread, which decides what to show
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)
        finally:
            self.signals.finished.emit()


_running: set[Job] = set()

# While jobs run, a thread waiting for the interpreter lock asks for it back after this long
# (Python's default is 5 ms). With an export, a report and a backup running, the UI thread
# otherwise queued behind each worker's 5 ms turn in a row: 50 ms and more without a repaint.
JOB_SWITCH_INTERVAL_S = 0.001
_default_switch_interval = sys.getswitchinterval()


def _hold_collector() -> None:
    """Python's cyclic garbage collector runs in whichever thread happens to allocate. Run in a
    worker, it may finalise a Qt widget there, and Qt crashes (seen in CI: a segfault inside a
    migration running in a job). While jobs run, the collector is paused; the UI thread collects
    when the last job ends. Reference counting still frees everything that is not in a cycle.
    The interpreter's switch interval is shortened meanwhile (see above)."""
    if not _running:
        gc.disable()
        sys.setswitchinterval(JOB_SWITCH_INTERVAL_S)


def _release_collector() -> None:
    if not _running:
        sys.setswitchinterval(_default_switch_interval)
        gc.enable()
        gc.collect()


def start(
    work: Callable[[Job], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException], None],
) -> Job:
    """Start a job; the callbacks run on the UI thread. The job is kept alive until it ends."""
    job = Job(work)
    job.signals.succeeded.connect(on_success)
    job.signals.failed.connect(on_failure)
    job.signals.finished.connect(lambda: _finished(job))
    _hold_collector()
    _running.add(job)
    QThreadPool.globalInstance().start(job.run)
    return job


def _finished(job: Job) -> None:
    """On the UI thread (the signal is queued there).

    A job's callbacks hold, in their closures, the job or what started it (a view, the
    workspace, the open vault); Qt's connections hold the callbacks: a cycle through C++ that
    Python's collector cannot see. The signals object is deleted once the job is over, which
    lets the connections, the callbacks and the job go. Before, every job stayed, and with it
    each locked vault of the day."""
    _running.discard(job)
    job.signals.deleteLater()
    _release_collector()


def cancel_all() -> None:
    """Ask every running job to stop at its next check (a lock, before the process ends)."""
    for job in list(_running):
        job.cancel()


def wait_for_all(timeout_ms: int = 30000) -> bool:
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
