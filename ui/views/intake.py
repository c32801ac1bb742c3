"""The intake form: a new survivor and their case. Only a name and the intake date are
required; everything else can wait."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from casework.application.types import CaseDetail, PossibleDuplicate, SurvivorInput
from casework.errors import CaseworkError, ValidationError
from casework.model.vocab import Exploitation, Gender, RiskLevel, TraffickingStatus
from ui.messages import error_text
from ui.widgets import message_label, to_date, vocab


def tr(text: str) -> str:
    return QCoreApplication.translate("IntakeForm", text)


def split_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace(";", ",").split(",") if part.strip())


class DuplicatesDialog(QDialog):
    """Likely matches, shown before a new person is recorded."""

    open_existing = Signal(str)
    record_anyway = Signal()

    def __init__(self, matches: list[PossibleDuplicate], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("This person may already be known"))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        intro = QLabel(tr("Check these before recording a new person, so nobody is entered twice."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        for match in matches:
            reasons = ", ".join(tr(r) for r in match.reasons)
            if match.case_id:
                text = f"{match.name} · {match.reference} · {match.caseworker} — {reasons}"
            else:
                text = tr("A case in {0}'s caseload — {1}. Ask them or a supervisor.").format(
                    match.caseworker or tr("another caseworker"), reasons
                )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, match.case_id)
            self.list.addItem(item)
        layout.addWidget(self.list)
        self.open_button = QPushButton(tr("Open the selected case"))
        self.open_button.setObjectName("openDuplicate")
        self.new_button = QPushButton(tr("Record a new person"))
        self.new_button.setObjectName("recordAnyway")
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        layout.addLayout(buttons)
        self.open_button.clicked.connect(self._open)
        self.new_button.clicked.connect(self._new)
        self.list.currentItemChanged.connect(
            lambda item, _old: self.open_button.setEnabled(
                bool(item and item.data(Qt.ItemDataRole.UserRole))
            )
        )
        self.open_button.setEnabled(False)

    def _open(self) -> None:
        item = self.list.currentItem()
        if item is not None and item.data(Qt.ItemDataRole.UserRole):
            self.accept()
            self.open_existing.emit(item.data(Qt.ItemDataRole.UserRole))

    def _new(self) -> None:
        self.accept()
        self.record_anyway.emit()


class IntakeForm(QWidget):
    saved = Signal(object)  # CaseDetail
    cancelled = Signal()
    open_existing = Signal(str)

    def __init__(self, workspace: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        title = QLabel(tr("New survivor"))
        title.setObjectName("pageTitle")

        self.first_name = QLineEdit()
        self.middle_name = QLineEdit()
        self.last_name = QLineEdit()
        self.aliases = QLineEdit()
        self.aliases.setPlaceholderText(tr("Other names used, separated by commas"))
        self.birth_known = QCheckBox(tr("Birth date known"))
        self.birth_date = QDateEdit()
        self.birth_date.setCalendarPopup(True)
        self.birth_date.setDisplayFormat("yyyy-MM-dd")
        self.birth_date.setDate(QDate.currentDate().addYears(-25))
        self.birth_date.setEnabled(False)
        self.estimated_age = QSpinBox()
        self.estimated_age.setRange(0, 120)
        self.estimated_age.setSpecialValueText(tr("Unknown"))
        self.gender = QComboBox()
        for member in Gender:
            self.gender.addItem(vocab(member.label), member)
        self.gender.setCurrentIndex(list(Gender).index(Gender.NOT_SPECIFIED))
        self.citizenship = QLineEdit()
        self.citizenship.setPlaceholderText(tr("Country codes, such as UA, MD"))
        self.languages = QLineEdit()
        self.languages.setPlaceholderText(tr("Language codes, such as uk, ru"))
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.safe_contact = QPlainTextEdit()
        self.safe_contact.setPlaceholderText(tr("When and how it is safe to make contact"))
        self.safe_contact.setMaximumHeight(70)
        self.status = QComboBox()
        for status in TraffickingStatus:
            self.status.addItem(vocab(status.label), status)
        self.exploitation: dict[Exploitation, QCheckBox] = {
            member: QCheckBox(vocab(member.label)) for member in Exploitation
        }
        self.risk = QComboBox()
        for level in RiskLevel:
            self.risk.addItem(vocab(level.label), level)
        self.risk.setCurrentIndex(list(RiskLevel).index(RiskLevel.MEDIUM))
        self.province = QLineEdit()
        self.country_of_exploitation = QLineEdit()
        self.country_of_exploitation.setMaxLength(2)
        self.country_of_exploitation.setPlaceholderText(tr("Country code, such as AE"))
        self.referred_by = QLineEdit()
        self.referred_by.setPlaceholderText(tr("Organisation that referred the person, if any"))
        self.has_referral_date = QCheckBox(tr("Referred on"))
        self.referral_date = QDateEdit()
        self.referral_date.setCalendarPopup(True)
        self.referral_date.setDisplayFormat("yyyy-MM-dd")
        self.referral_date.setDate(QDate.currentDate())
        self.referral_date.setMaximumDate(QDate.currentDate())
        self.referral_date.setEnabled(False)
        self.has_referral_date.toggled.connect(self.referral_date.setEnabled)
        self.recruitment = QLineEdit()
        self.recruitment.setPlaceholderText(tr("For example: false job offer"))
        self.relationship = QLineEdit()
        self.relationship.setPlaceholderText(tr("For example: employer, partner, stranger"))
        self.industry = QLineEdit()
        self.industry.setPlaceholderText(tr("For forced labour: construction, domestic work…"))
        self.age_trafficked = QSpinBox()
        self.age_trafficked.setRange(0, 120)
        self.age_trafficked.setSpecialValueText(tr("Unknown"))
        self.immigration = QPlainTextEdit()
        self.immigration.setMaximumHeight(60)
        self.intake_date = QDateEdit()
        self.intake_date.setCalendarPopup(True)
        self.intake_date.setDisplayFormat("yyyy-MM-dd")
        self.intake_date.setDate(QDate.currentDate())
        self.intake_date.setMaximumDate(QDate.currentDate())
        self.first_name.setObjectName("firstName")
        self.last_name.setObjectName("lastName")

        person = QGroupBox(tr("Person"))
        person_form = QFormLayout(person)
        person_form.addRow(tr("First name *"), self.first_name)
        person_form.addRow(tr("Middle name"), self.middle_name)
        person_form.addRow(tr("Last name"), self.last_name)
        person_form.addRow(tr("Aliases"), self.aliases)
        birth_row = QHBoxLayout()
        birth_row.addWidget(self.birth_known)
        birth_row.addWidget(self.birth_date, 1)
        person_form.addRow(tr("Birth date"), birth_row)
        person_form.addRow(tr("Or estimated age"), self.estimated_age)
        person_form.addRow(tr("Gender"), self.gender)
        person_form.addRow(tr("Citizenship"), self.citizenship)
        person_form.addRow(tr("Languages"), self.languages)

        contact = QGroupBox(tr("Contact"))
        contact_form = QFormLayout(contact)
        contact_form.addRow(tr("Phone"), self.phone)
        contact_form.addRow(tr("Email"), self.email)
        contact_form.addRow(tr("Safe to contact"), self.safe_contact)

        victim = QGroupBox(tr("Trafficking"))
        victim_layout = QVBoxLayout(victim)
        victim_form = QFormLayout()
        victim_form.addRow(tr("Intake date *"), self.intake_date)
        victim_form.addRow(tr("Status"), self.status)
        victim_form.addRow(tr("Risk"), self.risk)
        victim_form.addRow(tr("Province or state"), self.province)
        victim_form.addRow(tr("Country of exploitation"), self.country_of_exploitation)
        victim_form.addRow(tr("Referred by"), self.referred_by)
        referral_row = QHBoxLayout()
        referral_row.addWidget(self.has_referral_date)
        referral_row.addWidget(self.referral_date, 1)
        victim_form.addRow("", referral_row)
        victim_form.addRow(tr("Method of recruitment"), self.recruitment)
        victim_form.addRow(tr("Relationship to trafficker"), self.relationship)
        victim_form.addRow(tr("Forced labour industry"), self.industry)
        victim_form.addRow(tr("Age when trafficked"), self.age_trafficked)
        victim_form.addRow(tr("Immigration status notes"), self.immigration)
        victim_layout.addLayout(victim_form)
        victim_layout.addWidget(QLabel(tr("Types of exploitation")))
        grid = QGridLayout()
        for i, box in enumerate(self.exploitation.values()):
            grid.addWidget(box, i // 2, i % 2)
        victim_layout.addLayout(grid)

        self.error = message_label("errorText")
        self.save_button = QPushButton(tr("Save and open the case"))
        self.save_button.setObjectName("saveIntake")
        self.save_button.setDefault(True)
        cancel = QPushButton(tr("Cancel"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 8, 0)
        column.addWidget(person)
        column.addWidget(victim)
        column.addWidget(contact)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

        self.birth_known.toggled.connect(self.birth_date.setEnabled)
        self.birth_known.toggled.connect(lambda known: self.estimated_age.setEnabled(not known))
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.cancelled)
        self.first_name.setFocus(Qt.FocusReason.OtherFocusReason)

    def collect(self) -> SurvivorInput:
        return SurvivorInput(
            first_name=self.first_name.text(),
            middle_name=self.middle_name.text(),
            last_name=self.last_name.text(),
            aliases=split_list(self.aliases.text()),
            birth_date=to_date(self.birth_date) if self.birth_known.isChecked() else None,
            estimated_age=(
                None
                if self.birth_known.isChecked() or self.estimated_age.value() == 0
                else self.estimated_age.value()
            ),
            gender=self.gender.currentData(),
            citizenship=split_list(self.citizenship.text()),
            languages=split_list(self.languages.text()),
            phone=self.phone.text(),
            email=self.email.text(),
            safe_contact_note=self.safe_contact.toPlainText(),
            trafficking_status=self.status.currentData(),
            exploitation_types=tuple(m for m, box in self.exploitation.items() if box.isChecked()),
            intake_date=to_date(self.intake_date),
            risk_level=self.risk.currentData(),
            province=self.province.text(),
            country_of_exploitation=self.country_of_exploitation.text(),
            referring_organisation=self.referred_by.text(),
            incoming_referral_date=(
                to_date(self.referral_date) if self.has_referral_date.isChecked() else None
            ),
            recruitment_method=self.recruitment.text(),
            relationship_to_trafficker=self.relationship.text(),
            forced_labour_industry=self.industry.text(),
            age_when_trafficked=self.age_trafficked.value() or None,
            immigration_notes=self.immigration.toPlainText(),
        )

    def save(self) -> None:
        """Check for likely duplicates first; record once the user has seen them."""
        try:
            data = self.collect()
            matches = self.workspace.cases.possible_duplicates(data)
        except CaseworkError as error:
            self.error.setText(error_text(error))
            return
        if matches and data.first_name.strip():
            self.duplicates = DuplicatesDialog(matches, self)
            self.duplicates.open_existing.connect(self.open_existing)
            self.duplicates.record_anyway.connect(self.record)
            self.duplicates.open()
            return
        self.record()

    def record(self) -> None:
        try:
            detail: CaseDetail = self.workspace.cases.record_survivor(self.collect())
        except ValidationError as error:
            self.error.setText(error_text(error))
            field = {
                "first_name": self.first_name,
                "email": self.email,
                "country": self.citizenship,
                "language": self.languages,
                "birth_date": self.birth_date,
            }.get(error.field or "")
            if field is not None:
                field.setFocus()
            return
        except CaseworkError as error:
            self.error.setText(error_text(error))
            return
        self.saved.emit(detail)
