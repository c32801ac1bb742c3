"""The audit trail for supervisors and administrators: filter by user, case, action and date,
and verify the chain (in the background, with progress; the result names the first bad row)."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from casework.application.types import AUDIT_ROWS_SHOWN, AuditFilter, AuditRow, IntegrityReport
from ui import jobs, operations
from ui.widgets import busy_bar, date_edit, message_label, progress_bar, to_date


def tr(text: str) -> str:
    return QCoreApplication.translate("AuditView", text)


# What each action reads as, for a supervisor (the rows keep the codes; these are translated).
ACTIONS = {
    "attachment.add": "Attached a file",
    "attachment.export": "Saved an attachment outside the vault",
    "attachment.view": "Viewed an attachment",
    "backup.create": "Made a backup",
    "backup.folder": "Changed the backup folder",
    "case.closure.request": "Asked to close the case",
    "case.closure.approved": "Approved the closure",
    "case.closure.rejected": "Rejected the closure",
    "case.closure.withdrawn": "Withdrew the closure request",
    "case.create": "Opened the case",
    "case.erasure.request": "Asked to erase the person",
    "case.reassign": "Gave the case to another caseworker",
    "case.review": "Reviewed the case",
    "case.status.Active": "Made the case active",
    "case.status.FollowUp": "Moved the case to follow-up",
    "case.status.Closed": "Closed the case",
    "case.status.ClosedReferred": "Closed the case (referred)",
    "case.view": "Opened the case's record",
    "consent.record": "Recorded a consent",
    "consent.withdraw": "Recorded a consent's withdrawal",
    "counseling.read": "Read counseling notes",
    "counseling.record": "Recorded a counseling session",
    "demo.fill": "Filled the demo vault",
    "demo.services": "Added the demo vault's services",
    "legal.hearing": "Scheduled a hearing",
    "legal.open": "Opened a legal matter",
    "legal.awaiting-decision": "Marked a legal matter as awaiting a decision",
    "legal.closed": "Closed a legal matter",
    "note.add": "Wrote a note",
    "note.amend": "Amended a note",
    "partner.add": "Added a partner organisation",
    "referral.packet": "Printed a referral packet",
    "referral.send": "Referred to a partner",
    "referral.accepted": "Recorded a referral as accepted",
    "referral.declined": "Recorded a referral as declined",
    "referral.completed": "Recorded a referral as completed",
    "referral.withdrawn": "Withdrew a referral",
    "report.case": "Printed the case file",
    "report.caseload": "Printed a caseload",
    "report.occupancy": "Printed shelter occupancy",
    "reporting.profile.add": "Added a reporting profile",
    "retention.remove": "Removed a retention rule",
    "session.unlock": "Signed in",
    "shelter.admit": "Admitted to a shelter bed",
    "shelter.discharge": "Discharged from the shelter",
    "shelter.facility.add": "Added a shelter",
    "shelter.wait": "Put on the shelter's waiting list",
    "survivor.create": "Recorded a person",
    "survivor.correct": "Corrected the person's record",
    "survivor.erased": "Erased a person",
    "task.add": "Added a task",
    "task.cancel": "Cancelled a task",
    "task.complete": "Completed a task",
    "task.reminders": "Raised reminder tasks",
    "user.add": "Added an account",
    "user.disable": "Removed an account's access",
    "vault.create": "Created the vault",
}

# What a record reads as when it belongs to no case on screen.
RECORDS = {
    "attachment": "an attachment",
    "consent": "a consent",
    "counseling": "a counseling session",
    "facility": "a shelter",
    "hearing": "a hearing",
    "legal": "a legal matter",
    "note": "a note",
    "organisation": "the organisation",
    "partner": "a partner organisation",
    "profile": "a reporting profile",
    "referral": "a referral",
    "retention": "a retention rule",
    "stay": "a shelter stay",
    "survivor": "a person",
    "task": "a task",
    "user": "an account",
}


def action_text(code: str) -> str:
    """The action as a sentence (an action not listed reads as its code)."""
    label = ACTIONS.get(code)
    return tr(label) if label is not None else code


def record_text(row: AuditRow) -> str:
    if row.case_reference:
        return tr("Case {0}").format(row.case_reference)
    label = RECORDS.get(row.entity)
    return tr(label) if label is not None else row.entity


# pixels, for #, When, Who, Action, Case or record: a longer text is elided (whole in its
# tooltip), so Details is on screen beside the caseload at 1366×768 and at 150% too
WIDEST_COLUMNS = (56, 140, 120, 170, 120)


def details_text(row: AuditRow) -> str:
    """What the row says beyond its action: a reassignment's from, to and why."""
    if row.moved is None:
        return ""
    before = row.moved.before or tr("no caseworker")
    text = tr("From {0} to {1}").format(before, row.moved.after)
    return tr("{0} — {1}").format(text, row.moved.reason) if row.moved.reason else text


