"""The History section."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
)

from casework.application.desk import Desk
from casework.model.vocab import Vocabulary
from ui.views.case.common import escape, tr
from ui.views.tab import Tab
from ui.widgets import vocab


class HistoryTab(Tab):
    show_access = Signal()  # "who opened this case", for supervisors

    def __init__(self, workspace: Desk, case_id: str) -> None:
        super().__init__(workspace, case_id)
        self.view = QTextBrowser()
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        if workspace.actor.sees_all_cases:
            access = QPushButton(tr("Who opened this case…"))
            access.setObjectName("whoOpened")
            access.clicked.connect(self.show_access)
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(access)
            layout.addLayout(row)
        self.reload()

    def reload(self) -> None:
        lines = []
        for entry in self.workspace.cases.status_history(self.case_id):
            start = vocab(entry.from_status.label) if entry.from_status else tr("opened")
            when = entry.at.astimezone().strftime("%Y-%m-%d %H:%M")
            line = f"<b>{when}</b> — {start} → {vocab(entry.to_status.label)} ({escape(entry.by)})"
            if entry.comment:
                line += f"<br><i>{escape(entry.comment)}</i>"
            lines.append(line)
        for request in self.workspace.cases.closure_requests(self.case_id, pending_only=False):
            line = tr("Closure requested by {0} ({1}): {2}").format(
                request.requested_by, vocab(request.reason.label), vocab(request.decision.label)
            )
            if request.decision_comment:
                line += f" — <i>{escape(request.decision_comment)}</i>"
            lines.append(line)
        for erasure in self.workspace.supervision.erasure_requests(
            pending_only=False, case_id=self.case_id
        ):
            line = escape(
                tr("Erasure requested by {0}: {1}").format(
                    erasure.requested_by, vocab(erasure.decision.label)
                )
            )
            if erasure.decided_by:
                line += escape(tr(" by {0}").format(erasure.decided_by))
            if erasure.decision_comment:
                line += f" — <i>{escape(erasure.decision_comment)}</i>"
            lines.append(line)
        changes = self.workspace.cases.record_changes(self.case_id)
        if changes:
            lines.append("<b>" + escape(tr("Changes to the record")) + "</b>")
        for change in changes:
            when = change.at.astimezone().strftime("%Y-%m-%d %H:%M")
            line = f"<b>{when}</b> — " + escape(
                tr("{0} changed by {1}").format(tr(change.label), change.by)
            )
            if change.values_shown:
                line += (
                    "<br><i>"
                    + escape(
                        tr("was: {0} · now: {1}").format(shown(change.before), shown(change.after))
                    )
                    + "</i>"
                )
            lines.append(line)
        self.view.setHtml("<p>" + "</p><p>".join(lines) + "</p>")


def shown(value: object) -> str:
    """A stored value as a person reads it: labels for vocabularies, ISO dates."""
    if value is None or value == "" or value == ():
        return tr("not recorded")
    if isinstance(value, Vocabulary):
        return vocab(value.label)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ", ".join(shown(v) for v in value)
    return str(value)
