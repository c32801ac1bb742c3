"""The directory of partner organisations that survivors can be referred to."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from casework.model.vocab import OrganisationType, Role, ServiceCategory
from ui import changes
from ui.messages import attempt
from ui.widgets import message_label, vocab


def tr(text: str) -> str:
    return QCoreApplication.translate("Partners", text)


class PartnersView(QWidget):
    def __init__(self, workspace: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        title = QLabel(tr("Partner organisations"))
        title.setObjectName("pageTitle")
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("partners")
        self.table.setHorizontalHeaderLabels(
            [tr("Name"), tr("Type"), tr("Services"), tr("Contact")]
        )
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.table, 1)
        self.message = message_label("errorText")
        actor = workspace.actor
        self.can_add = bool(actor.roles & {Role.SUPERVISOR, Role.ADMINISTRATOR})
        if self.can_add:
            self.name = QLineEdit()
            self.name.setObjectName("partnerName")
            self.org_type = QComboBox()
            for kind in OrganisationType:
                self.org_type.addItem(vocab(kind.label), kind)
            self.contact = QLineEdit()
            self.phone = QLineEdit()
            self.languages = QLineEdit()
            self.languages.setPlaceholderText(tr("Language codes, such as sw, en"))
            self.categories = {c: QCheckBox(vocab(c.label)) for c in ServiceCategory}
            grid = QGridLayout()
            for i, box in enumerate(self.categories.values()):
                grid.addWidget(box, i // 3, i % 3)
            form = QFormLayout()
            form.addRow(tr("Name"), self.name)
            form.addRow(tr("Type"), self.org_type)
            form.addRow(tr("Services"), grid)
            form.addRow(tr("Contact person"), self.contact)
            form.addRow(tr("Phone"), self.phone)
            form.addRow(tr("Languages"), self.languages)
            add = QPushButton(tr("Add to the directory"))
            add.setObjectName("addPartner")
            add.clicked.connect(lambda: self.add())
            layout.addLayout(form)
            layout.addWidget(add)
        layout.addWidget(self.message)
        self.reload()
        changes.follow(self, self.reload)  # a change made elsewhere shows here too

    def reload(self) -> None:
        partners = self.workspace.referrals.partners()
        self.table.setRowCount(len(partners))
        for row, partner in enumerate(partners):
            services = ", ".join(vocab(c.label) for c in partner.service_categories)
            contact = " ".join(p for p in (partner.contact_person, partner.phone) if p)
            languages = ", ".join(partner.languages)
            values = (partner.name, vocab(partner.org_type.label), services, languages, contact)
            for column, text in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def add(self) -> bool:
        def save() -> None:
            self.workspace.referrals.add_partner(
                self.name.text(),
                self.org_type.currentData(),
                tuple(c for c, box in self.categories.items() if box.isChecked()),
                self.contact.text(),
                self.phone.text(),
                languages=tuple(c.strip() for c in self.languages.text().split(",") if c.strip()),
            )

        if not attempt(save, self.message):
            return False
        changes.announce(self)  # the referral sections' directories
        self.name.clear()
        self.reload()
        return True