class AuditView(QWidget):
    def __init__(
        self,
        workspace: Desk,
        case_id: str | None = None,
        case_reference: str = "",
        action: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.case_id = case_id
        self.search_op: operations.Operation[list[AuditRow]] | None = None
        self.verifying: operations.Operation[IntegrityReport] | None = None
        title = QLabel(tr("Audit trail"))
        title.setObjectName("pageTitle")
        self.user = QComboBox()
        self.user.setObjectName("auditUser")
        self.user.addItem(tr("Anyone"), None)
        for user_id, name in workspace.audit.users():
            self.user.addItem(name, user_id)
        self.action = QComboBox()
        self.action.setObjectName("auditAction")
        self.action.addItem(tr("Any action"), None)
        for name in sorted(workspace.audit.actions(), key=action_text):
            self.action.addItem(action_text(name), name)
        if action:
            index = self.action.findData(action)
            self.action.setCurrentIndex(index if index >= 0 else 0)
        self.case_label = QLabel(
            tr("Case {0} and its records").format(case_reference) if case_id else ""
        )
        self.case_label.setObjectName("auditCase")
        self.clear_case = QPushButton(tr("All cases"))
        self.clear_case.setVisible(case_id is not None)
        self.clear_case.clicked.connect(self._all_cases)
        today = workspace.clock.today()
        self.use_dates = QCheckBox(tr("Only between"))
        self.use_dates.setObjectName("auditDates")
        self.start = date_edit(today - timedelta(days=30), latest=today)
        self.end = date_edit(today, latest=today)
        for edit in (self.start, self.end):  # the dates count only once ticked: they say so
            edit.setEnabled(False)
            self.use_dates.toggled.connect(edit.setEnabled)
        self.search_button = QPushButton(tr("Show"))
        self.search_button.setObjectName("auditSearch")
        filters = QGridLayout()
        filters.addWidget(QLabel(tr("User")), 0, 0)
        filters.addWidget(self.user, 0, 1)
        filters.addWidget(QLabel(tr("Action")), 0, 2)
        filters.addWidget(self.action, 0, 3)
        filters.addWidget(self.case_label, 1, 0)
        filters.addWidget(self.clear_case, 1, 1)
        dates = QHBoxLayout()
        dates.addWidget(self.use_dates)
        dates.addWidget(self.start)
        dates.addWidget(QLabel(tr("and")))
        dates.addWidget(self.end)
        filters.addLayout(dates, 1, 2, 1, 2)
        filters.addWidget(self.search_button, 1, 4)
        self.busy = busy_bar()
        self.table = QTableWidget(0, 6)
        self.table.setObjectName("auditRows")
        self.table.setHorizontalHeaderLabels(
            [tr("#"), tr("When"), tr("Who"), tr("Action"), tr("Case or record"), tr("Details")]
        )
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.count = QLabel()
        self.count.setObjectName("subtitle")
        self.verify_button = QPushButton(tr("Verify the chain…"))
        self.verify_button.setObjectName("verifyChain")
        self.progress = progress_bar("verifyProgress")
        self.result = message_label("verifyResult")
        self.message = message_label("errorText")
        footer = QHBoxLayout()
        footer.addWidget(self.count, 1)
        footer.addWidget(self.verify_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(filters)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(footer)
        layout.addWidget(self.progress)
        layout.addWidget(self.result)
        self.search_button.clicked.connect(self.search)
        self.verify_button.clicked.connect(self.verify)
        self.search()

    @property
    def loading(self) -> bool:
        searching = self.search_op is not None and not self.search_op.finished
        return searching or operations.running(self.verifying)

    def _all_cases(self) -> None:
        self.case_id = None
        self.case_label.setText("")
        self.clear_case.hide()
        self.search()

    def current_filter(self) -> AuditFilter:
        dated = self.use_dates.isChecked()
        return AuditFilter(
            user_id=self.user.currentData(),
            case_id=self.case_id,
            action=self.action.currentData(),
            start=to_date(self.start) if dated else None,
            end=to_date(self.end) if dated else None,
        )

    def search(self) -> None:
        if self.search_op is not None and not self.search_op.finished:
            return
        where, workspace = self.current_filter(), self.workspace
        self.search_op = operations.query(
            lambda: workspace.audit.trail(where),
            self._shown,
            parent=self,
            message=self.message,
            progress=self.busy,
        )

    def _shown(self, rows: list[AuditRow]) -> None:
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            values = (
                str(row.seq),
                row.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                row.user,
                action_text(row.action),
                record_text(row),
                details_text(row),
            )
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(index, column, item)
        self.table.resizeColumnsToContents()
        for column, widest in enumerate(WIDEST_COLUMNS):  # Details keeps room on a laptop
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), widest))
        if len(rows) >= AUDIT_ROWS_SHOWN:
            self.count.setText(
                tr("The newest {0} rows; narrow the filter to see older ones.").format(
                    AUDIT_ROWS_SHOWN
                )
            )
        else:
            self.count.setText(
                tr("One row") if len(rows) == 1 else tr("{0} rows").format(len(rows))
            )

    def verify(self) -> None:
        if operations.running(self.verifying):
            return
        workspace = self.workspace
        self.progress.setRange(0, 0)

        def work(job: jobs.Job) -> IntegrityReport:
            return workspace.audit.verify(
                lambda done, total: job.report(int(100 * done / max(total, 1)))
            )

        self.verifying = operations.change(
            work,
            self._verified,
            parent=self,
            message=self.result,
            progress=self.progress,
            busy=[self.verify_button],
        )

    def _verified(self, report: IntegrityReport) -> None:
        if report.ok:
            self.result.show_success(
                tr(
                    "The audit chain is intact ({0} rows checked) and the database is sound."
                ).format(report.chain.rows_checked)
            )
            return
        problems = []
        if not report.chain.ok:
            problems.append(
                tr("The audit chain is broken: the first bad row is #{0} ({1}).").format(
                    report.chain.first_bad_seq, report.chain.reason
                )
            )
        if report.rollback is not None:
            problems.append(
                tr("The audit chain is behind its anchor: {0}.").format(report.rollback)
            )
        if report.untrusted_slots:
            problems.append(
                tr(
                    "{0} sign-in slot(s) in keyring.json do not verify: they were added or "
                    "changed outside Safehold. They are never given the vault's keys, and the "
                    "next change to accounts removes them; check who can write the vault folder."
                ).format(report.untrusted_slots)
            )
        if report.database != "ok":
            problems.append(tr("The database check failed: {0}").format(report.database))
        self.result.setText(" ".join(problems))
