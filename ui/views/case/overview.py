"""The Overview section: the person and the case, and the closure dialog."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLayout,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from casework import places
from casework.application.desk import Desk
from casework.application.types import CaseDetail, OpenWork
from casework.model.vocab import (
    CaseStatus,
    ClosureDecision,
    ClosureReason,
    Vocabulary,
)
from ui import operations
from ui.flow import FlowLayout
from ui.pickers import reader_language
from ui.views.admit import AdmitDialog
from ui.views.case.common import tr
from ui.views.case.correction import CorrectionDialog
from ui.views.case_supervision import ErasureDialog, confirm_erasure
from ui.views.printouts import ReportDialog
from ui.views.tab import Saving, Tab
from ui.widgets import date_edit, to_date, vocab


class OverviewTab(Tab):
    erased = Signal()  # the person was forgotten: this case no longer exists
    shown = Signal(object)  # the CaseDetail now shown (the case's header follows it)

    def __init__(self, workspace: Desk, detail: CaseDetail) -> None:
        super().__init__(workspace, detail.case_id)
        self.detail = detail
        self.layout_ = QVBoxLayout(self)
        self.scroller = QScrollArea()  # the whole record, at any window height
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body = QWidget()
        self.layout_.addWidget(self.scroller, 1)
        self.layout_.addWidget(self.message)
        self.reload()

    def reload(self) -> None:
        detail = self.detail
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        unknown = tr("Not recorded")

        def day(value: date | None) -> str:
            return value.isoformat() if value else unknown

        if detail.birth_date:
            birth = detail.birth_date.isoformat()
        elif detail.estimated_age is not None:
            birth = tr("about {0} years old").format(detail.estimated_age)
        else:
            birth = unknown
        status = vocab(detail.status.label)
        if detail.closure_reason:
            status += " — " + vocab(detail.closure_reason.label)
        if detail.follow_up_date:
            status += " — " + tr("follow up by {0}").format(detail.follow_up_date.isoformat())

        def labels(members: tuple[Vocabulary, ...] | Vocabulary | None) -> str:
            if members is None:
                return unknown
            if isinstance(members, Vocabulary):
                return vocab(members.label)
            return ", ".join(vocab(m.label) for m in members) or unknown

        def names(codes: tuple[str, ...], of: Callable[[str, str], str]) -> str:
            return ", ".join(of(code, reader_language()) for code in codes if code) or unknown

        types = labels(detail.exploitation_types)
        children = detail.number_of_children
        age = detail.age_when_trafficked
        groups = (
            (
                tr("Person"),
                "first_name",
                (
                    (tr("Name"), detail.full_name),
                    (tr("Aliases"), ", ".join(detail.aliases) or unknown),
                    (tr("Birth"), birth),
                    (tr("Gender"), vocab(detail.gender.label)),
                    (tr("Citizenship"), names(detail.citizenship, places.country_name)),
                    (tr("Languages"), names(detail.languages, places.language_name)),
                    (tr("Number of children"), unknown if children is None else str(children)),
                    (tr("Highest level of education"), labels(detail.education_level)),
                ),
            ),
            (
                tr("Contact"),
                "phone",
                (
                    (tr("Safe to contact"), detail.safe_contact_note or unknown),
                    (tr("Phone"), detail.phone or unknown),
                    (tr("Email"), detail.email or unknown),
                ),
            ),
            (
                tr("Case"),
                "intake_date",
                (
                    (tr("Status"), status),
                    (tr("Caseworker"), detail.caseworker or unknown),
                    (tr("Intake date"), detail.intake_date.isoformat()),
                    (tr("Risk"), vocab(detail.risk_level.label)),
                    (tr("Trafficking status"), vocab(detail.trafficking_status.label)),
                    (tr("Exploitation"), types),
                    (tr("Province or state"), detail.province or unknown),
                    (
                        tr("Country of exploitation"),
                        names((detail.country_of_exploitation,), places.country_name),
                    ),
                    (tr("Referred by"), detail.referring_organisation or unknown),
                    (tr("Referred on"), day(detail.incoming_referral_date)),
                    (tr("Method of recruitment"), labels(detail.recruitment_methods)),
                    (tr("Methods of control"), labels(detail.methods_of_control)),
                    (tr("Relationship to trafficker"), labels(detail.relationship_to_trafficker)),
                    (tr("Forced labour industry"), labels(detail.forced_labour_industry)),
                    (tr("Age when trafficked"), str(age) if age is not None else unknown),
                    (tr("Immigration status notes"), detail.immigration_notes or unknown),
                    (tr("Other details"), detail.other_details or unknown),
                    (tr("Last contact"), day(detail.last_contact_date)),
                ),
            ),
        )
        self.edit_buttons: list[QPushButton] = []
        for title, first_field, rows in groups:
            group = QGroupBox(title)
            form = QFormLayout(group)
            for label, value in rows:
                field = QLabel(value)
                field.setWordWrap(True)
                field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                form.addRow(label, field)
            edit = QPushButton(tr("Correct…"))
            edit.setObjectName("correctRecord")
            edit.setToolTip(tr("Correct or update this part of the record"))
            edit.clicked.connect(lambda _checked=False, f=first_field: self.correct(f))
            edit_row = QHBoxLayout()
            edit_row.addStretch(1)
            edit_row.addWidget(edit)
            form.addRow(edit_row)
            self.edit_buttons.append(edit)
            layout.addWidget(group)
        layout.addLayout(self._actions())
        layout.addStretch(1)
        position = self.scroller.verticalScrollBar().value()
        self.scroller.setWidget(body)  # the former body is deleted
        self.scroller.verticalScrollBar().setValue(position)
        self.body = body
        self.shown.emit(detail)

    def correct(self, focus: str = "first_name") -> CorrectionDialog:
        """The record's fields to correct, the cursor in ``focus``; once saved, the case shows
        them everywhere (``changed``)."""
        dialog = CorrectionDialog(self.workspace, self.detail, focus, self)
        dialog.corrected.connect(self._corrected)
        dialog.open()
        self.correction = dialog
        return dialog

    def _corrected(self, detail: CaseDetail) -> None:
        self.detail = detail
        self.reload()
        self.changed.emit()

    def _actions(self) -> QVBoxLayout:
        column = QVBoxLayout()
        row = FlowLayout()  # wraps onto a second line rather than cut the last ones off
        detail = self.detail
        actor = self.workspace.actor
        pending = [
            r
            for r in self.workspace.cases.closure_requests(self.case_id)
            if r.decision == ClosureDecision.PENDING
        ]
        if pending:
            # The request, the caseworker's words with it, and what can be done about it; the
            # case's other actions stay (printing, reassigning, asking to forget).
            request = pending[0]
            banner = QHBoxLayout()
            column.addLayout(banner)
            text = tr("Closure requested by {0} on {1}: {2}").format(
                request.requested_by,
                request.requested_at.astimezone().date().isoformat(),
                vocab(request.reason.label),
            )
            if request.comment:
                text += " — " + tr("“{0}”").format(request.comment)
            waiting = QLabel(text)
            waiting.setObjectName("infoText")
            waiting.setWordWrap(True)
            self.closure_banner = waiting
            banner.addWidget(waiting, 1)
            if actor.sees_all_cases:
                approve = QPushButton(tr("Approve closure…"))
                approve.setObjectName("approveClosure")
                reject = QPushButton(tr("Reject…"))
                reject.setObjectName("rejectClosure")
                approve.clicked.connect(lambda: self.approve(request.request_id))
                reject.clicked.connect(lambda: self.reject(request.request_id))
                banner.addWidget(approve)
                banner.addWidget(reject)
            if request.requested_by_id == actor.user_id or actor.sees_all_cases:
                withdraw = QPushButton(tr("Withdraw the request"))
                withdraw.setObjectName("withdrawClosure")
                withdraw.clicked.connect(lambda: self.withdraw(request.request_id))
                banner.addWidget(withdraw)
        elif detail.status in (CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP):
            follow = QPushButton(
                tr("Back to active")
                if detail.status == CaseStatus.FOLLOW_UP
                else tr("Move to follow-up…")
            )
            follow.clicked.connect(self.toggle_follow_up)
            close = QPushButton(tr("Request closure…"))
            close.setObjectName("requestClosure")
            close.clicked.connect(self.request_closure)
            row.addWidget(follow)
            row.addWidget(close)
            if self.workspace.cases.open_work(self.case_id).in_shelter_since is None:
                admit = QPushButton(tr("Admit to a bed…"))
                admit.setObjectName("admitFromCase")
                admit.setToolTip(tr("Admit this person to a free shelter bed"))
                admit.clicked.connect(lambda: self.admit())
                row.addWidget(admit)
        else:
            reopen = QPushButton(tr("Reopen…"))
            reopen.clicked.connect(self.reopen)
            row.addWidget(reopen)
        if actor.sees_all_cases:
            reassign = QPushButton(tr("Reassign…"))
            reassign.clicked.connect(self.reassign)
            row.addWidget(reassign)
        self._erasure_actions(row)
        print_file = QPushButton(tr("Print the case file…"))
        print_file.setObjectName("printCaseFile")
        print_file.clicked.connect(lambda: self.print_case_file())
        row.addWidget(print_file)
        column.addLayout(row)
        return column

    def admit(self) -> AdmitDialog:
        """Admit this person to a free bed, with the date; the case's sections follow."""
        shown = f"{self.detail.full_name} · {self.detail.reference}"
        dialog = AdmitDialog(self.workspace, (self.case_id, shown), parent=self)
        dialog.admitted.connect(lambda _case_id: self._admitted())
        dialog.open()
        self.admit_dialog = dialog
        return dialog

    def _admitted(self) -> None:
        self.changed.emit()  # the sections, this one too, read again through ui.changes

    def print_case_file(self) -> ReportDialog:
        dialog = ReportDialog(self.workspace, self.case_id, self.detail.reference, self)
        dialog.open()
        return dialog

    def _erasure_actions(self, row: QLayout) -> None:
        waiting = self.workspace.supervision.erasure_requests(
            pending_only=True, case_id=self.case_id
        )
        if not waiting:
            forget = QPushButton(tr("Ask to forget this person…"))
            forget.setObjectName("requestErasure")
            forget.clicked.connect(lambda: self.request_erasure())
            row.addWidget(forget)
            return
        request = waiting[0]
        label = QLabel(tr("Erasure requested by {0}").format(request.requested_by))
        label.setObjectName("infoText")
        row.addWidget(label)
        if self.workspace.actor.sees_all_cases:
            approve = QPushButton(tr("Approve erasure"))
            approve.setObjectName("approveErasure")
            reject = QPushButton(tr("Reject erasure…"))
            reject.setObjectName("rejectErasure")
            approve.clicked.connect(lambda: self.approve_erasure(request.request_id))
            reject.clicked.connect(lambda: self.reject_erasure(request.request_id))
            row.addWidget(approve)
            row.addWidget(reject)

    def request_erasure(self, reason: str | None = None) -> Saving | None:
        if reason is None:
            dialog = ErasureDialog(self)
            if not dialog.exec():
                return None
            reason = dialog.reason.toPlainText()
        supervision, case_id, text = self.workspace.supervision, self.case_id, reason
        return self.submit(lambda: supervision.request_erasure(case_id, text))

    def approve_erasure(self, request_id: str, confirmed: bool = False) -> Saving | None:
        """Erase the person for good, after a last confirmation; the case closes (nothing of
        it is read again: ``erased`` is told instead of the tab reloading)."""
        if not confirmed and not confirm_erasure(self):
            return None
        supervision = self.workspace.supervision
        return operations.change(
            lambda _job: supervision.decide_erasure(request_id, True, ""),
            lambda _result: self.erased.emit(),
            parent=self,
            message=self.message,
        )

    def reject_erasure(self, request_id: str) -> Saving | None:
        comment, ok = QInputDialog.getMultiLineText(
            self, tr("Reject erasure"), tr("Why, for the caseworker:")
        )
        if not ok:
            return None
        supervision = self.workspace.supervision
        return self.submit(lambda: supervision.decide_erasure(request_id, False, comment))

    def refresh(self) -> None:
        self.detail = self.workspace.cases.open(self.case_id)
        self.reload()

    def after_change(self) -> None:
        self.refresh()

    def toggle_follow_up(self) -> Saving | None:
        cases, case_id = self.workspace.cases, self.case_id
        if self.detail.status == CaseStatus.FOLLOW_UP:
            return self.submit(lambda: cases.set_follow_up(case_id, False))
        dialog = QDialog(self)
        dialog.setWindowTitle(tr("Move to follow-up"))
        when = date_edit(self.workspace.clock.today())
        form = QFormLayout(dialog)
        form.addRow(tr("Follow up by"), when)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        form.addRow(buttons)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        if not dialog.exec():
            return None
        by = to_date(when)
        return self.submit(lambda: cases.set_follow_up(case_id, True, by))

    def request_closure(self) -> Saving | None:
        dialog = ClosureDialog(self, self.workspace.cases.open_work(self.case_id))
        if not dialog.exec():
            return None
        cases, case_id = self.workspace.cases, self.case_id
        reason, comment, referred = (
            dialog.reason.currentData(),
            dialog.comment.toPlainText(),
            dialog.referred.isChecked(),
        )
        return self.submit(lambda: cases.request_closure(case_id, reason, comment, referred))

    def decide(self, request_id: str, approve: bool, comment: str, tidy: bool = False) -> Saving:
        cases = self.workspace.cases
        return self.submit(lambda: cases.decide_closure(request_id, approve, comment, tidy))

    def approve(self, request_id: str) -> ApproveClosureDialog:
        """Approve, seeing first what is still open on the case and closing it with it."""
        dialog = self.approval = ApproveClosureDialog(
            self.workspace.cases.open_work(self.case_id), self
        )
        dialog.accepted.connect(lambda: self.decide(request_id, True, "", dialog.tidy.isChecked()))
        dialog.open()
        return dialog

    def withdraw(self, request_id: str) -> Saving:
        cases = self.workspace.cases
        return self.submit(lambda: cases.withdraw_closure(request_id))

    def reject(self, request_id: str) -> Saving | None:
        comment, ok = QInputDialog.getMultiLineText(
            self, tr("Reject closure"), tr("Why, for the caseworker:")
        )
        return self.decide(request_id, False, comment) if ok else None

    def reopen(self) -> Saving | None:
        comment, ok = QInputDialog.getMultiLineText(
            self, tr("Reopen the case"), tr("Why is it reopened?")
        )
        if not ok:
            return None
        cases, case_id = self.workspace.cases, self.case_id
        return self.submit(lambda: cases.reopen(case_id, comment))

    def reassign(self) -> Saving | None:
        workers = self.workspace.cases.caseworkers()
        names = [name for _id, name in workers]
        if not names:
            return None
        name, ok = QInputDialog.getItem(self, tr("Reassign"), tr("Caseworker:"), names, 0, False)
        if not ok:
            return None
        reason, ok = QInputDialog.getText(self, tr("Reassign"), tr("Reason (kept in the history):"))
        if not ok:
            return None
        worker_id = workers[names.index(name)][0]
        cases, case_id = self.workspace.cases, self.case_id
        return self.submit(lambda: cases.reassign(case_id, worker_id, reason))


