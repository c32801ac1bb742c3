"""A short working day through the real app (bench/soak.py, in a child process): it must end
without a crash, an unhandled exception, or descriptors and threads left behind. Never timed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_a_short_working_day_leaves_nothing_behind(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp_path)}
    short_day = ["--cases", "120", "--events", "50000", "--openings", "100", "--saves", "24"]
    short_day += ["--searches", "6", "--locks", "5", "--exports", "1", "--json"]
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "soak.py"), *short_day],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    day = json.loads(done.stdout.strip().splitlines()[-1])
    assert day["crashes"] == 0, done.stderr[-3000:]
    assert day["exceptions"] == 0, day["exception_kinds"]
    assert day["done"]["events"] == 50000 and day["done"]["openings"] >= 100
    assert day["done"]["locks"] >= 5 and day["done"]["saves"] > 0
    assert day["fds_end"] <= day["fds_start"], "open descriptors grew over the day"
    assert day["threads_end"] <= day["threads_start"], "threads grew over the day"
    assert day["top_level_widgets_end"] <= day["top_level_widgets_start"]
