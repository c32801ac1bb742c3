"""My tasks: the signed-in user's overdue, due and upcoming tasks, each opening its case."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QPushButton,
    QWidget,
)

from casework.application.desk import Desk
from casework.application.types import MyTasks, TaskView
from casework.errors import CaseworkError
from ui import changes, operations
from ui.messages import error_text
from ui.views.case_list import KEY_ROLE, CaseList


def tr(text: str) -> str:
    return QCoreApplication.translate("Lists", text)


class MyTasksView(CaseList):
    def __init__(self, workspace: Desk, parent: QWidget | None = None) -> None:
        super().__init__(tr("My tasks"), parent)
        self.workspace = workspace
        done = QPushButton(tr("Mark the selected task done"))
        done.setObjectName("completeMyTask")
        self.box.addWidget(done)
        done.clicked.connect(self.complete)
        self.reload()
        changes.follow(self, self.reload)  # a change made elsewhere shows here too

    def reload(self) -> None:
        """Load in the background: a supervisor's list can be long."""
        self.list.clear()
        self.heading(tr("Loading…"))
        self.loading = True
        workspace = self.workspace
        operations.query(workspace.tasks.mine, self._show, parent=self, failed=self._failed)

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
        changes.announce(self)
        self.message.clear()
        self.reload()
