"""Safehold's desktop app: ``python -m ui.app [--demo] [--vault DIR]``."""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from casework import __version__
from casework.application.entrance import Entrance
from casework.platform import default_vault_folder, harden_process, log_folder
from ui import preload, restart, style
from ui.messages import error_text, log_unexpected
from ui.windows.main_window import MainWindow

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
log = logging.getLogger("safehold")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="safehold", description="Safehold case management")
    parser.add_argument(
        "--demo", action="store_true", help="open a throwaway vault of synthetic cases"
    )
    parser.add_argument("--demo-cases", type=int, default=300, help=argparse.SUPPRESS)
    parser.add_argument("--vault", type=Path, help="the vault folder (default: your data folder)")
    parser.add_argument(
        "--no-err-windows", action="store_true", help="log errors instead of showing dialogs"
    )
    parser.add_argument("--quit-after", type=float, help=argparse.SUPPRESS)  # end-to-end tests
    # The benchmark's start-up figure: print the wall-clock time once the window is on screen.
    parser.add_argument("--print-shown-at", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--version", action="version", version=f"Safehold {__version__}")
    known, _qt_args = parser.parse_known_args(argv)
    return known


def setup_logging(folder: Path | None) -> None:
    """Log to the user's log folder. Log lines carry ids and types, never names or text."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                folder / "safehold.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
            )
        )
    logging.basicConfig(
        level=logging.INFO,
        handlers=handlers,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Alembic says "Context impl SQLiteImpl" and more at INFO on every sign-in: noise in a terminal.
    for noisy in ("sqlalchemy", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def install_excepthook(show_dialogs: bool) -> None:
    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if error.__traceback__ is None:
            error = error.with_traceback(tb)
        text = error_text(error)
        if isinstance(error, Exception) and show_dialogs and QApplication.instance() is not None:
            QMessageBox.critical(None, "Safehold", text)
        elif not isinstance(error, Exception):
            log_unexpected(error)

    sys.excepthook = hook


def load_translations(app: QApplication) -> None:
    translator = QTranslator(app)
    if translator.load(QLocale(), "safehold", "_", str(RESOURCES / "translations")):
        app.installTranslator(translator)


def prepare_demo(cases: int) -> tuple[Entrance, str, Path]:
    from casework.demo import create_demo_vault

    root = Path(tempfile.mkdtemp(prefix=DEMO_PREFIX))
    # The marker: how many cases, and which process holds it (a lock's fresh process is the
    # same one: execve keeps the pid), so a later start can tell a killed demo's leftovers.
    (root / DEMO_MARKER).write_text(f"{cases}\n{os.getpid()}\n", encoding="utf-8")
    demo = create_demo_vault(root / "vault", cases)
    demo.vault.lock()
    return Entrance(root / "vault"), demo_hint(cases), root


DEMO_PREFIX = "safehold-demo-"
DEMO_MARKER = "safehold-demo"  # in the demo's folder: this app made it, and may delete it


def demo_hint(cases: int) -> str:
    from casework.demo import DEMO_PASSWORD, DEMO_USERS

    names = ", ".join(name for name, _d, _r in DEMO_USERS)
    return (
        f"Demo vault with {cases} synthetic cases (deleted when Safehold closes).\n"
        f"Accounts: {names}. Password for each: “{DEMO_PASSWORD}”"
    )


def handed_demo(handed: object) -> tuple[Path, str] | None:
    """The demo folder a locked process handed on, if it is one this app made: in the temporary
    folder, named as prepare_demo names them, holding its marker. Anything else (a folder named
    in the environment by someone else, the real vault's parent) is never opened as the demo
    and never deleted at exit. The hint is made here again, never taken from outside."""
    if not isinstance(handed, str):
        return None
    root = Path(handed)
    try:
        ours = _ours(root, Path(tempfile.gettempdir()).resolve())
        marker = (root / DEMO_MARKER).read_text(encoding="utf-8") if ours else "0"
        cases = int(marker.split()[0])
    except (OSError, ValueError):
        return None
    return (root, demo_hint(cases)) if ours else None


def _ours(root: Path, temp: Path) -> bool:
    """A demo folder this app made: in the temporary folder, named so, its marker inside,
    not a link, the user's own."""
    return (
        root.resolve().parent == temp
        and root.name.startswith(DEMO_PREFIX)
        and not root.is_symlink()
        and (root / DEMO_MARKER).is_file()
        and root.stat().st_uid == os.getuid()
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clear_stale_demos() -> list[Path]:
    """Delete the demo vaults a killed Safehold left in the temporary folder (theirs by the
    marker, and the process that held them gone); a running demo's is left alone. Returns
    what was deleted."""
    cleared: list[Path] = []
    try:
        temp = Path(tempfile.gettempdir()).resolve()
        candidates = sorted(temp.glob(f"{DEMO_PREFIX}*"))
    except OSError:
        return cleared
    for root in candidates:
        try:
            if not _ours(root, temp):
                continue
            lines = (root / DEMO_MARKER).read_text(encoding="utf-8").split()
            pid = int(lines[1]) if len(lines) > 1 else None
        except (OSError, ValueError):
            continue
        if pid is not None and _alive(pid):
            continue
        shutil.rmtree(root, ignore_errors=True)
        cleared.append(root)
    return cleared


def build_window(
    args: argparse.Namespace, resume: dict[str, object] | None
) -> tuple[MainWindow, Path | None]:
    """The main window on the vault the arguments name (a new demo vault, or the demo vault a
    locked process handed on), set to replace the process on lock; and the demo's folder, to
    delete when the app closes."""
    demo_root: Path | None = None
    hint = ""
    handed = handed_demo(resume.get("demo_root")) if resume else None
    if resume is None:
        for gone in clear_stale_demos():
            log.info("removed a demo vault left by a Safehold that did not close: %s", gone.name)
    if handed is not None:
        demo_root, hint = handed
        folder = Entrance(demo_root / "vault")
    elif args.demo:
        folder, hint, demo_root = prepare_demo(args.demo_cases)
    else:
        folder = Entrance(args.vault or default_vault_folder())
    window = MainWindow(folder, hint)
    flags = ["--no-err-windows"] if args.no_err_windows else []
    window.restart_command = restart.app_command(folder.folder, flags)
    if demo_root is not None:
        window.restart_state = {"demo_root": str(demo_root)}
    if resume is not None:
        window.resume(resume)
    return window, demo_root


def main(argv: list[str] | None = None) -> int:
    harden_process()
    args = parse_args(sys.argv[1:] if argv is None else argv)
    setup_logging(None if args.demo else log_folder())
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Safehold")
    app.setOrganizationName("Safehold")
    app.setApplicationVersion(__version__)
    load_translations(app)
    style.apply(app)
    install_excepthook(not args.no_err_windows)

    window, demo_root = build_window(args, restart.take_resume())
    window.show()
    if args.print_shown_at:
        QTimer.singleShot(0, lambda: print(f"shown-at {time.time():.6f}", flush=True))
    preload.start()
    if args.quit_after is not None:
        QTimer.singleShot(int(args.quit_after * 1000), app.quit)
    try:
        return app.exec()
    finally:
        window.lock(restart=False)
        preload.wait()  # let a background import finish rather than cut it off at exit
        if demo_root is not None:
            shutil.rmtree(demo_root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
