"""The base of a case's tabs: each reloads from the services and shows errors inline."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from casework.application.desk import Desk
from ui import changes, operations
from ui.widgets import message_label

Saving = operations.Operation[object]


class Tab(QWidget):
    """A tab that reloads from the services and shows service errors inline. Its saves run off
    the UI thread (``submit``): they never wait there for the vault's writer."""

    changed = Signal()

    def __init__(self, workspace: Desk, case_id: str) -> None:
        super().__init__()
        self.workspace = workspace
        self.case_id = case_id
        self.message = message_label("errorText")
        changes.follow(self, self.after_change)  # a change made elsewhere: shown here too

    def submit(
        self,
        action: Callable[[], object],
        then: Callable[[Any], None] | None = None,
        busy: Sequence[QWidget] = (),
        failed: Callable[[BaseException], None] | None = None,
    ) -> Saving:
        """``action`` (a desk call, its arguments read from the form already) off the UI
        thread, so a save never waits there for the vault's writer; ``busy`` disabled until it
        ends; on success ``then(result)``, the tab reloaded and ``changed`` told; a failure's
        sentence in the tab's message (or ``failed(error)``). The other sections and views
        that show the vault hear of it through ``ui.changes``."""

        def saved(result: object) -> None:
            if then is not None:
                then(result)
            self.after_change()
            self.changed.emit()

        return operations.change(
            lambda _job: action(),
            saved,
            parent=self,
            message=self.message,
            failed=failed,
            busy=busy,
        )

    def after_change(self) -> None:
        self.reload()

    def reload(self) -> None:
        raise NotImplementedError
