"""Operations: the failure's sentence where the user acted, progress only once the work has
taken a while, the buttons the work depends on disabled until it ends, nothing after the
widget is gone."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from casework.errors import ValidationError
from ui import jobs, operations


def screen(qtbot: QtBot) -> tuple[QWidget, QLabel, QProgressBar, QPushButton]:
    widget = QWidget()
    layout = QVBoxLayout(widget)
    message, bar, button = QLabel(), QProgressBar(), QPushButton("Go")
    bar.hide()
    for child in (message, bar, button):
        layout.addWidget(child)
    qtbot.addWidget(widget)
    widget.show()
    return widget, message, bar, button


def test_a_failure_is_told_in_the_message_where_the_user_acted(qtbot: QtBot) -> None:
    widget, message, bar, button = screen(qtbot)

    def refuse() -> None:
        raise ValidationError("The note is empty.")

    op = operations.query(refuse, parent=widget, message=message, progress=bar, busy=[button])
    assert not button.isEnabled()  # while it runs
    qtbot.waitUntil(lambda: op.finished)
    assert message.text() == "The note is empty."
    assert button.isEnabled() and not bar.isVisible()


def test_an_unexpected_failure_says_nothing_was_lost_and_nothing_of_the_error(
    qtbot: QtBot,
) -> None:
    widget, message, _bar, _button = screen(qtbot)

    def crash() -> None:
        raise RuntimeError("Olena Kovalenko, 12 Harbour Road")

    op = operations.query(crash, parent=widget, message=message)
    qtbot.waitUntil(lambda: op.finished)
    assert "nothing was lost" in message.text()
    assert "Olena" not in message.text()


def test_quick_work_never_shows_progress(qtbot: QtBot) -> None:
    widget, message, bar, _button = screen(qtbot)
    results: list[int] = []
    op = operations.query(
        lambda: 42,
        results.append,
        parent=widget,
        message=message,
        progress=bar,
        show_after_ms=60_000,
    )
    qtbot.waitUntil(lambda: results == [42])
    assert not bar.isVisible() and not op.progress_pending  # its timer stopped with it


def test_slow_work_shows_progress_until_it_ends(qtbot: QtBot) -> None:
    widget, message, bar, _button = screen(qtbot)
    release = threading.Event()
    op = operations.change(
        lambda _job: release.wait(10),
        parent=widget,
        message=message,
        progress=bar,
        show_after_ms=1,
    )
    qtbot.waitUntil(bar.isVisible)
    release.set()
    qtbot.waitUntil(lambda: op.finished)
    assert not bar.isVisible() and message.text() == ""


def test_the_result_is_dropped_once_the_widget_is_gone(qtbot: QtBot) -> None:
    widget, message, _bar, _button = screen(qtbot)
    release = threading.Event()
    heard: list[object] = []
    operations.change(lambda _job: release.wait(10), heard.append, parent=widget, message=message)
    widget.deleteLater()
    qtbot.wait(10)  # the deletion happens
    release.set()
    assert jobs.wait_for_all(10_000)
    qtbot.wait(50)
    assert heard == []


def test_an_operation_needs_somewhere_to_tell_a_failure(qtbot: QtBot) -> None:
    import pytest

    widget, *_ = screen(qtbot)
    with pytest.raises(ValueError):
        operations.query(lambda: None, parent=widget)


def test_nothing_follows_a_save_that_ends_after_its_desk_closed(qtbot: QtBot) -> None:
    """A lock closes the desk while a save runs: the save's follow-up (a reload from a locked
    vault) is not run, whatever order the lock's deletions and the result arrive in."""
    from casework.application.work import Work

    class ClosingDesk:
        closed = False

        def begin(self, work: Work) -> None: ...

        def end(self, work: Work) -> None:
            self.closed = True  # closed by the time the result reaches the UI thread

    widget, message, _bar, _button = screen(qtbot)
    heard: list[object] = []
    jobs.serve(ClosingDesk())  # type: ignore[arg-type]
    try:
        op = operations.change(lambda _job: "saved", heard.append, parent=widget, message=message)
    finally:
        jobs.serve(None)
    qtbot.waitUntil(lambda: op.finished)
    assert heard == [] and message.text() == ""


def test_a_change_reaches_every_other_open_view_and_a_hidden_one_when_it_is_shown(
    qtbot: QtBot,
) -> None:
    from ui import changes

    source, message, _bar, button = screen(qtbot)
    dialog = QWidget(source)  # a part of the source's window: its change is the source's
    reloads: dict[str, int] = {"source": 0, "shown": 0, "hidden": 0}
    shown, hidden = QWidget(), QWidget()
    for widget in (shown, hidden):
        qtbot.addWidget(widget)
    shown.show()
    changes.follow(source, lambda: reloads.__setitem__("source", reloads["source"] + 1))
    changes.follow(shown, lambda: reloads.__setitem__("shown", reloads["shown"] + 1))
    changes.follow(hidden, lambda: reloads.__setitem__("hidden", reloads["hidden"] + 1))

    looked = operations.query(lambda: None, parent=source, message=message)
    qtbot.waitUntil(lambda: looked.finished)
    assert not changes.pending() and reloads == {"source": 0, "shown": 0, "hidden": 0}

    made = operations.change(lambda _job: None, parent=dialog, message=message)
    qtbot.waitUntil(lambda: made.finished and not changes.pending())
    # the open view reads again; the source, which refreshes itself when its change is done,
    # and the hidden view do not read at all
    assert reloads == {"source": 0, "shown": 1, "hidden": 0}
    changes.announce(button)
    changes.announce(dialog)  # two changes at once are delivered together: one read
    qtbot.waitUntil(lambda: not changes.pending())
    assert reloads == {"source": 0, "shown": 2, "hidden": 0}
    # a dialog is a window of its own: its owner did not make the change and reads again
    window = QDialog(source)
    window.show()
    made = operations.change(lambda _job: None, parent=window, message=message)
    qtbot.waitUntil(lambda: made.finished and not changes.pending())
    assert reloads == {"source": 1, "shown": 3, "hidden": 0}
    window.close()
    hidden.show()
    assert reloads["hidden"] == 1
    hidden.hide()
    hidden.show()
    assert reloads["hidden"] == 1  # nothing changed since it last read
