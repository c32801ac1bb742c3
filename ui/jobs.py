"""Background work off the UI thread: a job runs in the thread pool and hands its result (or
its error) back to the UI thread through a signal.

A job started while a desk is served (``serve``, from sign-in to lock) is the desk's work: the
desk's ``close`` cancels it and waits for it before the vault locks. A job's callbacks are
dropped, not called, once the widget they belong to (``parent``, or the object of a bound
method) has been deleted: a lock deletes the views whose work it stopped."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, QThreadPool, Signal

from casework import runtime
from casework.application.work import Work
from casework.errors import Cancelled
from ui import preload

if TYPE_CHECKING:
    from casework.application.desk import Desk

log = logging.getLogger(__name__)


class JobSignals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)
    progress = Signal(int, str)
    finished = Signal()


__all__ = ["Cancelled", "Job", "cancel_all", "serve", "start", "wait_for_all"]


class Job:
    """Run ``work(job)`` in a worker thread. ``work`` may call ``job.report(percent, text)`` and
    should call ``job.check_cancelled()`` between steps.

    Not a QRunnable: one handed to the pool with auto-delete off kept a reference to its Python
    object that nothing ever released, so every job, and all its closures held, stayed for the
    life of the process. The pool is given the bound ``run`` instead, which it lets go."""

    def __init__(self, work: Callable[[Job], Any], desk: Desk | None = None) -> None:
        self.signals = JobSignals()
        self._work = work
        self._desk = desk
        self.token: Work = Work()
        if desk is not None:
            desk.begin(self.token)  # VaultLocked once the desk has closed

    def cancel(self) -> None:
        self.token.cancel()

    @property
    def desk_closed(self) -> bool:
        """Whether the desk this job was started for has closed (a lock, a sign-out) since."""
        return self._desk is not None and self._desk.closed

    @property
    def cancelled(self) -> bool:
        return self.token.cancelled

    def check_cancelled(self) -> None:
        self.token.check()

    def on_progress(self, callback: Callable[[int, str], None], parent: QObject) -> None:
        """Hear ``report`` on the UI thread, while ``parent`` still exists."""

        def deliver(percent: int, text: str) -> None:
            if shiboken6.isValid(parent):
                callback(percent, text)

        self.signals.progress.connect(deliver)

    def report(self, percent: int, text: str = "") -> None:
        self.signals.progress.emit(percent, text)

    def run(self) -> None:
        try:
            preload.wait()  # never import alongside the start-up preload
            self.check_cancelled()  # cancelled (a lock) while it waited for a thread
            result = self._work(self)
        except BaseException as exc:  # handed to the UI thread, which decides what to show
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)
        finally:
            if self._desk is not None:
                self._desk.end(self.token)
            self.signals.finished.emit()


_running: set[Job] = set()


def _hold_collector() -> None:
    """Python's cyclic garbage collector runs in whichever thread happens to allocate. Run in a
    worker, it may finalise a Qt widget there, and Qt crashes (seen in CI: a segfault inside a
    migration running in a job). While a job runs, the collector is paused; the UI thread
    collects when the last job ends. Reference counting still frees everything that is not in
    a cycle. The interpreter's switch interval is shortened meanwhile (casework.runtime)."""
    runtime.busy()


def _release_collector() -> None:
    runtime.idle(collect=True)


_served: Desk | None = None


def serve(desk: Desk | None) -> None:
    """Jobs started from now on are ``desk``'s work (None: no desk, before sign-in)."""
    global _served
    _served = desk


def _owner(callback: Callable[..., None], parent: QObject | None) -> QObject | None:
    if parent is not None:
        return parent
    bound = getattr(callback, "__self__", None)
    return bound if isinstance(bound, QObject) else None


def _delivered(callback: Callable[[Any], None], parent: QObject | None) -> Callable[[Any], None]:
    """``callback``, called only while the widget it belongs to still exists."""
    owner = _owner(callback, parent)
    if owner is None:
        return callback

    def deliver(value: Any) -> None:
        if shiboken6.isValid(owner):
            callback(value)
        else:
            log.info("a job ended after its window closed; its result was dropped")

    return deliver


def start(
    work: Callable[[Job], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException], None],
    *,
    parent: QObject | None = None,
) -> Job:
    """Start a job; the callbacks run on the UI thread, and only while ``parent`` (by default
    the object of a bound-method callback) exists. The job is kept alive until it ends, and is
    the served desk's work (see ``serve``)."""
    job = Job(work, _served)
    job.signals.succeeded.connect(_delivered(on_success, parent))
    job.signals.failed.connect(_delivered(on_failure, parent))
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
