#!/usr/bin/env python3
"""Set up Safehold's virtual environment in .venv and run the app, the tests or the checks.

    python3 run.py app [--demo]   start the desktop app (creates .venv on first run)
    python3 run.py test [ARGS]    run the whole test suite (pytest ARGS)
    python3 run.py check          ruff, mypy, the import contracts and alembic check
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

# Debian/Ubuntu packages by the shared library they ship, where the name does not follow Debian's
# rule (libfoo-bar.so.N is in libfoo-barN, or libfoo-bar-N when the name ends in a digit).
DEBIAN_PACKAGE_OF = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
}
# Qt's xcb plugin opens libxcb-cursor at run time, so ldd does not list it.
LOADED_AT_RUN_TIME = {"xcb": ["libxcb-cursor.so.0"]}


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


def debian_package(library: str) -> str:
    """The Debian/Ubuntu package that ships a shared library, by Debian's naming rule."""
    if library in DEBIAN_PACKAGE_OF:
        return DEBIAN_PACKAGE_OF[library]
    name, _, version = library.partition(".so.")
    name = name.lower()
    version = version.split(".")[0]
    return f"{name}-{version}" if name[-1:].isdigit() else f"{name}{version}"


def missing_libraries(binary: Path) -> list[str]:
    """The shared libraries `binary` needs that the dynamic linker cannot find (by ldd)."""
    try:
        out = subprocess.run(
            ["ldd", str(binary)], capture_output=True, text=True, check=False, timeout=60
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line.split()[0] for line in out.splitlines() if "not found" in line]


def library_present(library: str) -> bool:
    try:
        out = subprocess.run(
            ["ldconfig", "-p"], capture_output=True, text=True, check=False, timeout=60
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return True  # cannot tell: let Qt say
    return any(line.strip().startswith(library + " ") for line in out.splitlines())


def qt_platform_plugins(env: dict[str, str]) -> list[str]:
    """The platform plugins Qt will try here: the one asked for, else Wayland's and X11's."""
    asked = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if asked:
        return [asked]
    found = []
    if env.get("WAYLAND_DISPLAY"):
        found.append("wayland")
    if env.get("DISPLAY"):
        found.append("xcb")
    return found


def install_line(libraries: list[str]) -> str:
    packages = " ".join(sorted({debian_package(lib) for lib in libraries}))
    return f"    sudo apt-get install -y {packages}"


def check_qt_libraries(env: dict[str, str], for_app: bool) -> None:
    """Qt needs system libraries a bare Debian/Ubuntu lacks: name the exact apt-get line rather
    than let Qt abort naming a library that may not even be the missing one."""
    plugins = qt_platform_plugins(env)
    if for_app and not plugins and sys.platform.startswith("linux"):
        raise SystemExit(
            "safehold: there is no display here (neither DISPLAY nor WAYLAND_DISPLAY is set). "
            "Start Safehold from a desktop session; to try it without one, run it with "
            "QT_QPA_PLATFORM=offscreen (nothing is shown)."
        )
    probe = subprocess.run(
        [str(PY), "-c", "import PySide6, PySide6.QtWidgets; print(PySide6.__file__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    qt = Path(probe.stdout.strip()).parent / "Qt" if probe.returncode == 0 else None
    missing: list[str] = []
    if probe.returncode != 0:
        missing = sorted(
            {
                word.rstrip(":")
                for word in probe.stderr.split()
                if ".so." in word and word.startswith("lib")
            }
        )
    elif sys.platform.startswith("linux") and qt is not None:
        for plugin in plugins:
            binary = qt / "plugins" / "platforms" / f"libq{plugin}.so"
            if binary.exists():
                missing += missing_libraries(binary)
                missing += [
                    lib for lib in LOADED_AT_RUN_TIME.get(plugin, []) if not library_present(lib)
                ]
    if probe.returncode != 0 and not missing:
        raise SystemExit(
            "safehold: Qt cannot start: " + (probe.stderr.strip().splitlines() or ["?"])[-1]
        )
    if missing:
        raise SystemExit(
            "safehold: Qt needs system libraries that are missing here ("
            + ", ".join(sorted(set(missing)))
            + "). Install them with:\n"
            + install_line(missing)
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
    if command != "app":
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    check_qt_libraries(env, for_app=command == "app")
    if command == "app":
        return subprocess.call([str(PY), "-m", "ui.app", *rest], cwd=ROOT, env=env)
    if command == "test":
        return subprocess.call([str(PY), "-m", "pytest", *rest], cwd=ROOT, env=env)
    steps = [
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "ruff"), "format", "--check", "."],
        [str(BIN / "mypy"), "casework", "ui", "tests"],
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
