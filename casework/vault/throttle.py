"""Failed-unlock backoff, remembered across restarts in the vault folder.

It slows guessing at the sign-in screen; it cannot slow an attacker who copies the files and
guesses offline (Argon2's cost is what protects against that).
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

from casework.errors import UnlockThrottled
from casework.vault.files import write_private_file

FREE_ATTEMPTS = 3
MAX_DELAY_SECONDS = 300.0


class UnlockThrottle:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> tuple[int, float]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            failures, last = int(data["failures"]), float(data["last_failure"])
        except (OSError, ValueError, KeyError, TypeError, OverflowError):
            return 0, 0.0
        # A file anyone can write: no count beyond what the longest delay needs, no failure
        # in the future (which would lock everyone out for good).
        if math.isnan(last):
            last = 0.0
        return max(0, min(failures, 64)), min(last, time.time())

    @staticmethod
    def delay_after(failures: int) -> float:
        if failures < FREE_ATTEMPTS:
            return 0.0
        return min(MAX_DELAY_SECONDS, 2.0 ** (failures - FREE_ATTEMPTS))

    def seconds_to_wait(self, now: float | None = None) -> float:
        failures, last = self._read()
        now = time.time() if now is None else now
        return max(0.0, last + self.delay_after(failures) - now)

    def check(self) -> None:
        wait = self.seconds_to_wait()
        if wait > 0:
            raise UnlockThrottled(wait)

    def failed(self) -> None:
        failures, _ = self._read()
        payload = {"failures": failures + 1, "last_failure": time.time()}
        write_private_file(self.path, json.dumps(payload).encode())

    def succeeded(self) -> None:
        if self.path.exists():
            self.path.unlink()
