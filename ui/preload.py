"""What the app needs after sign-in, imported while the sign-in window waits for a password.

The sign-in window shows before SQLAlchemy, the model, Alembic and the workspace views are
imported (they take most of a second); a background thread imports them meanwhile. Anything
that needs them first waits for that thread, so no two threads ever import the same modules at
once (that could deadlock on Python's import locks).
"""

from __future__ import annotations

import importlib
import logging
import threading

from casework import runtime

log = logging.getLogger(__name__)

MODULES = (
    "sqlalchemy.orm",
    "casework.model",
    "casework.vault.schema",
    "casework.application.desk",
    "ui.views.workspace",
)

_thread: threading.Thread | None = None


def _load() -> None:
    for name in MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # the import is retried, and reported, where it is needed
            log.exception("preloading %s failed", name)
            return
    settle()


def settle() -> None:
    """Move every object alive now (modules, classes, the workspace's widgets) out of the
    garbage collector's sight. They live as long as the app, and a full collection walking
    them all took about 100 ms: a visible freeze of the window whenever one fell due."""
    runtime.freeze_survivors()


def start() -> None:
    global _thread
    if _thread is None:
        _thread = threading.Thread(target=_load, name="preload", daemon=True)
        _thread.start()


def wait() -> None:
    """Return once the preload has finished (at once if it never started)."""
    if _thread is not None and _thread is not threading.current_thread():
        _thread.join()
