"""The app as a caseworker uses it, then locked, in one process whose memory a test reads.

Run as ``python lock_memory_driver.py VAULT USER CASE_ID OUT`` with the password on standard
input. Before the lock: sign in through the sign-in page, open the case (through the caseload,
as a click would), let its sections load, and write this process's writable memory to
``OUT.before``; then Ctrl+L. The lock replaces the process (ui.restart) with this script again,
as the app replaces itself with the app: that fresh image, showing the sign-in as the app
would, writes its memory to ``OUT.after`` and ends. The test searches both files."""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

MAP_LINE = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+\s*(.*)$")


def dump_memory(out: Path) -> None:
    """Every writable region of this process (heap, stacks, anonymous maps, libraries' data),
    as read through /proc/self/mem, which a process may always read of itself."""
    with (
        open("/proc/self/maps") as maps,
        open("/proc/self/mem", "rb", 0) as mem,
        out.open("wb") as sink,
    ):
        for line in maps:
            found = MAP_LINE.match(line)
            if not found or "w" not in found.group(3) or "r" not in found.group(3):
                continue
            if found.group(4) in ("[vvar]", "[vsyscall]", "[vdso]"):
                continue
            start, end = int(found.group(1), 16), int(found.group(2), 16)
            try:
                mem.seek(start)
                sink.write(mem.read(end - start))
            except (OSError, ValueError, OverflowError):
                continue


def pump(app: object, seconds: float) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()  # type: ignore[attr-defined]
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        time.sleep(0.01)


def wait(app: object, done: object, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:  # type: ignore[operator]
        pump(app, 0.05)
    if not done():  # type: ignore[operator]
        raise SystemExit(f"timed out waiting for {done}")


def main() -> int:
    parser = argparse.ArgumentParser()
    for name in ("vault", "user", "case_id", "out"):
        parser.add_argument(name)
    args = parser.parse_args()
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from casework.platform import harden_process
    from tests.kdf_floor import use_test_kdf_floor

    use_test_kdf_floor()  # the vault was made by the test, at the tests' floor
    from ui import app as safehold
    from ui import restart

    harden_process()
    application = QApplication(sys.argv[:1])
    resume = restart.take_resume()
    window, _demo = safehold.build_window(
        safehold.parse_args(["--vault", args.vault, "--no-err-windows"]), resume
    )
    # Back into this script rather than the app, so the fresh image can read itself.
    window.restart_command = [sys.executable, str(Path(__file__).resolve()), *sys.argv[1:]]
    window.show()
    if resume is not None:  # after the lock: the fresh process, as the app would be
        pump(application, 1.0)
        from casework.platform import is_dumpable

        Path(args.out + ".dumpable").write_text("1" if is_dumpable() else "0")
        dump_memory(Path(args.out + ".after"))
        return 0

    password = sys.stdin.readline().rstrip("\n")
    page = window.sign_in
    page.username.setText(args.user)
    page.password.setText(password)
    QTest.mouseClick(page.sign_in, Qt.MouseButton.LeftButton)
    wait(application, lambda: window.vault is not None and window.workspace_view is not None)
    view = window.workspace_view
    assert view is not None and view.caseload is not None
    model = view.caseload.model
    wait(application, lambda: not model.loading and model.rowCount() > 0)
    table = view.caseload.table
    row = model.row_of(args.case_id)
    table.scrollTo(model.index(row, 1))
    pump(application, 0.2)
    QTest.mouseClick(
        table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=table.visualRect(model.index(row, 1)).center(),
    )
    from ui.views.case import CaseView

    wait(application, lambda: isinstance(view.detail.currentWidget(), CaseView))
    case = view.detail.currentWidget()
    assert isinstance(case, CaseView)
    for index in range(case.tabs.count()):  # every section read, as a caseworker would
        bar = case.tabs.list.viewport()  # the list of sections
        QTest.mouseClick(
            bar,
            Qt.MouseButton.LeftButton,
            pos=case.tabs.list.visualItemRect(case.tabs.list.item(index)).center(),
        )
        pump(application, 0.3)
    pump(application, 1.0)
    dump_memory(Path(args.out + ".before"))
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    if window.vault is not None:
        window.lock_action.trigger()
    pump(application, 5.0)
    print("the lock did not replace the process", file=sys.stderr)
    return 3


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.exit(main())
