"""Locking ends the process that held the open vault.

In Python, forgetting a key or a record is not the same as erasing it: strings are immutable,
freed memory is not overwritten, and copies live on in caches, Qt's buffers and the
allocator's free lists (a core dump taken after lock still held 180 of 203 survivors' names,
the database key and the password). What is certain is that a process that ends leaves none of
it: on lock the app replaces itself (``execve``, the same process id, so whatever started it
still waits for it) with a fresh one that shows the sign-in and keeps only where to go back to,
as ids: the user name, the view and the open case's id, the window's geometry.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

RESUME_ENV = "SAFEHOLD_RESUME"
ROOT = Path(__file__).resolve().parent.parent
RESUME_LIMIT = 10_000  # characters: ids and a geometry, nothing more

log = logging.getLogger(__name__)


def app_command(folder: Path, flags: list[str]) -> list[str]:
    """The command that starts the app on ``folder`` again (a frozen app is its own
    executable)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--vault", str(folder), *flags]
    # -P: the folder it was started from is not put on the module path.
    return [sys.executable, "-P", "-m", "ui.app", "--vault", str(folder), *flags]


def replace_process(command: list[str], state: dict[str, Any]) -> NoReturn:
    """Become ``command``, handing it ``state`` (ids only) in the environment."""
    env = dict(os.environ)
    env[RESUME_ENV] = json.dumps(state, separators=(",", ":"))
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if str(ROOT) not in paths:  # once, however many times the app is locked
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *paths])
    log.info("locked: starting a fresh process for the sign-in")
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    os.execve(command[0], command, env)  # noqa: S606 - the app's own interpreter and module


def take_resume() -> dict[str, Any] | None:
    """The state a locked process handed on, taken out of the environment (so no helper process
    inherits it); None when this is a first start."""
    text = os.environ.pop(RESUME_ENV, None)
    if not text or len(text) > RESUME_LIMIT:
        return None
    try:
        state = json.loads(text)
    except ValueError:
        return None
    return state if isinstance(state, dict) else None
