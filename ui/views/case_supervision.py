"""Supervision inside a case: periodic reviews, and the request to forget a survivor."""

from __future__ import annotations

from datetime import timedelta
from html import escape

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from ui.views.tab import Saving, Tab
from ui.widgets import date_edit, to_date

DEFAULT_REVIEW_INTERVAL = timedelta(days=90)


def tr(text: str) -> str:
    return QCoreApplication.translate("CaseSupervision", text)


class ReviewsTab(Tab):
    """Reviews of the case, newest first; supervisors record a new one."""

    def __init__(self, workspace: Desk, case_id: str) -> None:
        super().__init__(workspace, case_id)
        self.list = QTextBrowser()
        self.list.setObjectName("reviews")
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        self.form: QGroupBox | None = None
        if workspace.actor.sees_all_cases:
            self.form = QGroupBox(tr("Record a review"))
            form = QFormLayout(self.form)
            today = workspace.clock.today()
            self.reviewed_on = date_edit(today, latest=today)
            self.summary = QPlainTextEdit()
            self.summary.setObjectName("reviewSummary")
            self.summary.setPlaceholderText(
                tr("What was reviewed, what changed, what happens next")
            )
            self.summary.setMaximumHeight(90)
            self.schedule = QCheckBox(tr("Next review on"))
            self.schedule.setChecked(True)
            self.next_on = date_edit(today + DEFAULT_REVIEW_INTERVAL)
            self.schedule.toggled.connect(self.next_on.setEnabled)
            self.save = QPushButton(tr("Record review"))
            self.save.setObjectName("recordReview")
            form.addRow(tr("Reviewed on"), self.reviewed_on)
            form.addRow(tr("Summary"), self.summary)
            form.addRow(self.schedule, self.next_on)
            form.addRow("", self.save)
            self.save.clicked.connect(self.record)
            layout.addWidget(self.form)
        layout.addWidget(self.message)
        self.reload()

    def record(self) -> Saving:
        next_on = to_date(self.next_on) if self.schedule.isChecked() else None
        supervision, case_id = self.workspace.supervision, self.case_id
        reviewed_on, summary = to_date(self.reviewed_on), self.summary.toPlainText()
        return self.submit(
            lambda: supervision.record_review(case_id, reviewed_on, summary, next_on),
            lambda _review: self.summary.clear(),
            busy=[self.save],
        )

    def reload(self) -> None:
        reviews = self.workspace.supervision.case_reviews(self.case_id)
        if not reviews:
            self.list.setHtml("<p>" + escape(tr("No review recorded yet.")) + "</p>")
            return
        parts = []
        for review in reviews:
            head = tr("{0} by {1}").format(review.reviewed_on.isoformat(), review.reviewer)
            if review.next_review_on:
                head += " · " + tr("next review {0}").format(review.next_review_on.isoformat())
            parts.append(
                f"<p><b>{escape(head)}</b><br>{escape(review.summary)}</p>".replace("\n", "<br>")
            )
        self.list.setHtml("".join(parts))


class ErasureDialog(QDialog):
    """The caseworker records how the survivor asked to be forgotten."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Ask to forget this person"))
        self.setMinimumWidth(440)
        explain = QLabel(
            tr(
                "When a survivor withdraws consent and asks to be forgotten, a supervisor "
                "approves the erasure. Once erased, the person's records, notes and "
                "attachments are gone for good; only an anonymous marker and the audit trail "
                "remain."
            )
        )
        explain.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("erasureReason")
        self.reason.setPlaceholderText(tr("How and when the survivor asked"))
        self.reason.setMaximumHeight(90)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.reason)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)


def confirm_erasure(parent: QWidget) -> bool:
    """The last word before a person is erased; nothing can bring them back."""
    answer = QMessageBox.warning(
        parent,
        tr("Erase this person"),
        tr(
            "This erases the person and every case, note, attachment and service record about "
            "them, now and for good. Only an anonymous marker and the audit trail remain. "
            "Older backups are marked to expire. Erase?"
        ),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes
