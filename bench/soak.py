"""A working day, compressed: the real app driven offscreen as a caseworker, a supervisor and an
administrator would, then what it left behind. It prints; it never passes or fails.

    .venv/bin/python bench/soak.py [--cases 10000] [--events 300000] [--json]

The day: mouse moves, keys and wheel turns over whatever is on screen (--events), case openings
landing on each section in turn (--openings), saves of notes, tasks, consent and task completions
(--saves), searches (--searches), locks by Ctrl+L and sign-ins (--locks), and caseload and case
file PDFs, quarterly and record-level exports and backups (--exports of each). Everything goes
through the widgets a person uses: clicks on visible, enabled buttons, keys into fields.

The app runs in a child process, so a crash is counted rather than ending the benchmark. Printed:
`crashes`, `exceptions` (raised in the UI and not handled), RSS after the warm-up and at the end,
the growth of Python's object count, open file descriptors and threads at the start and the end
of the measured part, and the longest the event loop waited on one step of the day.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULTS = {
    "cases": 10_000,
    "events": 300_000,
    "openings": 1_000,
    "saves": 300,
    "searches": 50,
    "locks": 20,
    "exports": 10,
}
# Words typed into the search box: names and words the demo vault's notes hold.
SEARCH_WORDS = ["Achieng", "Olena", "Priya", "shelter", "Mwangi", "lawyer", "Kovalenko", "visit"]


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def descriptor_kinds() -> list[str]:
    """What each open descriptor is (a path, socket:[..], pipe:[..]): for finding a leak."""
    kinds = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            kinds.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            continue
    return sorted(kinds)


def os_threads() -> int:
    return len(os.listdir("/proc/self/task"))


class Day:
    """Drives one MainWindow through the day; every step on the UI thread is timed."""

    def __init__(self, vault_path: Path, args: argparse.Namespace, out: Path) -> None:
        from PySide6.QtCore import QtMsgType, qInstallMessageHandler
        from PySide6.QtWidgets import QApplication

        from casework.application.entrance import Entrance
        from ui import style
        from ui.windows.main_window import MainWindow

        self.args = args
        self.out = out
        self.rng = random.Random(args.seed)
        self.qapp = QApplication.instance() or QApplication(sys.argv[:1])
        style.apply(self.qapp)
        self.exceptions: list[str] = []
        self.qt_messages: dict[str, int] = {}
        self.max_stall_ms = 0.0
        self.max_stall_at = ""
        self.longest: dict[str, float] = {}
        self.counts = dict.fromkeys(
            ("events", "openings", "saves", "searches", "locks", "pdfs", "exports", "backups"), 0
        )
        self.failures: list[str] = []
        sys.excepthook = self._excepthook
        threading.excepthook = lambda hook: self._excepthook(
            hook.exc_type, hook.exc_value or hook.exc_type(), hook.exc_traceback
        )
        levels = {
            QtMsgType.QtWarningMsg: "warning",
            QtMsgType.QtCriticalMsg: "critical",
            QtMsgType.QtFatalMsg: "fatal",
        }

        def on_qt_message(kind: Any, _context: Any, text: str) -> None:
            if kind in levels and "propagateSizeHints" not in text:  # offscreen's own
                self.qt_messages[levels[kind]] = self.qt_messages.get(levels[kind], 0) + 1
                if self.qt_messages[levels[kind]] <= 3:  # Qt's own words, for the log only
                    print(f"soak: Qt {levels[kind]}: {text[:200]}", file=sys.stderr)

        qInstallMessageHandler(on_qt_message)
        self.window = MainWindow(Entrance(vault_path))
        self.window.resize(1280, 800)
        self.window.show()
        self.pump(50)

    def _excepthook(self, kind: type[BaseException], error: BaseException, tb: Any) -> None:
        # The type and where, never the message: a message may carry case text.
        where = ""
        while tb is not None:
            where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
            tb = tb.tb_next
        self.exceptions.append(f"{kind.__name__} at {where}")
        print(f"soak: unhandled {kind.__name__} at {where}", file=sys.stderr, flush=True)

    # -- timing ---------------------------------------------------------------------------
    def timed(self, label: str, step: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        try:
            return step()
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            if elapsed > self.max_stall_ms:
                self.max_stall_ms, self.max_stall_at = elapsed, label
            if elapsed > self.longest.get(label, 0.0):
                self.longest[label] = elapsed

    def pump(self, ms: int = 0) -> None:
        """Let the event loop run for about ``ms`` milliseconds (at least once).

        processEvents() alone never runs deferred deletions (the app's event loop runs them
        when it gets control back): the driver does so itself, or every widget the app lets
        go with deleteLater() would seem to leak."""
        deadline = time.perf_counter() + ms / 1000
        while True:
            self.timed("event loop", self._events)
            if time.perf_counter() >= deadline:
                return
            time.sleep(0.002)

    def _events(self) -> None:
        from PySide6.QtCore import QCoreApplication, QEvent

        self.qapp.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def wait(self, label: str, done: Callable[[], bool], timeout_s: float = 60) -> bool:
        deadline = time.perf_counter() + timeout_s
        while not done():
            if time.perf_counter() > deadline:
                self.failures.append(f"timed out waiting for {label}")
                return False
            self.pump(5)
        return True

    def click(self, label: str, button: Any) -> bool:
        """Click a button the way a person can: only if it is visible and enabled."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        if not (button.isVisible() and button.isEnabled()):
            self.failures.append(f"{label}: the button was not there to click")
            return False
        self.timed(label, lambda: QTest.mouseClick(button, Qt.MouseButton.LeftButton))
        return True

    def trigger(self, label: str, action: Any) -> bool:
        """Choose a toolbar or menu action, if a person could: visible and enabled."""
        if not (action.isVisible() and action.isEnabled()):
            self.failures.append(f"{label}: the action was not offered")
            return False
        self.timed(label, action.trigger)
        return True

    # -- input ----------------------------------------------------------------------------
    def input_events(self, count: int) -> None:
        from PySide6.QtCore import QPoint, QPointF, Qt
        from PySide6.QtGui import QWheelEvent
        from PySide6.QtTest import QTest

        window = self.window
        width, height = max(window.width(), 2), max(window.height(), 2)
        rng = self.rng
        for i in range(count):
            roll = rng.random()
            if roll < 0.75:
                point = QPoint(rng.randrange(width), rng.randrange(height))
                self.timed("mouse move", lambda p=point: QTest.mouseMove(window, p))
            elif roll < 0.9:
                target = self._typing_target()
                if target is not None:
                    key = rng.choice("abcdefghijklmnopqrstuvwxyz ")
                    self.timed("key", lambda t=target, k=key: QTest.keyClicks(t, k))
                    if len(self._text_of(target)) > 40:
                        target.clear()
            else:
                target = self._scroll_target()
                if target is not None:
                    inside = QPointF(target.width() / 2, target.height() / 2)
                    event = QWheelEvent(
                        inside,
                        QPointF(target.mapToGlobal(inside.toPoint())),
                        QPoint(0, 0),
                        QPoint(0, rng.choice((-120, 120))),
                        Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase,
                        False,
                    )
                    self.timed("wheel", lambda t=target, e=event: self.qapp.sendEvent(t, e))
            if i % 250 == 249:
                self.pump()
        self.counts["events"] += count

    def _text_of(self, widget: Any) -> str:
        return widget.toPlainText() if hasattr(widget, "toPlainText") else widget.text()

    def _typing_target(self) -> Any:
        case = self.current_case()
        if case is not None and case.tabs.currentWidget() is case.notes:
            return case.notes.body
        box = self.window.search_box
        return box if box.isVisible() else None

    def _scroll_target(self) -> Any:
        view = self.window.workspace_view
        if view is None:
            return None
        case = self.current_case()
        if case is not None and self.rng.random() < 0.5:
            current = case.tabs.currentWidget()
            lists = [w for w in (getattr(current, "list", None),) if w is not None]
            if lists and lists[0].isVisible():
                return lists[0].viewport()
        if view.caseload is not None and view.caseload.table.isVisible():
            return view.caseload.table.viewport()
        return None

    # -- the workspace ----------------------------------------------------------------------
    def current_case(self) -> Any:
        from ui.views.case import CaseView

        view = self.window.workspace_view
        current = view.detail.currentWidget() if view is not None else None
        return current if isinstance(current, CaseView) else None

    def sign_in(self, username: str, password: str) -> bool:
        page = self.window.sign_in
        if not self.wait("the sign-in page", lambda: self.window.pages.currentWidget() is page):
            return False
        page.username.setText(username)
        page.password.setText(password)
        self.click("sign in", page.sign_in)
        if not self.wait("sign-in", lambda: self.window.vault is not None, 120):
            return False
        view = self.window.workspace_view
        if view is not None and view.caseload is not None:
            model = view.caseload.model
            self.wait("the caseload", lambda: not model.loading)
        return True

    def lock(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        self.window.activateWindow()
        self.timed(
            "lock",
            lambda: QTest.keyClick(self.window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier),
        )
        if self.window.vault is not None:  # the shortcut did not reach the window: the menu
            self.trigger("lock", self.window.lock_action)
        self.wait("the lock", lambda: self.window.vault is None)
        self.counts["locks"] += 1

    def open_a_case(self, section: int) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        view = self.window.workspace_view
        if view is None or view.caseload is None:
            return
        table = view.caseload.table
        model = view.caseload.model
        if model.rowCount() == 0:
            return
        bar = table.verticalScrollBar()
        self.timed("scroll", lambda: bar.setValue(self.rng.randrange(bar.maximum() + 1)))
        self.pump()
        self.wait("caseload rows", lambda: not model.loading)
        top = table.rowAt(5)
        bottom = table.rowAt(table.viewport().height() - 5)
        if top < 0:
            return
        row = self.rng.randint(top, bottom if bottom >= top else top)
        rect = table.visualRect(model.index(row, 1))
        self.timed(
            "open case",
            lambda: QTest.mouseClick(
                table.viewport(),
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
                rect.center(),
            ),
        )
        self.pump()
        case = self.current_case()
        if case is None:
            self.failures.append("a click on the caseload opened no case")
            return
        bar = case.tabs.list.viewport()  # the list of sections
        index = section % case.tabs.count()
        self.timed(
            "open section",
            lambda: QTest.mouseClick(
                bar,
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
                case.tabs.list.visualItemRect(case.tabs.list.item(index)).center(),
            ),
        )
        self.pump()
        self.counts["openings"] += 1

    def save_something(self, turn: int) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        case = self.current_case()
        if case is None:
            self.open_a_case(turn)
            case = self.current_case()
            if case is None:
                return
        kind = turn % 4
        tab = [case.notes, case.tasks, case.consent, case.tasks][kind]
        case.tabs.setCurrentWidget(tab)
        self.pump()
        if kind == 0:
            case.notes.body.clear()
            self.timed("typing", lambda: QTest.keyClicks(case.notes.body, "Called; she is well."))
            self.click("add note", case.notes.findChild(type(case.notes.amend_button), "addNote"))
        elif kind == 1:
            case.tasks.title.clear()
            self.timed("typing", lambda: QTest.keyClicks(case.tasks.title, "Phone the clinic"))
            self.click("add task", case.tasks.findChild(type(case.notes.amend_button), "addTask"))
        elif kind == 2:
            self.click(
                "record consent",
                case.consent.findChild(type(case.notes.amend_button), "recordConsent"),
            )
        else:
            table = case.tasks.list
            if table.rowCount() == 0:  # nothing to complete: add one instead
                self.save_something(1)
                return
            rect = table.visualItemRect(table.item(0, 1))
            self.timed(
                "choose task",
                lambda: QTest.mouseClick(
                    table.viewport(),
                    Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier,
                    rect.center(),
                ),
            )
            self.click(
                "complete task",
                case.tasks.findChild(type(case.notes.amend_button), "completeTask"),
            )
        self.pump()
        self.counts["saves"] += 1

    def search(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        from ui.views.search_results import SearchResultsView

        box = self.window.search_box
        if not box.isVisible():
            return
        box.clear()
        self.timed("typing", lambda: QTest.keyClicks(box, self.rng.choice(SEARCH_WORDS)))
        self.timed("search", lambda: QTest.keyClick(box, Qt.Key.Key_Return))
        view = self.window.workspace_view

        def answered() -> bool:
            current = view.detail.currentWidget() if view is not None else None
            if not isinstance(current, SearchResultsView):
                return True
            return bool(current.message.text()) or not current.title.text().startswith("Search")

        self.wait("search results", answered)
        box.clear()
        self.counts["searches"] += 1

    def print_pdfs(self) -> None:
        view = self.window.workspace_view
        if view is None:
            return
        dialog = self.timed("print dialog", view.open_reports)
        target = self.out / "caseload.pdf"
        dialog.path.setText(str(target))
        self.click("save caseload PDF", dialog.save_button)
        self.wait("the caseload PDF", lambda: not dialog.loading)
        if not target.exists():
            self.failures.append("the caseload PDF was not saved")
        dialog.close()
        dialog.deleteLater()
        target.unlink(missing_ok=True)
        case = self.current_case()
        if case is None:
            self.open_a_case(0)
            case = self.current_case()
        if case is not None:
            printing = self.timed("print case", case.overview.print_case_file)
            target = self.out / "case.pdf"
            printing.path.setText(str(target))
            self.click("save case file", printing.save_button)
            self.wait("the case file PDF", lambda: not printing.loading)
            if not target.exists():
                self.failures.append("the case file PDF was not saved")
            printing.close()
            printing.deleteLater()
            target.unlink(missing_ok=True)
        self.counts["pdfs"] += 1

    def export(self, records: bool) -> None:
        if not self.trigger("reporting", self.window.reporting_action):
            return
        self.pump()
        page = self.window.workspace_view.detail.currentWidget()
        wizard = self.timed("export wizard", page.open_export)
        if records:
            wizard.records_choice.setChecked(True)
        self.click("preview", wizard.next_button)
        self.wait("the preview", lambda: not wizard.loading, 300)
        self.click("continue", wizard.next_button)
        folder = self.out / "export"
        shutil.rmtree(folder, ignore_errors=True)
        wizard.folder.setText(str(folder))
        self.click("export", wizard.next_button)
        self.wait("the export", lambda: not wizard.loading, 300)
        if not folder.exists() or not any(folder.iterdir()):
            self.failures.append("an export wrote nothing")
        wizard.close()
        wizard.deleteLater()
        shutil.rmtree(folder, ignore_errors=True)
        self.counts["exports"] += 1

    def back_up(self) -> None:
        view = self.window.workspace_view
        admin = view.admin if view is not None else None
        if admin is None:
            return
        if not self.trigger("administration", self.window.admin_action):
            return
        self.pump()
        folder = self.out / "backups"
        admin.choose_backup_folder(str(folder))
        self.click("back up now", admin.backup_now_button)
        self.wait("the backup", lambda: not admin.backing_up, 600)
        if not list(folder.glob("*.db")):
            self.failures.append("a backup wrote nothing")
        shutil.rmtree(folder, ignore_errors=True)
        self.counts["backups"] += 1

    # -- measurements -------------------------------------------------------------------------
    def settle(self) -> dict[str, float]:
        from ui import jobs

        self.pump(100)
        jobs.wait_for_all(120_000)  # also lets the pool's idle threads go
        self.pump(100)
        gc.collect()
        if self.args.verbose:
            print("soak: descriptors:", descriptor_kinds(), file=sys.stderr)
            print("soak: threads:", [t.name for t in threading.enumerate()], file=sys.stderr)
        from PySide6.QtWidgets import QApplication

        return {
            "windows": len(QApplication.topLevelWidgets()),
            "rss_mb": rss_mb(),
            "objects": len(gc.get_objects()),
            "fds": open_descriptors(),
            "threads": os_threads(),
        }


def run_day(vault_path: Path, args: argparse.Namespace) -> dict[str, Any]:
    from casework.demo import DEMO_PASSWORD

    out = Path(tempfile.mkdtemp(prefix="soak-out-"))
    started = time.perf_counter()
    day = Day(vault_path, args, out)
    cycles = args.locks + 1
    # Who signs in for each stretch between locks: the administrator now and then, for the
    # exports and backups, the caseworker and the supervisor the rest of the day.
    people = ["caseworker", "supervisor"]
    admin_turns = {c for c in range(2, cycles, max(2, cycles // 3))} if args.exports else set()
    users = ["admin" if c in admin_turns else people[c % 2] for c in range(cycles)]
    working = [c for c in range(cycles) if users[c] != "admin"] or [0]

    def share(total: int, among: list[int]) -> dict[int, int]:
        each, extra = divmod(total, len(among))
        return {c: each + (1 if i < extra else 0) for i, c in enumerate(among)}

    openings = share(args.openings, working)
    saves = share(args.saves, working)
    searches = share(args.searches, working)
    pdfs = share(args.exports, [c for c in working if users[c] == "supervisor"] or working)
    admins = sorted(admin_turns) or []
    exports = share(args.exports, admins) if admins else {}
    backups = share(args.exports, admins) if admins else {}
    events = share(args.events, list(range(cycles)))
    warm_up = 2 if cycles > 3 else 1  # stretches before the first measurement
    start: dict[str, float] = {}
    end: dict[str, float] = {}
    section = 0
    rss_trend: list[int] = []
    for cycle in range(cycles):
        if cycle == warm_up:  # measured locked, where the vault's connections are closed
            start = day.settle()
            day.max_stall_ms, day.max_stall_at = 0.0, ""  # the measured part begins
            day.longest.clear()
        if not day.sign_in(users[cycle], DEMO_PASSWORD):
            break
        rss_trend.append(round(rss_mb()))
        steps: list[Callable[[], None]] = []
        for _ in range(openings.get(cycle, 0)):
            section += 1
            steps.append(lambda s=section: day.open_a_case(s))
        for turn in range(saves.get(cycle, 0)):
            steps.append(lambda t=turn + cycle: day.save_something(t))
        steps += [day.search] * searches.get(cycle, 0)
        steps += [day.print_pdfs] * pdfs.get(cycle, 0)
        for turn in range(exports.get(cycle, 0)):
            steps.append(lambda t=turn: day.export(records=t % 2 == 1))
        steps += [day.back_up] * backups.get(cycle, 0)
        day.rng.shuffle(steps)
        per_step = events[cycle] // max(len(steps), 1)
        for step in steps:
            day.input_events(per_step)
            step()
        day.input_events(events[cycle] - per_step * len(steps))
        if cycle < cycles - 1:
            day.lock()
    # The end is measured in the state the start was: locked, at the sign-in page.
    if day.window.vault is not None:
        day.lock()
    end = day.settle()
    day.window.close()
    day.pump(50)
    shutil.rmtree(out, ignore_errors=True)
    return {
        "cases": args.cases,
        "crashes": 0,
        "exceptions": len(day.exceptions),
        "exception_kinds": sorted(set(day.exceptions)),
        "failures": day.failures[:20],
        "qt_messages": day.qt_messages,
        "done": day.counts,
        "rss_after_warm_up_mb": round(start.get("rss_mb", 0), 1),
        "rss_end_mb": round(end.get("rss_mb", 0), 1),
        "rss_growth_mb": round(end.get("rss_mb", 0) - start.get("rss_mb", 0), 1),
        "objects_growth": int(end.get("objects", 0) - start.get("objects", 0)),
        "fds_start": int(start.get("fds", 0)),
        "fds_end": int(end.get("fds", 0)),
        "threads_start": int(start.get("threads", 0)),
        "threads_end": int(end.get("threads", 0)),
        "rss_at_each_sign_in_mb": rss_trend,
        "top_level_widgets_start": int(start.get("windows", 0)),
        "top_level_widgets_end": int(end.get("windows", 0)),
        "max_stall_ms": round(day.max_stall_ms, 1),
        "max_stall_at": day.max_stall_at,
        "longest_by_step_ms": {
            label: round(ms, 1)
            for label, ms in sorted(day.longest.items(), key=lambda item: -item[1])[:6]
        },
        "wall_s": round(time.perf_counter() - started, 1),
    }


def prepared_vault(cases: int, seed: int, keep: Path) -> Path:
    """A copy of a demo vault of ``cases`` cases: the day changes it. Large ones are built once
    into the benchmark's cache (as bench/run.py does) and copied."""
    from casework.demo import create_demo_vault

    target = keep / "vault"
    if cases <= 2000:
        create_demo_vault(target, cases, seed).vault.lock()
        return target
    import platformdirs

    from casework.demo import DEMO_VERSION
    from casework.vault import schema

    cache = Path(platformdirs.user_cache_dir("safehold-bench", appauthor=False))
    source = cache / f"soak-demo{DEMO_VERSION}-{cases}-seed{seed}-schema{schema.head_revision()}"
    if not (source / "done").exists():
        shutil.rmtree(source, ignore_errors=True)
        began = time.perf_counter()
        create_demo_vault(source, cases, seed).vault.lock()
        (source / "done").touch()
        print(
            f"built a demo vault of {cases} cases in {time.perf_counter() - began:.0f} s",
            file=sys.stderr,
        )
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("done", "backups"))
    return target


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in DEFAULTS.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="name descriptors and threads")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.child is not None:
        result = run_day(args.child, args)
        print("SOAK " + json.dumps(result), flush=True)
        return 0
    with tempfile.TemporaryDirectory(prefix="soak-") as folder:
        vault = prepared_vault(args.cases, args.seed, Path(folder))
        child = subprocess.run(
            [sys.executable, __file__, *argv, "--child", str(vault)],
            capture_output=True,
            text=True,
            check=False,
        )
    sys.stderr.write(child.stderr[-4000:])
    lines = [line for line in child.stdout.splitlines() if line.startswith("SOAK ")]
    if child.returncode != 0 or not lines:
        result = {"cases": args.cases, "crashes": 1, "exit_status": child.returncode}
    else:
        result = json.loads(lines[-1][5:])
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:24} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