class ClosureDialog(QDialog):
    """Asking a supervisor to close the case; what is still open on it is said first."""

    def __init__(self, parent: QWidget | None = None, work: OpenWork | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Request closure"))
        self.reason = QComboBox()
        for reason in ClosureReason:
            self.reason.addItem(vocab(reason.label), reason)
        self.referred = QCheckBox(tr("Closed because referred to another organisation"))
        self.comment = QPlainTextEdit()
        self.comment.setMaximumHeight(80)
        form = QFormLayout(self)
        form.addRow(tr("Reason"), self.reason)
        form.addRow("", self.referred)
        form.addRow(tr("Comment"), self.comment)
        form.addRow(QLabel(tr("A supervisor approves the closure before the case closes.")))
        self.open_work = QLabel()
        self.open_work.setObjectName("openWork")
        self.open_work.setWordWrap(True)
        if work is not None and work.any:
            self.open_work.setText(
                open_work_text(work)
                + " "
                + tr("The supervisor who approves can close them with the case.")
            )
            form.addRow(self.open_work)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        form.addRow(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)


def open_work_text(work: OpenWork) -> str:
    """What is still open on a case, in a sentence ("" when nothing is)."""
    parts = []
    if work.in_shelter_since is not None:
        parts.append(tr("in a shelter bed since {0}").format(work.in_shelter_since.isoformat()))
    if work.open_tasks:
        parts.append(
            tr("1 open task")
            if work.open_tasks == 1
            else tr("{0} open tasks").format(work.open_tasks)
        )
    if work.pending_referrals:
        parts.append(
            tr("1 pending referral")
            if work.pending_referrals == 1
            else tr("{0} pending referrals").format(work.pending_referrals)
        )
    return tr("Still open: {0}.").format("; ".join(parts)) if parts else ""


class ApproveClosureDialog(QDialog):
    """Approving a closure: what is still open on the case, and closing it with the case
    (ticked: a closed case should leave nobody counted in a bed, nothing pending)."""

    def __init__(self, work: OpenWork, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Approve closure"))
        layout = QVBoxLayout(self)
        intro = QLabel(tr("The case will close."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.open_work = QLabel(open_work_text(work))
        self.open_work.setObjectName("openWork")
        self.open_work.setWordWrap(True)
        self.open_work.setVisible(work.any)
        layout.addWidget(self.open_work)
        self.tidy = QCheckBox(
            tr(
                "Also discharge from the shelter, cancel the open tasks and withdraw the "
                "pending referrals"
            )
        )
        self.tidy.setObjectName("tidyOnClosure")
        self.tidy.setChecked(work.any)
        self.tidy.setVisible(work.any)
        layout.addWidget(self.tidy)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.approve_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.approve_button.setText(tr("Approve closure"))
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
