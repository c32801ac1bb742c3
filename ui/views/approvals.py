"""Approvals: the closure and erasure requests waiting for a supervisor's decision."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from casework.application.desk import Desk
from ui import changes, operations
from ui.views.case_list import CASE_ROLE, KEY_ROLE, CaseList
from ui.views.case_supervision import confirm_erasure


def tr(text: str) -> str:
    return QCoreApplication.translate("Lists", text)


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
        changes.follow(self, self.reload)  # a change made elsewhere shows here too

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

    def decide(self, approve: bool) -> operations.Operation[object] | None:
        item = self.list.currentItem()
        if item is None or not item.data(KEY_ROLE):
            return None
        kind, _, request_id = str(item.data(KEY_ROLE)).partition(":")
        comment = self.comment.text()
        if kind == "erasure" and approve and not confirm_erasure(self):
            return None
        decide = (
            self.workspace.cases.decide_closure
            if kind == "closure"
            else self.workspace.supervision.decide_erasure
        )

        def decided(_result: object) -> None:
            self.comment.clear()
            self.reload()

        return operations.change(
            lambda _job: decide(request_id, approve, comment),
            decided,
            parent=self,
            message=self.message,
            busy=[self.approve_button, self.reject_button],
        )
