"""The Notes section."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from casework.application.desk import Desk
from casework.application.types import DraftKind
from casework.model.vocab import (
    Confidentiality,
)
from ui.drafts import DraftKeeper, restore_state, widget_state
from ui.messages import error_text
from ui.views.case.common import tr
from ui.views.tab import Saving, Tab
from ui.widgets import date_edit, to_date, vocab


class NotesTab(Tab):
    def __init__(self, workspace: Desk, case_id: str) -> None:
        super().__init__(workspace, case_id)
        self.noted_on = date_edit()
        self.noted_on.setMaximumDate(QDate.currentDate())
        self.confidentiality = QComboBox()
        for level in Confidentiality:
            self.confidentiality.addItem(vocab(level.label), level)
        self.body = QPlainTextEdit()
        self.body.setObjectName("noteBody")
        self.body.setPlaceholderText(tr("What happened, what was agreed, what comes next"))
        self.body.setMaximumHeight(90)
        add = self.add_button = QPushButton(tr("Add note"))
        add.setObjectName("addNote")
        self.amend_button = QPushButton(tr("Amend the selected note…"))
        self.list = QListWidget()
        self.list.setObjectName("notes")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSpacing(2)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Date")))
        top.addWidget(self.noted_on)
        top.addWidget(self.confidentiality)
        top.addStretch(1)
        top.addWidget(add)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.body)
        layout.addWidget(self.message)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.amend_button)
        add.clicked.connect(self.add)
        self.amend_button.clicked.connect(self.amend)
        self.notes: dict[str, str] = {}
        # What is typed and not yet added is kept as a draft (leaving the case, a lock).
        draft_fields = {
            "body": self.body,
            "noted_on": self.noted_on,
            "confidentiality": self.confidentiality,
        }
        self.keeper = DraftKeeper(
            self,
            workspace,
            DraftKind.NOTE,
            case_id,
            lambda: widget_state(draft_fields) if self.body.toPlainText().strip() else None,
        )
        kept = self.keeper.kept()
        if kept is not None:
            restore_state(draft_fields, kept.content)
            self.message.show_info(tr("The note you had not added is back in the box."))
        self.keeper.watch(draft_fields)
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        self.notes.clear()
        for note in self.workspace.notes.of_case(self.case_id):
            marks = []
            if note.confidentiality == Confidentiality.SENSITIVE:
                marks.append(tr("sensitive"))
            if not note.is_current:
                marks.append(tr("earlier version"))
            elif note.version > 1:
                marks.append(tr("amended"))
            heading = f"{note.noted_on.isoformat()} · {note.author}"
            if marks:
                heading += f" · {', '.join(marks)}"
            item = QListWidgetItem(f"{heading}\n{note.body}")
            item.setData(Qt.ItemDataRole.UserRole, note.note_id)
            if not note.is_current:
                item.setForeground(Qt.GlobalColor.gray)
            self.list.addItem(item)
            self.notes[note.note_id] = note.body

    def add(self) -> Saving:
        """Save the note off the UI thread (what was typed is read now); the box is emptied
        once it is saved, unless more was typed meanwhile."""
        notes, case_id, body = self.workspace.notes, self.case_id, self.body.toPlainText()
        noted_on, level = to_date(self.noted_on), self.confidentiality.currentData()

        def saved(_note: object) -> None:
            if self.body.toPlainText() == body:
                self.body.clear()
            else:
                self.keeper.touch()  # more was typed meanwhile: that is a draft still

        def refused(error: BaseException) -> None:
            self.message.setText(error_text(error))
            self.keeper.touch()

        self.keeper.forget()  # adding the note removes its draft; no keep on its way revives it
        return self.submit(
            lambda: notes.add(case_id, body, noted_on, level),
            saved,
            busy=[self.add_button],
            failed=refused,
        )

    def amend(self) -> Saving | None:
        item = self.list.currentItem()
        note_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if note_id is None:
            self.message.setText(tr("Choose a note first."))
            return None
        text, ok = QInputDialog.getMultiLineText(
            self, tr("Amend note"), tr("The note as it should read:"), self.notes[note_id]
        )
        if not ok:
            return None
        notes = self.workspace.notes
        return self.submit(lambda: notes.amend(note_id, text))
