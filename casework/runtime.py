"""The one owner of the interpreter-wide settings Safehold changes: the cyclic garbage
collector (paused while background work runs and while exports build, frozen after start-up)
and the thread switch interval (shortened while background work runs).

Before, three places (the UI's jobs, the exports' scanner, the start-up preload) each changed
them on their own, and one could undo another's pause. Every pause here is counted: the
collector runs again, and the interval goes back, only when the last pause ends.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = True
_busy = 0
_default_interval = sys.getswitchinterval()

# While background work runs, a thread waiting for the interpreter lock asks for it back after
# this long (Python's default is 5 ms). With an export, a report and a backup running, the UI
# thread otherwise queued behind each worker's 5 ms turn in a row: 50 ms and more without a
# repaint.
BUSY_SWITCH_INTERVAL_S = 0.001


def pause_collector() -> None:
    """No cyclic garbage collection until the matching ``resume_collector``."""
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1


def resume_collector(collect: bool = False) -> None:
    """End one pause; the last one restores the collector (and, with ``collect``, runs it)."""
    global _pauses
    with _lock:
        _pauses = max(0, _pauses - 1)
        last = _pauses == 0
        if last and _was_enabled:
            gc.enable()
    if last and collect:
        gc.collect()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside (safe to nest and to use from several threads)."""
    pause_collector()
    try:
        yield
    finally:
        resume_collector()


def busy() -> None:
    """Background work has started: the collector pauses and the switch interval shortens."""
    global _busy
    pause_collector()
    with _lock:
        if _busy == 0:
            sys.setswitchinterval(BUSY_SWITCH_INTERVAL_S)
        _busy += 1


def idle(collect: bool = True) -> None:
    """One piece of background work has ended; after the last, the interval goes back and the
    collector runs again (from the thread calling this: the UI thread, for Qt's sake)."""
    global _busy
    with _lock:
        _busy = max(0, _busy - 1)
        if _busy == 0:
            sys.setswitchinterval(_default_interval)
    resume_collector(collect)


def freeze_survivors() -> None:
    """Move every object alive now out of the collector's sight: they live as long as the app,
    and a full collection walking them all took about 100 ms, a visible freeze."""
    gc.freeze()
