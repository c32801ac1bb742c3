"""Lists beside the caseload: My tasks, search results, approvals, cases behind a figure."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from casework.application.types import NOTE_HITS, MyTasks, NoteHit, PersonHit, TaskView
from casework.errors import CaseworkError
from ui import jobs
from ui.messages import attempt, error_text
from ui.views.case_supervision import confirm_erasure
from ui.widgets import message_label

CASE_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2


def tr(text: str) -> str:
    return QCoreApplication.translate("Lists", text)


class CaseList(QWidget):
    """A titled list whose items open a case."""

    open_case = Signal(str)

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(title)
        self.title.setObjectName("pageTitle")
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.message = message_label("errorText")
        self.box = QVBoxLayout(self)
        self.box.addWidget(self.title)
        self.box.addWidget(self.message)
        self.box.addWidget(self.list, 1)
        self.list.itemActivated.connect(self._activated)
        self.list.itemDoubleClicked.connect(self._activated)

    def _activated(self, item: QListWidgetItem) -> None:
        case_id = item.data(CASE_ROLE)
        if case_id:
            self.open_case.emit(case_id)

    def heading(self, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        item.setForeground(QColor("#1f3a4d"))
        item.setBackground(QColor("#e9eef2"))
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        self.list.addItem(item)

    def entry(self, text: str, case_id: str | None, key: str | None = None) -> None:
        item = QListWidgetItem(text)
        item.setData(CASE_ROLE, case_id)
        item.setData(KEY_ROLE, key)
        self.list.addItem(item)


class MyTasksView(CaseList):
    def __init__(self, workspace: Desk, parent: QWidget | None = None) -> None:
        super().__init__(tr("My tasks"), parent)
        self.workspace = workspace
        done = QPushButton(tr("Mark the selected task done"))
        done.setObjectName("completeMyTask")
        self.box.addWidget(done)
        done.clicked.connect(self.complete)
        self.reload()

    def reload(self) -> None:
        """Load in the background: a supervisor's list can be long."""
        self.list.clear()
        self.heading(tr("Loading…"))
        self.loading = True
        workspace = self.workspace
        jobs.start(lambda _job: workspace.tasks.mine(), self._show, self._failed)

    def _show(self, mine: MyTasks) -> None:
        self.loading = False
        self.list.clear()
        for label, tasks in (
            (tr("Overdue"), mine.overdue),
            (tr("Today"), mine.today),
            (tr("Coming up"), mine.upcoming),
        ):
            self.heading(f"{label} ({len(tasks)})")
            for task in tasks:
                self.entry(self._text(task), task.case_id, task.task_id)

    def _failed(self, error: BaseException) -> None:
        self.loading = False
        self.list.clear()
        self.message.setText(error_text(error))

    @staticmethod
    def _text(task: TaskView) -> str:
        return f"{task.due_on.isoformat()}  {task.title}  · {task.case_reference}"

    def complete(self) -> None:
        item = self.list.currentItem()
        task_id = item.data(KEY_ROLE) if item is not None else None
        if not task_id:
            self.message.setText(tr("Choose a task first."))
            return
        try:
            self.workspace.tasks.complete(task_id)
        except CaseworkError as error:
            self.message.setText(error_text(error))
            return
        self.message.clear()
        self.reload()


class SearchResultsView(CaseList):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(tr("Search"), parent)

    def searching(self, text: str) -> None:
        self.title.setText(tr("Searching for “{0}”…").format(text))
        self.list.clear()

    def show_results(self, text: str, people: list[PersonHit], notes: list[NoteHit]) -> None:
        self.title.setText(tr("Results for “{0}”").format(text))
        self.list.clear()
        self.heading(tr("People ({0})").format(len(people)))
        matched = {
            "name": tr("name"),
            "alias": tr("alias"),
            "reference": tr("reference"),
            "phone": tr("phone"),
        }
        for hit in people:
            self.entry(f"{hit.name}  · {hit.reference}  ({matched[hit.matched_on]})", hit.case_id)
        if len(notes) >= NOTE_HITS:  # there may be many more: say so
            self.heading(
                tr("Notes (the first {0}; add words to narrow the search)").format(len(notes))
            )
        else:
            self.heading(tr("Notes ({0})").format(len(notes)))
        for note in notes:
            heading = f"{note.noted_on.isoformat()}  {note.survivor_name} · {note.case_reference}"
            self.entry(f"{heading}\n{note.snippet}", note.case_id)


class ApprovalsView(CaseList):
    """Closure and erasure requests waiting for a supervisor: approve, or reject with a comment
    the caseworker will read. Double-click opens the case."""

    def __init__(self, workspace: Desk, parent: QWidget | None = None) -> None:
        super().__init__(tr("Waiting for approval"), parent)
        self.workspace = workspace
        self.comment = QLineEdit()
        self.comment.setObjectName("decisionComment")
        self.comment.setPlaceholderText(tr("Comment for the caseworker (needed to reject)"))
        self.approve_button = QPushButton(tr("Approve"))
        self.approve_button.setObjectName("approveRequest")
        self.reject_button = QPushButton(tr("Reject"))
        self.reject_button.setObjectName("rejectRequest")
        row = QHBoxLayout()
        row.addWidget(self.comment, 1)
        row.addWidget(self.approve_button)
        row.addWidget(self.reject_button)
        self.box.addLayout(row)  # addItem left the buttons without a parent: never on screen
        self.approve_button.clicked.connect(lambda: self.decide(True))
        self.reject_button.clicked.connect(lambda: self.decide(False))
        self.list.currentItemChanged.connect(lambda *_: self._selection_changed())
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        closures = self.workspace.cases.closure_requests()
        erasures = self.workspace.supervision.erasure_requests()
        if closures:
            self.heading(tr("Case closures"))
        for request in closures:
            reason = QCoreApplication.translate("vocab", request.reason.label)
            self.entry(
                f"{request.case_reference} — {reason} — {tr('asked by')} {request.requested_by}"
                + (f"\n{request.comment}" if request.comment else ""),
                request.case_id,
                f"closure:{request.request_id}",
            )
        if erasures:
            self.heading(tr("Requests to forget a person"))
        for erasure in erasures:
            self.entry(
                f"{erasure.case_reference} — {tr('asked by')} {erasure.requested_by}\n"
                + erasure.reason,
                erasure.case_id,
                f"erasure:{erasure.request_id}",
            )
        if not self.list.count():
            self.heading(tr("Nothing is waiting."))
        self._selection_changed()

    def _selection_changed(self) -> None:
        item = self.list.currentItem()
        chosen = item is not None and bool(item.data(KEY_ROLE))
        self.approve_button.setEnabled(chosen)
        self.reject_button.setEnabled(chosen)

    def select(self, case_id: str) -> bool:
        for row in range(self.list.count()):
            if self.list.item(row).data(CASE_ROLE) == case_id:
                self.list.setCurrentRow(row)
                return True
        return False

    def decide(self, approve: bool) -> bool:
        item = self.list.currentItem()
        if item is None or not item.data(KEY_ROLE):
            return False
        kind, _, request_id = str(item.data(KEY_ROLE)).partition(":")
        comment = self.comment.text()
        if kind == "erasure" and approve and not confirm_erasure(self):
            return False
        decide = (
            self.workspace.cases.decide_closure
            if kind == "closure"
            else self.workspace.supervision.decide_erasure
        )
        if not attempt(lambda: decide(request_id, approve, comment), self.message):
            return False
        self.comment.clear()
        self.reload()
        return True
