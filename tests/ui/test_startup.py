"""The sign-in window does not wait for the database layer: it loads in the background."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_starting_the_app_imports_neither_sqlalchemy_nor_the_model_nor_the_workspace() -> None:
    probe = (
        "import sys, ui.app; "
        "print(sorted(m for m in ('sqlalchemy', 'casework.model.cases', "
        "'casework.application.desk', 'ui.views.workspace', 'alembic') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_preload_brings_them_in_and_waiting_for_it_is_safe() -> None:
    probe = (
        "import sys; from ui import preload; preload.wait(); preload.start(); preload.start(); "
        "preload.wait(); print(all(m in sys.modules for m in preload.MODULES))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "True"


def test_the_app_s_log_on_the_terminal_carries_no_alembic_info_lines() -> None:
    probe = (
        "import logging; from ui.app import setup_logging; setup_logging(None); "
        "logging.getLogger('alembic.runtime.migration').info('Context impl SQLiteImpl.'); "
        "logging.getLogger('safehold').info('signed in')"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "signed in" in done.stderr
    assert "SQLiteImpl" not in done.stderr
