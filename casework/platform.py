"""Where things live on this machine, and process hardening done once at start-up."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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


def start_helper(module: str, request: dict[str, Any]) -> subprocess.Popen[bytes]:
    """A helper process for work split across the cores: a fresh interpreter running
    ``module`` (nothing of this process's memory or threads is copied into it), given
    ``request`` as JSON on its standard input (keys never go in a file, its command line or
    its environment), silent on standard error (an error's text stays out of any log)."""
    root = Path(__file__).resolve().parents[1]  # where the casework package sits
    process = subprocess.Popen(  # noqa: S603 - our interpreter, one of our own modules
        [sys.executable, "-m", module],
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # no console on Windows
    )
    assert process.stdin is not None
    with process.stdin:
        process.stdin.write(json.dumps(request).encode())
    return process


def helper_answer(process: subprocess.Popen[bytes]) -> Any:
    """What a helper wrote on its standard output, as JSON; OSError if it failed."""
    assert process.stdout is not None
    with process.stdout:
        output = process.stdout.read()
    if process.wait() != 0:
        raise OSError("a helper process failed")
    return json.loads(output)


def helper_request() -> Any:
    """In the helper: harden the process (no core dumps), then read its request."""
    harden_process()
    return json.loads(sys.stdin.buffer.read())


def stop_helper(process: subprocess.Popen[bytes]) -> None:
    """Kill a helper whose answer is no longer wanted (or that has given it), and reap it."""
    if process.poll() is None:
        process.kill()
    process.wait()
    if process.stdout is not None:
        process.stdout.close()
