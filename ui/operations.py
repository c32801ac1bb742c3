"""Named background operations, as Anki's QueryOp and CollectionOp: a query (reads) or a
change (writes) run off the UI thread, tied to the widget the user acted in.

What every caller used to wire itself is here once:
- the callbacks run on the UI thread, and only while ``parent`` exists (a lock deletes the
  views whose work it stopped);
- a failure's sentence (the domain error's, or "something went wrong; nothing was lost" with a
  logged reference) is shown in ``message``, where the user acted, unless ``failed`` is given;
- the progress indicator (``progress``) is shown only once the work has taken more than about
  half a second (SHOW_PROGRESS_AFTER_MS), so quick work does not flicker, and hidden at the end;
- the widgets in ``busy`` are disabled while it runs (a second click does not start it again);
- the work's ``job.report(percent)`` moves ``progress`` when it is a progress bar (or calls
  ``reported``);
- ``Operation.cancel`` asks it to stop at its next check; the desk's close cancels it too. A
  cancel the user asked for calls ``cancelled``; one a lock made calls nothing;
- ``ended`` runs once it is over, whichever way, before ``done`` or ``failed``.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QWidget

from ui import changes, jobs
from ui.messages import error_text
from ui.widgets import show_error

log = logging.getLogger(__name__)

T = TypeVar("T")

SHOW_PROGRESS_AFTER_MS = 500


class Operation(Generic[T]):
    """One run of background work (see the module's docstring); made by ``query``/``change``."""

    def __init__(
        self,
        work: Callable[[jobs.Job], T],
        *,
        parent: QObject,
        done: Callable[[T], None] | None,
        message: QLabel | None,
        failed: Callable[[BaseException], None] | None,
        progress: QWidget | None,
        busy: Sequence[QWidget],
        show_after_ms: int,
        reported: Callable[[int, str], None] | None = None,
        cancelled: Callable[[], None] | None = None,
        ended: Callable[[], None] | None = None,
        announce: bool = False,
    ) -> None:
        if failed is None and message is None:
            raise ValueError("an operation needs a message label or a failure handler")
        self.parent = parent
        self._announce = announce
        _started.add(self)
        self._done = done
        self._message = message
        self._failed = failed
        self._progress = progress
        self._reported = reported
        self._cancelled = cancelled
        self._ended = ended
        self._busy = [w for w in busy if w.isEnabled()]
        self.finished = False
        self.succeeded = False  # the work returned (its result was delivered unless locked)
        self._timer: QTimer | None = None
        if progress is not None and show_after_ms <= 0:
            progress.show()  # work that always takes long (a backup): shown at once
        elif progress is not None:
            self._timer = QTimer(parent)
            self._timer.setSingleShot(True)
            self._timer.timeout.connect(self._show_progress)
            self._timer.start(show_after_ms)
        for widget in self._busy:
            widget.setEnabled(False)
        if message is not None:
            message.clear()  # the last attempt's sentence is not this one's
        self.job = jobs.start(work, self._succeeded, self._failed_with, parent=parent)
        if reported is not None or isinstance(progress, QProgressBar):
            self.job.on_progress(self._report, parent)

    def cancel(self) -> None:
        self.job.cancel()

    @property
    def running(self) -> bool:
        return not self.finished

    def _report(self, percent: int, text: str) -> None:
        if self._reported is not None:
            self._reported(percent, text)
        elif isinstance(self._progress, QProgressBar) and shiboken6.isValid(self._progress):
            if self._progress.maximum() == 0:  # a busy bar until the first step is known
                self._progress.setRange(0, 100)
            self._progress.setValue(percent)

    @property
    def progress_pending(self) -> bool:
        """Whether the progress indicator is still waiting for its half second."""
        return self._timer is not None and self._timer.isActive()

    def _show_progress(self) -> None:
        if not self.finished and self._progress is not None:
            self._progress.show()

    def _end(self) -> None:
        self.finished = True
        if self._timer is not None:
            self._timer.stop()
        if self._progress is not None and shiboken6.isValid(self._progress):
            self._progress.hide()
        for widget in self._busy:
            if shiboken6.isValid(widget):
                widget.setEnabled(True)
        if self._ended is not None:
            self._ended()

    def _succeeded(self, result: Any) -> None:
        self.succeeded = True
        self._end()
        if self.job.desk_closed:
            return  # the vault locked meanwhile: what follows (a reload) would find it locked
        if self._message is not None:
            self._message.clear()
        if self._done is not None:
            self._done(result)
        if self._announce and shiboken6.isValid(self.parent):
            changes.announce(self.parent)  # every other open view that shows it, refreshed

    def _failed_with(self, error: BaseException) -> None:
        self._end()
        if self.job.desk_closed:
            return  # the vault locked meanwhile: nothing to tell
        if isinstance(error, jobs.Cancelled):
            if self._cancelled is not None:
                self._cancelled()  # the user asked for it
            return
        if self._failed is not None:
            self._failed(error)
        elif self._message is not None:
            show_error(self._message, error_text(error))


def query(
    work: Callable[[], T],
    done: Callable[[T], None] | None = None,
    *,
    parent: QObject,
    message: QLabel | None = None,
    failed: Callable[[BaseException], None] | None = None,
    progress: QWidget | None = None,
    busy: Sequence[QWidget] = (),
    show_after_ms: int = SHOW_PROGRESS_AFTER_MS,
    reported: Callable[[int, str], None] | None = None,
    cancelled: Callable[[], None] | None = None,
    ended: Callable[[], None] | None = None,
) -> Operation[T]:
    """Read something off the UI thread (``work()`` calls the desk), then ``done(result)``;
    handled as ``change`` handles it, but nothing is announced: nothing changed."""
    return Operation(
        lambda _job: work(),
        parent=parent,
        done=done,
        message=message,
        failed=failed,
        progress=progress,
        busy=busy,
        show_after_ms=show_after_ms,
        reported=reported,
        cancelled=cancelled,
        ended=ended,
    )


def change(
    work: Callable[[jobs.Job], T],
    done: Callable[[T], None] | None = None,
    *,
    parent: QObject,
    message: QLabel | None = None,
    failed: Callable[[BaseException], None] | None = None,
    progress: QWidget | None = None,
    busy: Sequence[QWidget] = (),
    show_after_ms: int = SHOW_PROGRESS_AFTER_MS,
    reported: Callable[[int, str], None] | None = None,
    cancelled: Callable[[], None] | None = None,
    ended: Callable[[], None] | None = None,
) -> Operation[T]:
    """Change something off the UI thread (``work(job)``: it may report progress and check for
    cancel between steps), then ``done(result)``. It waits for the vault's writer there, never
    on the UI thread. Once done, the change is announced (``ui.changes``): every other open
    view that shows the vault reloads."""
    return Operation(
        work,
        parent=parent,
        done=done,
        message=message,
        failed=failed,
        progress=progress,
        busy=busy,
        show_after_ms=show_after_ms,
        reported=reported,
        cancelled=cancelled,
        ended=ended,
        announce=True,
    )


_started: weakref.WeakSet[Operation[Any]] = weakref.WeakSet()


def settled() -> bool:
    """Whether every operation started is over, or has lost the widget it would report to, and
    every change announced has been delivered (tests wait on it after showing a section)."""
    unfinished = [op for op in _started if not op.finished and shiboken6.isValid(op.parent)]
    return not unfinished and not changes.pending()


def running(operation: Operation[Any] | None) -> bool:
    """Whether ``operation`` (None: none started yet) is still running."""
    return operation is not None and operation.running
