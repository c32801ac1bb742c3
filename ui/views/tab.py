"""The base of a case's tabs: each reloads from the services and shows errors inline."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from casework.application.desk import Desk
from ui.messages import attempt
from ui.widgets import message_label


class Tab(QWidget):
    """A tab that reloads from the services and shows service errors inline."""

    changed = Signal()

    def __init__(self, workspace: Desk, case_id: str) -> None:
        super().__init__()
        self.workspace = workspace
        self.case_id = case_id
        self.message = message_label("errorText")

    def attempt(self, action: Callable[[], object]) -> bool:
        if not attempt(action, self.message):
            return False
        self.after_change()
        self.changed.emit()
        return True

    def after_change(self) -> None:
        self.reload()

    def reload(self) -> None:
        raise NotImplementedError
