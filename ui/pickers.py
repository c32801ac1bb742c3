"""Choosing countries and languages by name from searchable lists, never typing their codes
("uk" is Ukrainian, not the United Kingdom). The names are CLDR's, in the reader's language
(``casework.places``); what is stored is the code."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QLocale,
    QObject,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from casework import places
from ui.flow import FlowLayout


def tr(text: str) -> str:
    return QCoreApplication.translate("CodePicker", text)


def reader_language() -> str:
    """The language names are shown in: the application's locale (issue 19's language choice
    sets it for each user)."""
    return QLocale().name()


def country_choices() -> tuple[tuple[str, str], ...]:
    return places.countries(reader_language())


def language_choices() -> tuple[tuple[str, str], ...]:
    return places.languages(reader_language())


def _match(text: str, choices: Sequence[tuple[str, str]]) -> str | None:
    """The code for what was typed: a name (any case, accents as typed) or the code itself."""
    wanted = text.strip().casefold()
    if not wanted:
        return None
    for code, name in choices:
        if name.casefold() == wanted or code.casefold() == wanted:
            return code
    return None


class CodePicker(QWidget):
    """Codes chosen by name: each chosen one shown as a button that removes it (“Ukraine ✕”),
    and a box to find another by typing any part of its name. With ``many`` false it holds at
    most one, which a new choice replaces. A code the list does not know (from an import of
    before the lists) is kept and shown as it is."""

    changed = Signal()

    def __init__(
        self,
        choices: Sequence[tuple[str, str]],
        placeholder: str,
        many: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._choices = tuple(choices)
        self._names = dict(self._choices)
        self._many = many
        self._codes: list[str] = []
        self.chips = FlowLayout(spacing=4)
        self.finder = QComboBox()
        self.finder.setEditable(True)
        self.finder.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.finder.setMaxVisibleItems(12)
        self.finder.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.finder.setMinimumContentsLength(18)
        model = QStandardItemModel(self)
        for code, name in self._choices:
            item = QStandardItem(name)
            item.setData(code, Qt.ItemDataRole.UserRole)
            model.appendRow(item)
        self.finder.setModel(model)
        self.finder.setCurrentIndex(-1)
        line = self.finder.lineEdit()
        assert line is not None  # an editable combo box has its line
        line.setPlaceholderText(placeholder)
        self.finder.setAccessibleName(placeholder)
        completer = QCompleter(model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.finder.setCompleter(completer)
        completer.activated[str].connect(self._take_name)  # type: ignore[index]
        self.finder.activated.connect(self._take_index)
        line.installEventFilter(self)
        self.finder.installEventFilter(self)
        self._just_taken = False  # a choice made by this key press (in the completer's list)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(self.chips)
        column.addWidget(self.finder)
        self._show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter in the box takes what is typed, and goes no further: it does not press the
        dialog's default button (an empty box lets Enter through, to save the form)."""
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and (self._just_taken or self.finder.currentText().strip())
        ):
            self._take_typed()
            return True
        return super().eventFilter(watched, event)

    def codes(self) -> tuple[str, ...]:
        """What is chosen, with what is typed in the box and names one (not yet confirmed)."""
        typed = _match(self.finder.currentText(), self._choices)
        if typed is None or typed in self._codes:
            return tuple(self._codes)
        return (*self._codes, typed) if self._many else (typed,)

    def code(self) -> str:
        chosen = self.codes()
        return chosen[0] if chosen else ""

    def set_codes(self, codes: Sequence[str]) -> None:
        self._codes = []
        for code in codes:
            if code and code not in self._codes:
                self._codes.append(code)
        if not self._many:
            self._codes = self._codes[:1]
        self._clear_finder()
        self._show()

    def name_of(self, code: str) -> str:
        return self._names.get(code, code)

    def _take_index(self, index: int) -> None:
        code = self.finder.itemData(index, Qt.ItemDataRole.UserRole)
        if isinstance(code, str):
            self._add(code)

    def _take_name(self, name: str) -> None:
        code = _match(name, self._choices)
        if code is not None:
            self._add(code)

    def _take_typed(self) -> None:
        code = _match(self.finder.currentText(), self._choices)
        if code is not None:
            self._add(code)

    def _add(self, code: str) -> None:
        if self._many:
            if code not in self._codes:
                self._codes.append(code)
        else:
            self._codes = [code]
        self._clear_finder()
        self._show()
        self._just_taken = True
        QTimer.singleShot(0, self._taken)
        self.changed.emit()

    def _taken(self) -> None:
        self._just_taken = False

    def _remove(self, code: str) -> None:
        if code in self._codes:
            self._codes.remove(code)
            self._show()
            self.changed.emit()
            self.finder.setFocus()

    def _clear_finder(self) -> None:
        self.finder.setCurrentIndex(-1)
        self.finder.setEditText("")

    def _show(self) -> None:
        while self.chips.count():
            item = self.chips.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        for code in self._codes:
            name = self.name_of(code)
            chip = QToolButton()
            chip.setObjectName("chosenCode")
            chip.setText(f"{name}  ✕")
            chip.setToolTip(tr("Remove {0}").format(name))
            chip.setAccessibleName(tr("Remove {0}").format(name))
            chip.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            chip.clicked.connect(lambda _checked=False, c=code: self._remove(c))
            self.chips.addWidget(chip)
            chip.show()  # at once, not at the next turn of the event loop
