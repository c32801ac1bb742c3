"""The Tasks section."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from casework.application.desk import Desk
from ui.views.case.common import fill_table, selected_key, table, tr
from ui.views.tab import Saving, Tab
from ui.widgets import date_edit, to_date, vocab


class TasksTab(Tab):
    def __init__(self, workspace: Desk, case_id: str) -> None:
        super().__init__(workspace, case_id)
        self.title = QLineEdit()
        self.title.setObjectName("taskTitle")
        self.title.setPlaceholderText(tr("What needs doing"))
        self.due = date_edit()
        # Who it is for: the user, or (a supervisor) any caseworker.
        self.assignee = QComboBox()
        self.assignee.setObjectName("taskAssignee")
        self.assignee.addItem(tr("For me"), None)
        actor = workspace.actor
        if actor.sees_all_cases:
            for user_id, name in workspace.cases.caseworkers():
                if user_id != actor.user_id:
                    self.assignee.addItem(tr("For {0}").format(name), user_id)
        self.assignee.setVisible(self.assignee.count() > 1)
        self.add_button = add = QPushButton(tr("Add task"))
        add.setObjectName("addTask")
        self.complete_button = done = QPushButton(tr("Mark the selected task done"))
        done.setObjectName("completeTask")
        self.list = table(
            [tr("Due"), tr("Task"), tr("For"), tr("State")],
            tr("No tasks yet. Type what is to be done above and press Enter."),
        )
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.due)
        top.addWidget(self.assignee)
        top.addWidget(add)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.list, 1)
        layout.addWidget(done)
        self.list.needs_row(done)
        add.clicked.connect(self.add)
        self.title.returnPressed.connect(self._enter)  # Enter adds the task, as the button
        done.clicked.connect(self.complete)
        self.reload()

    def reload(self) -> None:
        tasks = self.workspace.tasks.of_case(self.case_id)
        fill_table(
            self.list,
            [[t.due_on.isoformat(), t.title, t.assignee, vocab(t.status.label)] for t in tasks],
            [t.task_id for t in tasks],
        )

    def _enter(self) -> None:
        if self.add_button.isEnabled():
            self.add()

    def add(self) -> Saving:
        tasks, case_id = self.workspace.tasks, self.case_id
        title, due, assignee = self.title.text(), to_date(self.due), self.assignee.currentData()
        return self.submit(
            lambda: tasks.add(case_id, title, due, assignee),
            lambda _task: self.title.clear(),
            busy=[self.add_button],
        )

    def complete(self) -> Saving | None:
        task_id = selected_key(self.list)
        if task_id is None:
            self.message.setText(tr("Choose a task first."))
            return None
        tasks = self.workspace.tasks
        return self.submit(lambda: tasks.complete(task_id), busy=[self.complete_button])
