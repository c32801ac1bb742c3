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


PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3


def harden_process() -> None:
    """No core dumps (they would hold decrypted records and keys), no other process of the same
    user reading this one's memory, and user-only files by default.

    - Linux: ``prctl(PR_SET_DUMPABLE, 0)``: no core file, and ``/proc/PID/mem``, ptrace and
      gcore refused to other processes of the user (root can still read it).
    - every POSIX system: the core-file limit set to zero.
    - Windows: Windows Error Reporting told not to show or collect a crash of this process."""
    os.umask(0o077)
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with contextlib.suppress(OSError, AttributeError, ImportError):
        import ctypes
        import ctypes.util

        if sys.platform.startswith("linux"):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        elif sys.platform == "win32":
            kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
            # SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX: no crash dialog or dump.
            kernel32.SetErrorMode(0x0001 | 0x0002)


def is_dumpable() -> bool:
    """Whether this process could be dumped or read by another of the same user (Linux)."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    import ctypes.util

    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return bool(libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0))


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
