"""The Referrals section."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from casework.application.desk import Desk
from casework.application.types import ConsentMissing
from casework.model.vocab import (
    ReferralStatus,
    ServiceCategory,
)
from ui import operations
from ui.messages import error_text
from ui.save_dialogs import ask_save_path
from ui.views.case.common import fill_table, selected_key, table, tr
from ui.views.tab import Saving, Tab
from ui.widgets import busy_bar, vocab


class ReferralsTab(Tab):
    consent_needed = Signal(str)  # the partner's name

    def __init__(self, workspace: Desk, case_id: str) -> None:
        super().__init__(workspace, case_id)
        self.partner = QComboBox()
        self.partner.setObjectName("referralPartner")
        for partner in workspace.referrals.partners():
            self.partner.addItem(partner.name, partner.partner_id)
        self.category = QComboBox()
        for category in ServiceCategory:
            self.category.addItem(vocab(category.label), category)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(tr("What the survivor needs from them"))
        self.send_button = send = QPushButton(tr("Refer"))
        send.setObjectName("sendReferral")
        self.record_consent = QPushButton(tr("Record the release of information…"))
        self.record_consent.hide()
        self.list = table(
            [tr("Date"), tr("To"), tr("Service"), tr("Status"), tr("Follow up")],
            tr("No referrals yet. Choose a partner and a service above, then Refer."),
        )
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
        self.list.needs_row(accept, decline, complete, self.packet)
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

    def consent_changed(self) -> None:
        """A release recorded or withdrawn: a refusal for want of one may no longer hold."""
        if not self.record_consent.isHidden():
            self.record_consent.hide()
            self.message.clear()

    def reload(self) -> None:
        rows = self.workspace.referrals.of_case(self.case_id)
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

    def send(self) -> Saving | None:
        partner_id = self.partner.currentData()
        if partner_id is None:
            self.message.setText(tr("No partner organisations yet: a supervisor adds them."))
            return None
        referrals, case_id = self.workspace.referrals, self.case_id
        category, reason = self.category.currentData(), self.reason.text()

        def sent(_referral: object) -> None:
            self.record_consent.hide()
            self.reason.clear()

        def refused(error: BaseException) -> None:
            self.message.setText(error_text(error))
            # Refused for want of a release: the way to record one, with the partner filled in.
            self.record_consent.setVisible(isinstance(error, ConsentMissing))

        return self.submit(
            lambda: referrals.send(case_id, partner_id, category, reason),
            sent,
            busy=[self.send_button],
            failed=refused,
        )

    def set_status(self, status: ReferralStatus, note: str = "") -> Saving | None:
        referral_id = selected_key(self.list)
        if referral_id is None:
            self.message.setText(tr("Choose a referral first."))
            return None
        referrals = self.workspace.referrals
        return self.submit(lambda: referrals.update(referral_id, status, note))

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
            today = self.workspace.clock.today().isoformat()
            chosen = ask_save_path(
                self, tr("Save the referral packet"), f"referral-packet-{today}.pdf"
            )
            if chosen is None:
                return
            path = str(chosen)
        target = Path(path)
        workspace = self.workspace

        def build(_job: object) -> Path:
            from casework.reporting.pdf import save

            save(workspace.printing.referral_packet(referral_id), target)
            return target

        def done(saved: Path) -> None:
            self.message.show_success(tr("Saved {0}.").format(saved.name))
            self.saved_packet = saved

        self.packet_op = operations.change(
            build,
            done,
            parent=self,
            message=self.message,
            progress=self.busy,
            busy=[self.packet],
        )
