"""One piece of work running on a desk: its cancel flag and its end. Light on purpose: the UI
makes one for every job, on its own thread, before the desk's modules have loaded."""

from __future__ import annotations

import threading

from casework.errors import Cancelled


class Work:
    """One piece of work on the desk: a cancel flag it checks between steps, and a flag set
    when it has ended (whichever way)."""

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self._ended = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise Cancelled if the work was asked to stop."""
        if self._cancel.is_set():
            raise Cancelled()

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    def wait(self, seconds: float) -> bool:
        return self._ended.wait(seconds)
