"""The Consent section."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from casework.application.desk import Desk
from casework.model.vocab import (
    ConsentKind,
    ReleaseField,
)
from ui.views.case.common import fill_table, selected_key, table, tr
from ui.views.tab import Saving, Tab
from ui.widgets import date_edit, to_date, vocab


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
        # chosen from the directory, as referrals are: a typed name that differs by one letter
        # made a release that no referral ever matched
        self.partner = QComboBox()
        self.partner.setObjectName("consentPartner")
        self.partner.setToolTip(tr("For a release of information: the partner it is given to"))
        self.purpose = QLineEdit()
        self.purpose.setObjectName("consentPurpose")
        self.covers = {field: QCheckBox(vocab(field.label)) for field in ReleaseField}
        self.covers[ReleaseField.IDENTITY].setChecked(True)
        self.record_button = record = QPushButton(tr("Record consent"))
        record.setObjectName("recordConsent")
        withdraw = QPushButton(tr("Withdraw the selected consent"))
        self.list = table(
            [tr("Consent"), tr("Partner"), tr("Given"), tr("Expires"), tr("State")],
            tr("No consent recorded yet. Record the consent the person gave with the form above."),
        )
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
        self.list.needs_row(withdraw)
        self.has_expiry.toggled.connect(self.expires.setEnabled)
        self.kind.currentIndexChanged.connect(lambda _index: self._partner_needed())
        self._fill_partners()
        self._partner_needed()
        record.clicked.connect(self.record)
        withdraw.clicked.connect(self.withdraw)
        self.reload()

    def _fill_partners(self) -> None:
        chosen = self.partner.currentData()
        self.partner.clear()
        names = [p.name for p in self.workspace.referrals.partners()]
        self.partner.addItem(
            tr("Choose a partner from the directory")
            if names
            else tr("No partners in the directory yet: an administrator or supervisor adds them"),
            None,
        )
        for name in names:
            self.partner.addItem(name, name)
        index = self.partner.findData(chosen)
        self.partner.setCurrentIndex(max(index, 0))

    def _partner_needed(self) -> None:
        """Only a release of information names a partner."""
        release = self.kind.currentData() == ConsentKind.RELEASE
        self.partner.setEnabled(release and self.partner.count() > 1)
        self.purpose.setEnabled(release)
        for box in self.covers.values():
            box.setEnabled(release)

    def reload(self) -> None:
        self._fill_partners()
        self._partner_needed()
        today = self.workspace.clock.today()
        consents = self.workspace.consent.of_case(self.case_id)
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

    def record(self) -> Saving:
        expires = to_date(self.expires) if self.has_expiry.isChecked() else None
        consent, case_id, kind, given = (
            self.workspace.consent,
            self.case_id,
            self.kind.currentData(),
            to_date(self.given),
        )
        named = self.partner.currentData() if kind == ConsentKind.RELEASE else None
        partner = named if isinstance(named, str) else ""
        purpose = self.purpose.text() if kind == ConsentKind.RELEASE else ""
        covers = tuple(f for f, box in self.covers.items() if box.isChecked())

        def recorded(_result: object) -> None:
            self.partner.setCurrentIndex(0)
            self.purpose.clear()

        return self.submit(
            lambda: consent.record(case_id, kind, given, expires, partner, purpose, covers),
            recorded,
            busy=[self.record_button],
        )

    def prepare_release(self, partner: str) -> None:
        """Called when a referral was refused: the form is set for a release to that partner."""
        self.kind.setCurrentIndex(list(ConsentKind).index(ConsentKind.RELEASE))
        self._fill_partners()
        index = self.partner.findData(partner)
        self.partner.setCurrentIndex(max(index, 0))
        self.purpose.setFocus()

    def withdraw(self) -> Saving | None:
        consent_id = selected_key(self.list)
        if consent_id is None:
            self.message.setText(tr("Choose a consent record first."))
            return None
        consent, case_id = self.workspace.consent, self.case_id
        return self.submit(lambda: consent.withdraw(case_id, consent_id))
