"""The Qt binding must not lose references on calls the app makes all day.

PySide6 6.12.0 on Python 3.11 dropped one reference to ``None`` on every call of a Qt method that
returns nothing; after some tens of thousands of calls (minutes of mouse use) the interpreter
aborted with "deallocating None". pyproject.toml keeps that binding off Python 3.11; these tests
fail on any binding that brings the fault back, and on the idle watcher calling Qt per event.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from ui.idle import IdleWatcher

CALLS = 20_000

# Run in a child: a binding with the fault may abort the interpreter, which must fail this test,
# not end the test run. The child prints None's reference count before and after the calls.
VOID_CALLS = textwrap.dedent(
    f"""
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel
    app = QApplication([])
    label, timer = QLabel(), QTimer()
    before = sys.getrefcount(None)
    for _ in range({CALLS}):
        label.setText("x")
        timer.start(1000)
        timer.stop()
    print(before, sys.getrefcount(None), flush=True)
    """
)


def _child_env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def test_void_qt_calls_keep_none_s_reference_count() -> None:
    child = subprocess.run(
        [sys.executable, "-c", VOID_CALLS],
        env=_child_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert child.returncode == 0, f"the child aborted: {child.stderr.strip()[-500:]}"
    before, after = (int(n) for n in child.stdout.split())
    assert after >= before, f"{CALLS * 3} void Qt calls lost {before - after} references to None"


def test_the_installed_binding_is_one_the_project_allows() -> None:
    import PySide6

    major, minor = (int(p) for p in PySide6.__version__.split(".")[:2])
    if sys.version_info < (3, 12):
        assert (major, minor) < (6, 12), "PySide6 6.12 loses references to None on Python 3.11"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _move(widget: QWidget) -> None:
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(5, 5),
        QPointF(5, 5),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)


# The fake clock, the idle watcher on the application, a widget, and the idle signal's record.
Watched = tuple[FakeClock, IdleWatcher, QWidget, list[bool]]


@pytest.fixture
def watched(qtbot: QtBot) -> Iterator[Watched]:
    clock = FakeClock()
    watcher = IdleWatcher(clock=clock)
    widget = QWidget()
    qtbot.addWidget(widget)
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(watcher)
    fired: list[bool] = []
    watcher.idle.connect(lambda: fired.append(True))
    yield clock, watcher, widget, fired
    app.removeEventFilter(watcher)
    watcher.stop()


def test_input_puts_the_idle_countdown_back_to_its_start(watched: Watched) -> None:
    clock, watcher, widget, fired = watched
    watcher.start(60_000)
    clock.now += 50
    _move(widget)
    clock.now += 20  # 70 s since the start, 20 s since the last input
    watcher._check()  # the timer's first expiry
    assert not fired and watcher.active
    # A coarse timer may fire up to 5% late: about 40 s are left, not 60.
    assert 39_000 <= watcher._timer.remainingTime() <= 42_001
    clock.now += 40
    watcher._check()
    assert fired == [True] and not watcher.active


def test_a_stopped_watcher_never_signals(watched: Watched) -> None:
    clock, watcher, _widget, fired = watched
    watcher.start(1000)
    watcher.stop()
    clock.now += 10
    watcher._check()
    assert not fired and not watcher.active


def test_mouse_moves_make_no_call_into_the_timer(
    watched: Watched, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clock, watcher, widget, _fired = watched
    watcher.start(60_000)
    calls: list[int] = []
    monkeypatch.setattr(watcher, "_timer", _CountingTimer(watcher._timer, calls))
    for _ in range(1000):
        _move(widget)
    assert calls == []


class _CountingTimer:
    """Stands in for the watcher's QTimer and counts every call made on it."""

    def __init__(self, timer: QTimer, calls: list[int]) -> None:
        self._timer, self._calls = timer, calls

    def __getattr__(self, name: str) -> object:
        self._calls.append(1)
        return getattr(self._timer, name)
