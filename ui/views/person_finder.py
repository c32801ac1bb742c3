"""Finding the person a shelter action is for, by name or case reference, as it is typed: the
admit dialog and the waiting list use it, so nobody types a case reference into a bare box."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from casework.application.desk import Desk
from casework.application.types import PersonHit
from ui import operations
from ui.widgets import Message

SEARCH_DELAY_MS = 250


def tr(text: str) -> str:
    return QCoreApplication.translate("PersonFinder", text)


class PersonFinder(QWidget):
    """A search box and the people it finds; ``empty()`` lists those to offer before anything
    is typed (the waiting list, say). The answer shown is always to what was typed last."""

    chosen = Signal()  # the person chosen changed (or none is)
    activated = Signal()  # a person was double-clicked or Enter was pressed on one

    def __init__(
        self,
        workspace: Desk,
        message: Message,
        empty: Callable[[], list[tuple[str, str]]] = list,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.message = message
        self.empty = empty
        self.searching: operations.Operation[list[PersonHit]] | None = None
        self.search_box = QLineEdit()
        self.search_box.setObjectName("personFind")
        self.search_box.setPlaceholderText(tr("Type a name or a case reference"))
        self.people = QListWidget()
        self.people.setObjectName("personFound")
        self.people.setMaximumHeight(160)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search_box)
        layout.addWidget(self.people)
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(SEARCH_DELAY_MS)
        self._pause.timeout.connect(self._search)
        self.search_box.textChanged.connect(lambda _text: self._pause.start())
        self.people.currentItemChanged.connect(lambda *_items: self.chosen.emit())
        self.people.itemActivated.connect(lambda _item: self.activated.emit())
        self.fill(self.empty())

    def chosen_case(self) -> str | None:
        item = self.people.currentItem()
        found = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return found if isinstance(found, str) else None

    def fill(self, rows: list[tuple[str, str]]) -> None:
        """(case id, how the person is shown) rows; the only one is chosen."""
        self.people.clear()
        for case_id, text in rows:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, case_id)
            self.people.addItem(item)
        if len(rows) == 1:
            self.people.setCurrentRow(0)
        self.chosen.emit()

    def _search(self) -> None:
        text = self.search_box.text().strip()
        if len(text) < 2:
            self.fill(self.empty())
            return
        cases = self.workspace.cases

        def found(hits: list[PersonHit]) -> None:
            if self.searching is searching:  # not the answer to what was typed before
                self.fill([(hit.case_id, f"{hit.name} · {hit.reference}") for hit in hits])

        searching = self.searching = operations.query(
            lambda: cases.people(text), found, parent=self, message=self.message
        )
