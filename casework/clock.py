"""The one clock: what time and what day it is, for everything the desk does.

The desk holds a ``Clock`` and passes its dates to the services, which never read the time
themselves; a test or a benchmark gives the desk a clock of its own. ``today`` is the date
where the user is (the local date: a note written at 23:30 is dated that day); ``now`` is an
aware time in UTC. This module is the only place that asks the system for the date (ruff's DTZ
rules hold everywhere else, so no naive time or local date is made elsewhere); the stamps on
rows (created_at, updated_at) are instants from casework.model.base.utcnow.
"""

from __future__ import annotations

from datetime import UTC, date, datetime


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().astimezone().date()


class FixedClock(Clock):
    """A clock stopped at one moment (tests, benchmarks, the demo's dates)."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a fixed clock needs an aware time")
        self.at = at

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.astimezone().date()


SYSTEM = Clock()
