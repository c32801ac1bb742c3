"""Where things live on this machine, and process hardening done once at start-up."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import platformdirs

APP_NAME = "Safehold"


def default_vault_folder() -> Path:
    """``$SAFEHOLD_VAULT``, else ``vault`` in the user's data folder."""
    configured = os.environ.get("SAFEHOLD_VAULT")
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "vault"


def log_folder() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def harden_process() -> None:
    """No core dumps (they would hold decrypted records), and user-only files by default."""
    os.umask(0o077)
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
