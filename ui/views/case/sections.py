"""A case's sections as a list down the side, every one in sight: eleven tabs across did not
fit a laptop's width (Reviews and History hid behind arrows, labels were cut).

The same calls as a QTabWidget's that the case view uses (addTab, setCurrentWidget, …), so a
section is reached alike from the list, the keyboard (arrows in the list; Ctrl+Tab and
Ctrl+Shift+Tab anywhere in the case; the Case menu's Ctrl+PgDown and Ctrl+PgUp) and the code.

Each section scrolls within its place when it needs more room than the window has: a tall
form (consent's, with what a release covers) never makes the window taller than a 1366×768
laptop's screen or a 1920×1080 one at 150%.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QListWidget, QScrollArea, QStackedWidget, QWidget


class Sections(QWidget):
    currentChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setObjectName("caseSections")
        self.list.setAccessibleName("Sections of the case")
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.stack = QStackedWidget()
        self._pages: list[QWidget] = []  # the sections, each in a scroller of its own
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addWidget(self.stack, 1)
        self.list.currentRowChanged.connect(self._chosen)
        for keys, step in (("Ctrl+Tab", 1), ("Ctrl+Shift+Tab", -1)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda step=step: self.step(step))

    def addTab(self, widget: QWidget, label: str) -> int:
        scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(widget)
        self._pages.append(widget)
        self.stack.addWidget(scroller)
        self.list.addItem(label)
        self._fit()
        if self.list.currentRow() < 0:
            self.list.setCurrentRow(0)
        return self.stack.count() - 1

    def _fit(self) -> None:
        """As wide as the longest label, no wider: the section keeps the room."""
        widest = max(
            (
                self.list.fontMetrics().horizontalAdvance(self.list.item(i).text())
                for i in range(self.list.count())
            ),
            default=0,
        )
        self.list.setFixedWidth(widest + 36)

    def _chosen(self, row: int) -> None:
        if 0 <= row < self.stack.count():
            self.stack.setCurrentIndex(row)
            self.currentChanged.emit(row)

    def count(self) -> int:
        return self.stack.count()

    def widget(self, index: int) -> QWidget | None:
        return self._pages[index] if 0 <= index < len(self._pages) else None

    def indexOf(self, widget: QWidget) -> int:
        return self._pages.index(widget) if widget in self._pages else -1

    def tabText(self, index: int) -> str:
        item = self.list.item(index)
        return item.text() if item is not None else ""

    def currentIndex(self) -> int:
        return self.stack.currentIndex()

    def currentWidget(self) -> QWidget | None:
        return self.widget(self.stack.currentIndex())

    def setCurrentIndex(self, index: int) -> None:
        self.list.setCurrentRow(index)

    def setCurrentWidget(self, widget: QWidget) -> None:
        index = self.indexOf(widget)
        if index >= 0:
            self.list.setCurrentRow(index)

    def step(self, by: int) -> None:
        if self.count():
            self.setCurrentIndex((self.currentIndex() + by) % self.count())
