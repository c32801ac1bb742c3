#!/usr/bin/env python3
"""Set up Safehold's virtual environment in .venv and run the app, the tests or the checks.

    python3 run.py app [--demo]   start the desktop app (creates .venv on first run)
    python3 run.py test [ARGS]    run the whole test suite (pytest ARGS)
    python3 run.py check          ruff, mypy, the layer contract and alembic check
    python3 run.py admin ARGS     safehold-admin ARGS

Only the standard library is used here: this file runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".safehold-installed"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")

# Debian/Ubuntu packages Qt needs at run time, by the shared library that is missing.
QT_SYSTEM_LIBS = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libfreetype.so.6": "libfreetype6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}


def say(message: str) -> None:
    print(f"safehold: {message}", file=sys.stderr, flush=True)


def requirements_fingerprint() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def bootstrap_pip_without_ensurepip() -> None:
    """Debian's python3 may lack ensurepip (package python3-venv): fetch pip's wheel from PyPI."""
    say("this Python has no ensurepip; fetching pip from PyPI into .venv")
    with urllib.request.urlopen("https://pypi.org/pypi/pip/json", timeout=60) as answer:
        release = json.load(answer)
    wheel = next(u for u in release["urls"] if u["filename"].endswith("-py3-none-any.whl"))
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / wheel["filename"]
        with urllib.request.urlopen(wheel["url"], timeout=120) as answer:
            data = answer.read()
        if hashlib.sha256(data).hexdigest() != wheel["digests"]["sha256"]:
            raise SystemExit("safehold: the pip wheel fetched from PyPI failed its checksum")
        target.write_bytes(data)
        subprocess.run(
            [str(PY), str(target / "pip"), "install", "--quiet", str(target)], check=True
        )


def ensure_venv() -> None:
    fingerprint = requirements_fingerprint()
    if STAMP.exists() and STAMP.read_text().strip() == fingerprint and PY.exists():
        return
    if not PY.exists():
        say("creating the virtual environment in .venv (first run only)")
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except subprocess.CalledProcessError:
            venv.EnvBuilder(with_pip=False, clear=True).create(VENV)
            bootstrap_pip_without_ensurepip()
        if not (BIN / "pip").exists() and not (BIN / "pip.exe").exists():
            bootstrap_pip_without_ensurepip()
    say("installing Safehold and its dependencies into .venv")
    pip = [str(PY), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(fingerprint)


def check_qt_libraries() -> None:
    """Qt wheels need a few system libraries; name the apt packages rather than fail obscurely."""
    probe = subprocess.run(
        [str(PY), "-c", "import PySide6.QtWidgets"], capture_output=True, text=True, check=False
    )
    if probe.returncode == 0:
        return
    missing = sorted({pkg for lib, pkg in QT_SYSTEM_LIBS.items() if lib in probe.stderr})
    packages = " ".join(missing) or " ".join(sorted(set(QT_SYSTEM_LIBS.values())))
    raise SystemExit(
        "safehold: Qt cannot load a system library it needs. Install it with:\n"
        f"    sudo apt-get install -y {packages}\n{probe.stderr.strip().splitlines()[-1]}"
    )


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("app", [])
    if command not in {"app", "test", "check", "admin"}:
        print(__doc__, file=sys.stderr)
        return 2
    ensure_venv()
    env = dict(os.environ)
    if command == "admin":
        return subprocess.call([str(BIN / "safehold-admin"), *rest], env=env)
    check_qt_libraries()
    if command == "app":
        return subprocess.call([str(PY), "-m", "ui.app", *rest], cwd=ROOT, env=env)
    if command == "test":
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        return subprocess.call([str(PY), "-m", "pytest", *rest], cwd=ROOT, env=env)
    steps = [
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "ruff"), "format", "--check", "."],
        [str(BIN / "mypy"), "casework"],
        [str(BIN / "lint-imports")],
        [str(BIN / "alembic"), "check"],
    ]
    failed = 0
    for step in steps:
        say("$ " + " ".join(Path(step[0]).name if i == 0 else a for i, a in enumerate(step)))
        failed |= subprocess.call(step, cwd=ROOT, env=env) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
