"""A demo vault left in the temporary folder by a Safehold that was killed is removed at the
next start; a running demo's folder, and anything not made by the app, is left alone."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ui.app import DEMO_MARKER, DEMO_PREFIX, clear_stale_demos


def demo_folder(name: str, marker: str | None) -> Path:
    root = Path(tempfile.gettempdir()) / f"{DEMO_PREFIX}{name}"
    (root / "vault").mkdir(parents=True)
    (root / "vault" / "safehold.db").write_bytes(b"\0" * 64)
    if marker is not None:
        (root / DEMO_MARKER).write_text(marker, encoding="utf-8")
    return root


def test_only_the_leftovers_of_a_killed_demo_are_removed() -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(gone.stdout)
    killed = demo_folder("killed", f"40\n{dead_pid}\n")
    running = demo_folder("running", f"40\n{os.getpid()}\n")
    foreign = demo_folder("foreign", None)  # no marker: not the app's
    cleared = clear_stale_demos()
    assert cleared == [killed.resolve()]
    assert not killed.exists()
    assert running.exists() and foreign.exists()
