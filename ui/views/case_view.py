"""One case: the person and the case on the Overview tab, then notes, tasks, consent and
history. Every change goes through the workspace's services and reloads the tab."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from casework.application.types import CaseDetail, ConsentMissing, EventKind
from casework.errors import CaseworkError
from casework.model.vocab import (
    Attendance,
    CaseStatus,
    ClosureDecision,
    ClosureReason,
    Confidentiality,
    ConsentKind,
    LegalMatterKind,
    LegalStatus,
    Modality,
    ReferralStatus,
    ReleaseField,
    ServiceCategory,
    SessionKind,
)
from ui import jobs
from ui.messages import attempt, error_text
from ui.views.attachment_viewer import AttachmentViewer
from ui.views.case_supervision import ErasureDialog, ReviewsTab, confirm_erasure
from ui.views.reports import ReportDialog
from ui.views.tab import Tab
from ui.widgets import busy_bar, date_edit, to_date, vocab


def tr(text: str) -> str:
    return QCoreApplication.translate("CaseView", text)


def table(headers: list[str]) -> QTableWidget:
    widget = QTableWidget(0, len(headers))
    widget.setHorizontalHeaderLabels(headers)
    widget.verticalHeader().hide()
    widget.horizontalHeader().setStretchLastSection(True)
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    widget.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    widget.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    return widget


def fill_table(widget: QTableWidget, rows: list[list[str]], keys: list[str]) -> None:
    widget.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            if c == 0:
                item.setData(256, keys[r])
            widget.setItem(r, c, item)
    widget.resizeColumnsToContents()


def selected_key(widget: QTableWidget) -> str | None:
    item = widget.item(widget.currentRow(), 0) if widget.currentRow() >= 0 else None
    return item.data(256) if item is not None else None


class OverviewTab(Tab):
    erased = Signal()  # the person was forgotten: this case no longer exists

    def __init__(self, workspace: Desk, detail: CaseDetail) -> None:
        super().__init__(workspace, detail.case_id)
        self.detail = detail
        self.layout_ = QVBoxLayout(self)
        self.body = QWidget()
        self.layout_.addWidget(self.body)
        self.layout_.addWidget(self.message)
        self.layout_.addStretch(1)
        self.reload()

    def reload(self) -> None:
        detail = self.detail
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        unknown = tr("Not recorded")
        person = QGroupBox(tr("Person"))
        form = QFormLayout(person)
        if detail.birth_date:
            birth = detail.birth_date.isoformat()
        elif detail.estimated_age is not None:
            birth = tr("about {0} years old").format(detail.estimated_age)
        else:
            birth = unknown
        for label, value in (
            (tr("Aliases"), ", ".join(detail.aliases) or unknown),
            (tr("Birth"), birth),
            (tr("Gender"), vocab(detail.gender.label)),
            (tr("Citizenship"), ", ".join(detail.citizenship) or unknown),
            (tr("Languages"), ", ".join(detail.languages) or unknown),
            (tr("Phone"), detail.phone or unknown),
            (tr("Email"), detail.email or unknown),
            (tr("Safe to contact"), detail.safe_contact_note or unknown),
        ):
            field = QLabel(value)
            field.setWordWrap(True)
            form.addRow(label, field)
        case = QGroupBox(tr("Case"))
        case_form = QFormLayout(case)
        status = vocab(detail.status.label)
        if detail.closure_reason:
            status += " — " + vocab(detail.closure_reason.label)
        if detail.follow_up_date:
            status += " — " + tr("follow up by {0}").format(detail.follow_up_date.isoformat())
        types = ", ".join(vocab(e.label) for e in detail.exploitation_types) or unknown
        for label, value in (
            (tr("Status"), status),
            (tr("Caseworker"), detail.caseworker or unknown),
            (tr("Risk"), vocab(detail.risk_level.label)),
            (tr("Trafficking status"), vocab(detail.trafficking_status.label)),
            (tr("Exploitation"), types),
            (
                tr("Last contact"),
                detail.last_contact_date.isoformat() if detail.last_contact_date else unknown,
            ),
        ):
            field = QLabel(value)
            field.setWordWrap(True)
            case_form.addRow(label, field)
        layout.addWidget(person)
        layout.addWidget(case)
        layout.addLayout(self._actions())
        self.layout_.replaceWidget(self.body, body)
        self.body.deleteLater()
        self.body = body

    def _actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        detail = self.detail
        actor = self.workspace.actor
        pending = [
            r
            for r in self.workspace.closure_requests(self.case_id)
            if r.decision == ClosureDecision.PENDING
        ]
        if pending:
            request = pending[0]
            waiting = QLabel(
                tr("Closure requested by {0}: {1}").format(
                    request.requested_by, vocab(request.reason.label)
                )
            )
            waiting.setObjectName("infoText")
            waiting.setWordWrap(True)
            row.addWidget(waiting, 1)
            if actor.sees_all_cases:
                approve = QPushButton(tr("Approve closure"))
                approve.setObjectName("approveClosure")
                reject = QPushButton(tr("Reject…"))
                reject.setObjectName("rejectClosure")
                approve.clicked.connect(lambda: self.decide(request.request_id, True, ""))
                reject.clicked.connect(lambda: self.reject(request.request_id))
                row.addWidget(approve)
                row.addWidget(reject)
            return row
        if detail.status in (CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP):
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
        else:
            reopen = QPushButton(tr("Reopen…"))
            reopen.clicked.connect(self.reopen)
            row.addWidget(reopen)
        if actor.sees_all_cases:
            reassign = QPushButton(tr("Reassign…"))
            reassign.clicked.connect(self.reassign)
            row.addWidget(reassign)
        self._erasure_actions(row)
        row.addStretch(1)
        print_file = QPushButton(tr("Print the case file…"))
        print_file.setObjectName("printCaseFile")
        print_file.clicked.connect(lambda: self.print_case_file())
        row.addWidget(print_file)
        return row

    def print_case_file(self) -> ReportDialog:
        dialog = ReportDialog(self.workspace, self.case_id, self.detail.reference, self)
        dialog.open()
        return dialog

    def _erasure_actions(self, row: QHBoxLayout) -> None:
        waiting = self.workspace.erasure_requests(pending_only=True, case_id=self.case_id)
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

    def request_erasure(self, reason: str | None = None) -> bool:
        if reason is None:
            dialog = ErasureDialog(self)
            if not dialog.exec():
                return False
            reason = dialog.reason.toPlainText()
        text = reason
        return self.attempt(lambda: self.workspace.request_erasure(self.case_id, text))

    def approve_erasure(self, request_id: str, confirmed: bool = False) -> bool:
        """Erase the person for good, after a last confirmation; the case closes."""
        if not confirmed and not confirm_erasure(self):
            return False
        if not attempt(lambda: self.workspace.decide_erasure(request_id, True, ""), self.message):
            return False
        self.erased.emit()
        return True

    def reject_erasure(self, request_id: str) -> None:
        comment, ok = QInputDialog.getMultiLineText(
            self, tr("Reject erasure"), tr("Why, for the caseworker:")
        )
        if ok:
            self.attempt(lambda: self.workspace.decide_erasure(request_id, False, comment))

    def refresh(self) -> None:
        self.detail = self.workspace.open_case(self.case_id)
        self.reload()

    def after_change(self) -> None:
        self.refresh()

    def toggle_follow_up(self) -> None:
        if self.detail.status == CaseStatus.FOLLOW_UP:
            self.attempt(lambda: self.workspace.set_follow_up(self.case_id, False))
            return
        dialog = QDialog(self)
        dialog.setWindowTitle(tr("Move to follow-up"))
        when = date_edit(date.today())
        form = QFormLayout(dialog)
        form.addRow(tr("Follow up by"), when)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        form.addRow(buttons)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        if dialog.exec():
            self.attempt(lambda: self.workspace.set_follow_up(self.case_id, True, to_date(when)))

    def request_closure(self) -> None:
        dialog = ClosureDialog(self)
        if dialog.exec():
            self.attempt(
                lambda: self.workspace.request_closure(
                    self.case_id,
                    dialog.reason.currentData(),
                    dialog.comment.toPlainText(),
                    dialog.referred.isChecked(),
                )
            )

    def decide(self, request_id: str, approve: bool, comment: str) -> bool:
        return self.attempt(lambda: self.workspace.decide_closure(request_id, approve, comment))

    def reject(self, request_id: str) -> None:
        comment, ok = QInputDialog.getMultiLineText(
            self, tr("Reject closure"), tr("Why, for the caseworker:")
        )
        if ok:
            self.decide(request_id, False, comment)

    def reopen(self) -> None:
        comment, ok = QInputDialog.getMultiLineText(
            self, tr("Reopen the case"), tr("Why is it reopened?")
        )
        if ok:
            self.attempt(lambda: self.workspace.reopen(self.case_id, comment))

    def reassign(self) -> None:
        workers = self.workspace.caseworkers()
        names = [name for _id, name in workers]
        if not names:
            return
        name, ok = QInputDialog.getItem(self, tr("Reassign"), tr("Caseworker:"), names, 0, False)
        if not ok:
            return
        reason, ok = QInputDialog.getText(self, tr("Reassign"), tr("Reason (kept in the history):"))
        if ok:
            worker_id = workers[names.index(name)][0]
            self.attempt(lambda: self.workspace.reassign(self.case_id, worker_id, reason))


class ClosureDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
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
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        form.addRow(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)


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
        add = QPushButton(tr("Add note"))
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
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        self.notes.clear()
        for note in self.workspace.case_notes(self.case_id):
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

    def add(self) -> None:
        if self.attempt(
            lambda: self.workspace.add_note(
                self.case_id,
                self.body.toPlainText(),
                to_date(self.noted_on),
                self.confidentiality.currentData(),
            )
        ):
            self.body.clear()

    def amend(self) -> None:
        item = self.list.currentItem()
        note_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if note_id is None:
            self.message.setText(tr("Choose a note first."))
            return
        text, ok = QInputDialog.getMultiLineText(
            self, tr("Amend note"), tr("The note as it should read:"), self.notes[note_id]
        )
        if ok:
            self.attempt(lambda: self.workspace.amend_note(note_id, text))


class TasksTab(Tab):
    def __init__(self, workspace: Desk, case_id: str) -> None:
        super().__init__(workspace, case_id)
        self.title = QLineEdit()
        self.title.setObjectName("taskTitle")
        self.title.setPlaceholderText(tr("What needs doing"))
        self.due = date_edit()
        add = QPushButton(tr("Add task"))
        add.setObjectName("addTask")
        done = QPushButton(tr("Mark the selected task done"))
        done.setObjectName("completeTask")
        self.list = table([tr("Due"), tr("Task"), tr("For"), tr("State")])
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.due)
        top.addWidget(add)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.list, 1)
        layout.addWidget(done)
        add.clicked.connect(self.add)
        done.clicked.connect(self.complete)
        self.reload()

    def reload(self) -> None:
        tasks = self.workspace.case_tasks(self.case_id)
        fill_table(
            self.list,
            [[t.due_on.isoformat(), t.title, t.assignee, vocab(t.status.label)] for t in tasks],
            [t.task_id for t in tasks],
        )

    def add(self) -> None:
        if self.attempt(
            lambda: self.workspace.add_task(self.case_id, self.title.text(), to_date(self.due))
        ):
            self.title.clear()

    def complete(self) -> None:
        task_id = selected_key(self.list)
        if task_id is None:
            self.message.setText(tr("Choose a task first."))
            return
        self.attempt(lambda: self.workspace.complete_task(task_id))


class ConsentTab(Tab):
    def __init__(self, workspace: Desk, case_id: str) -> None:
        super().__init__(workspace, case_id)
        self.kind = QComboBox()
        self.kind.setObjectName("consentKind")
        for kind in ConsentKind:
            self.kind.addItem(vocab(kind.label), kind)
        self.given = date_edit()
        self.has_expiry = QCheckBox(tr("Expires on"))
        self.expires = date_edit()
        self.expires.setEnabled(False)
        self.partner = QLineEdit()
        self.partner.setObjectName("consentPartner")
        self.purpose = QLineEdit()
        self.purpose.setObjectName("consentPurpose")
        self.covers = {field: QCheckBox(vocab(field.label)) for field in ReleaseField}
        self.covers[ReleaseField.IDENTITY].setChecked(True)
        record = QPushButton(tr("Record consent"))
        record.setObjectName("recordConsent")
        withdraw = QPushButton(tr("Withdraw the selected consent"))
        self.list = table([tr("Consent"), tr("Partner"), tr("Given"), tr("Expires"), tr("State")])
        form = QFormLayout()
        form.addRow(tr("Kind"), self.kind)
        form.addRow(tr("Given on"), self.given)
        expiry = QHBoxLayout()
        expiry.addWidget(self.has_expiry)
        expiry.addWidget(self.expires, 1)
        form.addRow("", expiry)
        form.addRow(tr("Partner organisation"), self.partner)
        form.addRow(tr("Purpose"), self.purpose)
        covers = QVBoxLayout()
        for box in self.covers.values():
            covers.addWidget(box)
        form.addRow(tr("A release covers"), covers)
        hint = QLabel(tr("A release of information without an expiry lasts 90 days."))
        hint.setObjectName("subtitle")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(record)
        layout.addWidget(self.message)
        layout.addWidget(self.list, 1)
        layout.addWidget(withdraw)
        self.has_expiry.toggled.connect(self.expires.setEnabled)
        record.clicked.connect(self.record)
        withdraw.clicked.connect(self.withdraw)
        self.reload()

    def reload(self) -> None:
        today = date.today()
        consents = self.workspace.consents(self.case_id)
        rows = []
        for c in consents:
            if c.withdrawn_on:
                state = tr("Withdrawn {0}").format(c.withdrawn_on.isoformat())
            elif c.valid_on(today):
                state = tr("Valid")
            else:
                state = tr("Expired")
            rows.append(
                [
                    vocab(c.kind.label),
                    c.partner_organisation,
                    c.given_on.isoformat(),
                    c.expires_on.isoformat() if c.expires_on else "",
                    state,
                ]
            )
        fill_table(self.list, rows, [c.consent_id for c in consents])

    def record(self) -> None:
        expires = to_date(self.expires) if self.has_expiry.isChecked() else None
        if self.attempt(
            lambda: self.workspace.record_consent(
                self.case_id,
                self.kind.currentData(),
                to_date(self.given),
                expires,
                self.partner.text(),
                self.purpose.text(),
                tuple(f for f, box in self.covers.items() if box.isChecked()),
            )
        ):
            self.partner.clear()
            self.purpose.clear()

    def prepare_release(self, partner: str) -> None:
        """Called when a referral was refused: the form is set for a release to that partner."""
        self.kind.setCurrentIndex(list(ConsentKind).index(ConsentKind.RELEASE))
        self.partner.setText(partner)
        self.purpose.setFocus()

    def withdraw(self) -> None:
        consent_id = selected_key(self.list)
        if consent_id is None:
            self.message.setText(tr("Choose a consent record first."))
            return
        self.attempt(lambda: self.workspace.withdraw_consent(self.case_id, consent_id))


class ReferralsTab(Tab):
    consent_needed = Signal(str)  # the partner's name

    def __init__(self, workspace: Desk, case_id: str) -> None:
        super().__init__(workspace, case_id)
        self.partner = QComboBox()
        self.partner.setObjectName("referralPartner")
        for partner in workspace.partners():
            self.partner.addItem(partner.name, partner.partner_id)
        self.category = QComboBox()
        for category in ServiceCategory:
            self.category.addItem(vocab(category.label), category)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(tr("What the survivor needs from them"))
        send = QPushButton(tr("Refer"))
        send.setObjectName("sendReferral")
        self.record_consent = QPushButton(tr("Record the release of information…"))
        self.record_consent.hide()
        self.list = table([tr("Date"), tr("To"), tr("Service"), tr("Status"), tr("Follow up")])
        accept = QPushButton(tr("Accepted"))
        decline = QPushButton(tr("Declined…"))
        complete = QPushButton(tr("Completed"))
        self.packet = QPushButton(tr("Save the referral packet (PDF)…"))
        self.packet.setObjectName("savePacket")
        form = QFormLayout()
        form.addRow(tr("Organisation"), self.partner)
        form.addRow(tr("Service"), self.category)
        form.addRow(tr("Reason"), self.reason)
        actions = QHBoxLayout()
        for button in (accept, decline, complete):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.packet)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(send)
        layout.addWidget(self.message)
        layout.addWidget(self.record_consent)
        layout.addWidget(self.list, 1)
        layout.addLayout(actions)
        self.busy = busy_bar()
        layout.addWidget(self.busy)
        send.clicked.connect(self.send)
        self.record_consent.clicked.connect(
            lambda: self.consent_needed.emit(self.partner.currentText())
        )
        accept.clicked.connect(lambda: self.set_status(ReferralStatus.ACCEPTED))
        decline.clicked.connect(self.decline)
        complete.clicked.connect(lambda: self.set_status(ReferralStatus.COMPLETED))
        self.packet.clicked.connect(lambda: self.save_packet())
        self.reload()

    def reload(self) -> None:
        rows = self.workspace.case_referrals(self.case_id)
        fill_table(
            self.list,
            [
                [
                    r.referred_on.isoformat(),
                    r.partner,
                    vocab(r.category.label),
                    vocab(r.status.label),
                    r.follow_up_on.isoformat() if r.follow_up_on else "",
                ]
                for r in rows
            ],
            [r.referral_id for r in rows],
        )

    def send(self) -> None:
        partner_id = self.partner.currentData()
        if partner_id is None:
            self.message.setText(tr("No partner organisations yet: a supervisor adds them."))
            return
        try:
            self.workspace.send_referral(
                self.case_id, partner_id, self.category.currentData(), self.reason.text()
            )
        except ConsentMissing as refused:
            self.message.setText(error_text(refused))
            self.record_consent.show()
            return
        except CaseworkError as error:
            self.message.setText(error_text(error))
            return
        self.message.clear()
        self.record_consent.hide()
        self.reason.clear()
        self.reload()
        self.changed.emit()

    def set_status(self, status: ReferralStatus, note: str = "") -> None:
        referral_id = selected_key(self.list)
        if referral_id is None:
            self.message.setText(tr("Choose a referral first."))
            return
        self.attempt(lambda: self.workspace.update_referral(referral_id, status, note))

    def decline(self) -> None:
        note, ok = QInputDialog.getText(self, tr("Declined"), tr("Why did they decline?"))
        if ok:
            self.set_status(ReferralStatus.DECLINED, note)

    def save_packet(self, path: str | None = None) -> None:
        """Build the PDF off the UI thread, then write it only where the user chooses."""
        referral_id = selected_key(self.list)
        if referral_id is None:
            self.message.setText(tr("Choose a referral first."))
            return
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, tr("Save the referral packet"), "", tr("PDF (*.pdf)")
            )
            if not path:
                return
        target = Path(path)
        workspace = self.workspace
        self.busy.show()
        self.packet.setEnabled(False)

        def build(_job: object) -> Path:
            from casework.reporting.pdf import save

            save(workspace.referral_packet_pdf(referral_id), target)
            return target

        def done(saved: Path) -> None:
            self.busy.hide()
            self.packet.setEnabled(True)
            self.message.setText(tr("Saved {0}.").format(saved.name))
            self.saved_packet = saved

        def failed(error: BaseException) -> None:
            self.busy.hide()
            self.packet.setEnabled(True)
            self.message.setText(error_text(error))

        jobs.start(build, done, failed, parent=self)


class CounselingTab(Tab):
    def __init__(self, workspace: Desk, case_id: str) -> None:
        super().__init__(workspace, case_id)
        self.held_on = date_edit(latest=date.today())
        self.minutes = QSpinBox()
        self.minutes.setRange(5, 480)
        self.minutes.setValue(50)
        self.minutes.setSuffix(tr(" min"))
        self.kind = QComboBox()
        for kind in SessionKind:
            self.kind.addItem(vocab(kind.label), kind)
        self.modality = QComboBox()
        for modality in Modality:
            self.modality.addItem(vocab(modality.label), modality)
        self.attendance = QComboBox()
        for attendance in Attendance:
            self.attendance.addItem(vocab(attendance.label), attendance)
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("sessionNotes")
        self.notes.setMaximumHeight(80)
        self.notes.setPlaceholderText(
            tr("Session notes: only you and supervisors will be able to read them")
        )
        record = QPushButton(tr("Record the session"))
        record.setObjectName("recordSession")
        row = QHBoxLayout()
        for widget in (self.held_on, self.minutes, self.kind, self.modality, self.attendance):
            row.addWidget(widget)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.notes)
        layout.addWidget(record)
        layout.addWidget(self.message)
        layout.addWidget(self.list, 1)
        record.clicked.connect(self.record)
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        for item in self.workspace.counseling_sessions(self.case_id):
            head = (
                f"{item.held_on.isoformat()} · {vocab(item.kind.label)} · "
                f"{vocab(item.modality.label)} · {item.duration_minutes} min · "
                f"{vocab(item.attendance.label)} · {item.counselor}"
            )
            body = (
                tr("(notes visible to the counselor and supervisors only)")
                if item.notes_hidden
                else item.notes
            )
            self.list.addItem(f"{head}\n{body}" if body else head)

    def record(self) -> None:
        if self.attempt(
            lambda: self.workspace.record_session(
                self.case_id,
                to_date(self.held_on),
                self.minutes.value(),
                self.kind.currentData(),
                self.modality.currentData(),
                self.attendance.currentData(),
                self.notes.toPlainText(),
            )
        ):
            self.notes.clear()


class LegalTab(Tab):
    def __init__(self, workspace: Desk, case_id: str) -> None:
        super().__init__(workspace, case_id)
        self.kind = QComboBox()
        for kind in LegalMatterKind:
            self.kind.addItem(vocab(kind.label), kind)
        self.lawyer = QLineEdit()
        self.lawyer.setPlaceholderText(tr("Lawyer or legal organisation"))
        open_button = QPushButton(tr("Open a legal matter"))
        open_button.setObjectName("openMatter")
        self.matters = QComboBox()
        self.matters.setObjectName("matters")
        self.when = QDateTimeEdit(QDateTime.currentDateTime().addDays(7))
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.place = QLineEdit()
        self.place.setPlaceholderText(tr("Court and room"))
        self.purpose = QLineEdit()
        self.purpose.setPlaceholderText(tr("What the hearing is for"))
        schedule = QPushButton(tr("Add the hearing"))
        schedule.setObjectName("addHearing")
        close = QPushButton(tr("Close the selected matter…"))
        self.view = QTextBrowser()
        top = QHBoxLayout()
        top.addWidget(self.kind)
        top.addWidget(self.lawyer, 1)
        top.addWidget(open_button)
        hearing = QFormLayout()
        hearing.addRow(tr("Matter"), self.matters)
        hearing.addRow(tr("When"), self.when)
        hearing.addRow(tr("Where"), self.place)
        hearing.addRow(tr("Purpose"), self.purpose)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(hearing)
        row = QHBoxLayout()
        row.addWidget(schedule)
        row.addWidget(close)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.view, 1)
        open_button.clicked.connect(self.open_matter)
        schedule.clicked.connect(self.schedule)
        close.clicked.connect(self.close_matter)
        self.reload()

    def reload(self) -> None:
        matters = self.workspace.legal_matters(self.case_id)
        self.matters.clear()
        parts = []
        for matter in matters:
            self.matters.addItem(
                f"{vocab(matter.kind.label)} ({matter.lawyer or '—'})", matter.matter_id
            )
            lines = [
                f"<b>{escape(vocab(matter.kind.label))}</b> — {escape(matter.lawyer or '—')} — "
                f"{escape(vocab(matter.status.label))}"
            ]
            if matter.outcome:
                lines.append(escape(tr("Outcome: {0}").format(matter.outcome)))
            for hearing in matter.hearings:
                when = hearing.starts_at.astimezone().strftime("%Y-%m-%d %H:%M")
                lines.append(
                    f"&nbsp;&nbsp;{when} · {escape(hearing.place)} · {escape(hearing.purpose)}"
                )
            parts.append("<br>".join(lines))
        self.view.setHtml(
            "<p>" + "</p><p>".join(parts) + "</p>" if parts else tr("No legal matters yet.")
        )

    def open_matter(self) -> None:
        if self.attempt(
            lambda: self.workspace.open_matter(
                self.case_id, self.kind.currentData(), self.lawyer.text()
            )
        ):
            self.lawyer.clear()

    def schedule(self) -> None:
        matter_id = self.matters.currentData()
        if matter_id is None:
            self.message.setText(tr("Open a legal matter first."))
            return
        chosen = self.when.dateTime().toPython()
        assert isinstance(chosen, datetime)
        starts_at = chosen.astimezone()
        if self.attempt(
            lambda: self.workspace.schedule_hearing(
                matter_id, starts_at, self.place.text(), self.purpose.text()
            )
        ):
            self.place.clear()
            self.purpose.clear()

    def close_matter(self) -> None:
        matter_id = self.matters.currentData()
        if matter_id is None:
            return
        outcome, ok = QInputDialog.getText(self, tr("Close the matter"), tr("Outcome:"))
        if ok:
            self.attempt(
                lambda: self.workspace.update_matter(matter_id, LegalStatus.CLOSED, outcome)
            )


class TimelineTab(Tab):
    def __init__(self, workspace: Desk, case_id: str) -> None:
        super().__init__(workspace, case_id)
        self.kind = QComboBox()
        self.kind.setObjectName("timelineKind")
        self.kind.addItem(tr("Everything"), None)
        for kind in EventKind:
            self.kind.addItem(tr(kind.value.capitalize()), frozenset({kind}))
        self.list = QListWidget()
        self.list.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.kind)
        layout.addWidget(self.list, 1)
        self.kind.currentIndexChanged.connect(lambda _i: self.reload())
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        for event in self.workspace.timeline(self.case_id, self.kind.currentData()):
            self.list.addItem(f"{event.on.isoformat()}  {event.text}")


class AttachmentsTab(Tab):
    def __init__(self, workspace: Desk, case_id: str) -> None:
        super().__init__(workspace, case_id)
        self.description = QLineEdit()
        self.description.setPlaceholderText(tr("What it is: consent form, identity document…"))
        attach = QPushButton(tr("Attach a file…"))
        attach.setObjectName("attachFile")
        view = QPushButton(tr("View"))
        view.setObjectName("viewAttachment")
        export = QPushButton(tr("Save a copy out…"))
        self.list = table([tr("Added"), tr("What"), tr("Type"), tr("Size")])
        top = QHBoxLayout()
        top.addWidget(self.description, 1)
        top.addWidget(attach)
        actions = QHBoxLayout()
        actions.addWidget(view)
        actions.addStretch(1)
        actions.addWidget(export)
        note = QLabel(tr("Files are kept encrypted in the vault. Saving a copy out is recorded."))
        note.setObjectName("subtitle")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addWidget(self.list, 1)
        layout.addLayout(actions)
        attach.clicked.connect(lambda: self.attach())
        view.clicked.connect(lambda: self.view())
        export.clicked.connect(lambda: self.export())
        self.reload()

    def reload(self) -> None:
        items = self.workspace.case_attachments(self.case_id)
        fill_table(
            self.list,
            [
                [
                    a.added_at.astimezone().strftime("%Y-%m-%d"),
                    a.description or a.filename,
                    a.media_type.split("/")[-1].upper(),
                    f"{a.size / 1024:.0f} KB",
                ]
                for a in items
            ],
            [a.attachment_id for a in items],
        )

    def attach(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self,
                tr("Attach a file"),
                "",
                tr("Documents and photos (*.pdf *.png *.jpg *.jpeg *.gif *.webp)"),
            )
            if not path:
                return False
        chosen = Path(path)
        if self.attempt(
            lambda: self.workspace.attach_file(self.case_id, chosen, self.description.text())
        ):
            self.description.clear()
            return True
        return False

    def view(self) -> AttachmentViewer | None:
        attachment_id = selected_key(self.list)
        if attachment_id is None:
            self.message.setText(tr("Choose an attachment first."))
            return None
        try:
            info, data = self.workspace.open_attachment(attachment_id)
        except CaseworkError as error:
            self.message.setText(error_text(error))
            return None
        viewer = AttachmentViewer(info, data, self)
        viewer.show()
        return viewer

    def export(self, path: str | None = None) -> bool:
        attachment_id = selected_key(self.list)
        if attachment_id is None:
            self.message.setText(tr("Choose an attachment first."))
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, tr("Save a copy out"), "")
            if not path:
                return False
        target = Path(path)
        return self.attempt(lambda: self.workspace.export_attachment(attachment_id, target))


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
        for entry in self.workspace.status_history(self.case_id):
            start = vocab(entry.from_status.label) if entry.from_status else tr("opened")
            when = entry.at.astimezone().strftime("%Y-%m-%d %H:%M")
            line = f"<b>{when}</b> — {start} → {vocab(entry.to_status.label)} ({escape(entry.by)})"
            if entry.comment:
                line += f"<br><i>{escape(entry.comment)}</i>"
            lines.append(line)
        for request in self.workspace.closure_requests(self.case_id, pending_only=False):
            line = tr("Closure requested by {0} ({1}): {2}").format(
                request.requested_by, vocab(request.reason.label), vocab(request.decision.label)
            )
            if request.decision_comment:
                line += f" — <i>{escape(request.decision_comment)}</i>"
            lines.append(line)
        for erasure in self.workspace.erasure_requests(pending_only=False, case_id=self.case_id):
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
        self.view.setHtml("<p>" + "</p><p>".join(lines) + "</p>")


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class CaseView(QWidget):
    changed = Signal()
    erased = Signal()

    def __init__(self, workspace: Desk, detail: CaseDetail, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case_id = detail.case_id
        title = QLabel(detail.full_name)
        title.setObjectName("pageTitle")
        subtitle = QLabel(
            tr("Case {0} · {1} · opened {2}").format(
                detail.reference, vocab(detail.status.label), detail.intake_date.isoformat()
            )
        )
        subtitle.setObjectName("subtitle")
        self.tabs = QTabWidget()
        self.overview = OverviewTab(workspace, detail)
        self.notes = NotesTab(workspace, detail.case_id)
        self.tasks = TasksTab(workspace, detail.case_id)
        self.consent = ConsentTab(workspace, detail.case_id)
        self.history = HistoryTab(workspace, detail.case_id)
        self.referrals = ReferralsTab(workspace, detail.case_id)
        self.counseling = CounselingTab(workspace, detail.case_id)
        self.legal = LegalTab(workspace, detail.case_id)
        self.timeline = TimelineTab(workspace, detail.case_id)
        self.attachments = AttachmentsTab(workspace, detail.case_id)
        self.reviews = ReviewsTab(workspace, detail.case_id)
        self.referrals.consent_needed.connect(self._record_release)
        for tab, label in (
            (self.overview, tr("Overview")),
            (self.notes, tr("Notes")),
            (self.tasks, tr("Tasks")),
            (self.consent, tr("Consent")),
            (self.referrals, tr("Referrals")),
            (self.counseling, tr("Counseling")),
            (self.legal, tr("Legal")),
            (self.attachments, tr("Attachments")),
            (self.timeline, tr("Timeline")),
            (self.reviews, tr("Reviews")),
            (self.history, tr("History")),
        ):
            self.tabs.addTab(tab, label)
            tab.changed.connect(self.changed)
            tab.changed.connect(self.timeline.reload)
        self.overview.changed.connect(self.history.reload)
        self.reviews.changed.connect(self.overview.refresh)
        self.overview.erased.connect(self.erased)
        self.notes.changed.connect(self.overview.refresh)  # last contact moves with new notes
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        header = QHBoxLayout()
        header.addWidget(subtitle, 1)
        if workspace.actor.sees_all_cases:  # the access log, one click from the case
            opened_by = QPushButton(tr("Who opened this case…"))
            opened_by.setObjectName("whoOpenedHeader")
            opened_by.clicked.connect(self.history.show_access)
            header.addWidget(opened_by)
        layout.addLayout(header)
        layout.addWidget(self.tabs, 1)

    def _record_release(self, partner: str) -> None:
        self.consent.prepare_release(partner)
        self.tabs.setCurrentWidget(self.consent)
