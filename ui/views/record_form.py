"""The fields of a survivor's record, as the intake form and the correction dialog both show
them: the person, how to reach them safely, and the trafficking case."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from casework.application.types import CaseDetail, SurvivorInput
from casework.model.vocab import (
    Control,
    Education,
    Exploitation,
    Gender,
    Industry,
    Recruitment,
    Relationship,
    RiskLevel,
    TraffickingStatus,
    Vocabulary,
)
from ui.pickers import CodePicker, country_choices, language_choices
from ui.widgets import to_date, vocab

V = TypeVar("V", bound=Vocabulary)


def tr(text: str) -> str:
    return QCoreApplication.translate("IntakeForm", text)


def split_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace(";", ",").split(",") if part.strip())


def _date_field(latest: QDate | None = None) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDate(QDate.currentDate())
    if latest is not None:
        edit.setMaximumDate(latest)
    return edit


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _select(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


def _picklist(vocabulary: type[Vocabulary]) -> QComboBox:
    """One choice of an HTCDS picklist, by its label; "Not recorded" first."""
    combo = QComboBox()
    combo.addItem(tr("Not recorded"), None)
    for member in vocabulary:
        combo.addItem(vocab(member.label), member)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(24)
    return combo


def _boxes(vocabulary: type[V]) -> dict[V, QCheckBox]:
    return {member: QCheckBox(vocab(member.label)) for member in vocabulary}


def _grid(boxes: dict[Any, QCheckBox]) -> QVBoxLayout:
    """One under another: the labels are long, and the form must fit a narrow pane."""
    column = QVBoxLayout()
    column.setSpacing(2)
    for box in boxes.values():
        column.addWidget(box)
    return column


def _ticked(boxes: dict[V, QCheckBox]) -> tuple[V, ...]:
    return tuple(member for member, box in boxes.items() if box.isChecked())


class RecordFields(QWidget):
    """Every field recorded at intake, grouped as a caseworker asks for them: who the person
    is, how to reach them safely (it matters most), then the trafficking case."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        today = QDate.currentDate()
        self.first_name = QLineEdit()
        self.first_name.setObjectName("firstName")
        self.middle_name = QLineEdit()
        self.last_name = QLineEdit()
        self.last_name.setObjectName("lastName")
        self.aliases = QLineEdit()
        self.aliases.setPlaceholderText(tr("Other names used, separated by commas"))
        self.birth_known = QCheckBox(tr("Birth date known"))
        self.birth_date = _date_field(today)
        self.birth_date.setDate(today.addYears(-25))
        self.birth_date.setEnabled(False)
        self.estimated_age = QSpinBox()
        self.estimated_age.setRange(0, 120)
        self.estimated_age.setSpecialValueText(tr("Unknown"))
        self.gender = QComboBox()
        for member in Gender:
            self.gender.addItem(vocab(member.label), member)
        _select(self.gender, Gender.NOT_SPECIFIED)
        self.citizenship = CodePicker(country_choices(), tr("Type to find a country"))
        self.citizenship.setObjectName("citizenship")
        self.languages = CodePicker(language_choices(), tr("Type to find a language"))
        self.languages.setObjectName("languages")
        self.number_of_children = QSpinBox()
        self.number_of_children.setRange(-1, 30)
        self.number_of_children.setSpecialValueText(tr("Not recorded"))
        self.number_of_children.setValue(-1)
        self.education = _picklist(Education)
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.safe_contact = QPlainTextEdit()
        self.safe_contact.setPlaceholderText(tr("When and how it is safe to make contact"))
        self.safe_contact.setMaximumHeight(70)
        self.safe_contact.setTabChangesFocus(True)
        self.status = QComboBox()
        for status in TraffickingStatus:
            self.status.addItem(vocab(status.label), status)
        self.exploitation = _boxes(Exploitation)
        self.risk = QComboBox()
        for level in RiskLevel:
            self.risk.addItem(vocab(level.label), level)
        _select(self.risk, RiskLevel.MEDIUM)
        self.province = QLineEdit()
        self.country_of_exploitation = CodePicker(
            country_choices(), tr("Type to find a country"), many=False
        )
        self.country_of_exploitation.setObjectName("countryOfExploitation")
        self.referred_by = QLineEdit()
        self.referred_by.setPlaceholderText(tr("Organisation that referred the person, if any"))
        self.has_referral_date = QCheckBox(tr("Referred on"))
        self.referral_date = _date_field(today)
        self.referral_date.setEnabled(False)
        self.recruitment = _boxes(Recruitment)
        self.control = _boxes(Control)
        self.relationship = _picklist(Relationship)
        self.industry = _picklist(Industry)
        self.other_details = QPlainTextEdit()
        self.other_details.setPlaceholderText(
            tr("In your own words, for example what “Other” was (never exported)")
        )
        self.other_details.setMaximumHeight(60)
        self.other_details.setTabChangesFocus(True)
        self.age_trafficked = QSpinBox()
        self.age_trafficked.setRange(0, 120)
        self.age_trafficked.setSpecialValueText(tr("Unknown"))
        self.immigration = QPlainTextEdit()
        self.immigration.setMaximumHeight(60)
        self.immigration.setTabChangesFocus(True)
        self.intake_date = _date_field(today)

        self.person = QGroupBox(tr("Person"))
        person_form = QFormLayout(self.person)
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
        person_form.addRow(tr("Number of children"), self.number_of_children)
        person_form.addRow(tr("Highest level of education"), self.education)

        self.contact = QGroupBox(tr("Contact"))
        contact_form = QFormLayout(self.contact)
        contact_form.addRow(tr("Phone"), self.phone)
        contact_form.addRow(tr("Email"), self.email)
        contact_form.addRow(tr("Safe to contact"), self.safe_contact)

        self.victim = QGroupBox(tr("Trafficking"))
        victim_layout = QVBoxLayout(self.victim)
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
        victim_form.addRow(tr("Relationship to trafficker"), self.relationship)
        victim_form.addRow(tr("Forced labour industry"), self.industry)
        victim_form.addRow(tr("Age when trafficked"), self.age_trafficked)
        victim_form.addRow(tr("Immigration status notes"), self.immigration)
        victim_layout.addLayout(victim_form)
        for title, boxes in (
            (tr("Types of exploitation"), self.exploitation),
            (tr("Method of recruitment"), self.recruitment),
            (tr("Methods of control"), self.control),
        ):
            victim_layout.addWidget(QLabel(title))
            victim_layout.addLayout(_grid(boxes))
        other_form = QFormLayout()
        other_form.addRow(tr("Other details"), self.other_details)
        victim_layout.addLayout(other_form)

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 8, 0)
        column.addWidget(self.person)
        column.addWidget(self.contact)
        column.addWidget(self.victim)
        column.addStretch(1)

        self.birth_known.toggled.connect(self.birth_date.setEnabled)
        self.birth_known.toggled.connect(lambda known: self.estimated_age.setEnabled(not known))
        self.has_referral_date.toggled.connect(self.referral_date.setEnabled)

    def collect(self) -> SurvivorInput:
        known = self.birth_known.isChecked()
        return SurvivorInput(
            first_name=self.first_name.text(),
            middle_name=self.middle_name.text(),
            last_name=self.last_name.text(),
            aliases=split_list(self.aliases.text()),
            birth_date=to_date(self.birth_date) if known else None,
            estimated_age=None
            if known or not self.estimated_age.value()
            else (self.estimated_age.value()),
            gender=self.gender.currentData(),
            citizenship=self.citizenship.codes(),
            languages=self.languages.codes(),
            phone=self.phone.text(),
            email=self.email.text(),
            safe_contact_note=self.safe_contact.toPlainText(),
            trafficking_status=self.status.currentData(),
            exploitation_types=_ticked(self.exploitation),
            intake_date=to_date(self.intake_date),
            risk_level=self.risk.currentData(),
            province=self.province.text(),
            country_of_exploitation=self.country_of_exploitation.code(),
            referring_organisation=self.referred_by.text(),
            incoming_referral_date=(
                to_date(self.referral_date) if self.has_referral_date.isChecked() else None
            ),
            recruitment_methods=_ticked(self.recruitment),
            relationship_to_trafficker=self.relationship.currentData(),
            forced_labour_industry=self.industry.currentData(),
            age_when_trafficked=self.age_trafficked.value() or None,
            immigration_notes=self.immigration.toPlainText(),
            methods_of_control=_ticked(self.control),
            number_of_children=None
            if self.number_of_children.value() < 0
            else self.number_of_children.value(),
            education_level=self.education.currentData(),
            other_details=self.other_details.toPlainText(),
        )

    def fill(self, detail: CaseDetail) -> None:
        """The fields as ``detail`` has them stored."""
        self.first_name.setText(detail.first_name)
        self.middle_name.setText(detail.middle_name)
        self.last_name.setText(detail.last_name)
        self.aliases.setText(", ".join(detail.aliases))
        self.birth_known.setChecked(detail.birth_date is not None)
        if detail.birth_date is not None:
            self.birth_date.setDate(_qdate(detail.birth_date))
        self.estimated_age.setValue(detail.estimated_age or 0)
        _select(self.gender, detail.gender)
        self.citizenship.set_codes(detail.citizenship)
        self.languages.set_codes(detail.languages)
        children = detail.number_of_children
        self.number_of_children.setValue(-1 if children is None else children)
        _select(self.education, detail.education_level)
        self.phone.setText(detail.phone)
        self.email.setText(detail.email)
        self.safe_contact.setPlainText(detail.safe_contact_note)
        _select(self.status, detail.trafficking_status)
        for boxes, chosen in (
            (self.exploitation, detail.exploitation_types),
            (self.recruitment, detail.recruitment_methods),
            (self.control, detail.methods_of_control),
        ):
            for member, box in boxes.items():
                box.setChecked(member in chosen)
        self.intake_date.setDate(_qdate(detail.intake_date))
        _select(self.risk, detail.risk_level)
        self.province.setText(detail.province)
        self.country_of_exploitation.set_codes([detail.country_of_exploitation])
        self.referred_by.setText(detail.referring_organisation)
        self.has_referral_date.setChecked(detail.incoming_referral_date is not None)
        if detail.incoming_referral_date is not None:
            self.referral_date.setDate(_qdate(detail.incoming_referral_date))
        _select(self.relationship, detail.relationship_to_trafficker)
        _select(self.industry, detail.forced_labour_industry)
        self.other_details.setPlainText(detail.other_details)
        self.age_trafficked.setValue(detail.age_when_trafficked or 0)
        self.immigration.setPlainText(detail.immigration_notes)

    def inputs(self) -> dict[str, QWidget]:
        """Every input by a stable name, for keeping the form's state as a draft."""
        named: dict[str, QWidget] = {
            "first_name": self.first_name,
            "middle_name": self.middle_name,
            "last_name": self.last_name,
            "aliases": self.aliases,
            "birth_known": self.birth_known,
            "birth_date": self.birth_date,
            "estimated_age": self.estimated_age,
            "gender": self.gender,
            "citizenship": self.citizenship,
            "languages": self.languages,
            "phone": self.phone,
            "email": self.email,
            "safe_contact_note": self.safe_contact,
            "intake_date": self.intake_date,
            "trafficking_status": self.status,
            "risk_level": self.risk,
            "province": self.province,
            "country_of_exploitation": self.country_of_exploitation,
            "referring_organisation": self.referred_by,
            "has_referral_date": self.has_referral_date,
            "incoming_referral_date": self.referral_date,
            "relationship_to_trafficker": self.relationship,
            "forced_labour_industry": self.industry,
            "age_when_trafficked": self.age_trafficked,
            "immigration_notes": self.immigration,
            "number_of_children": self.number_of_children,
            "education_level": self.education,
            "other_details": self.other_details,
        }
        for prefix, boxes in (
            ("exploitation", self.exploitation),
            ("recruitment", self.recruitment),
            ("control", self.control),
        ):
            for member, box in boxes.items():
                named[f"{prefix}.{member.value}"] = box
        return named

    def field_for(self, name: str | None) -> QWidget | None:
        """The widget that holds a service error's field, to put the cursor there."""
        return {
            "first_name": self.first_name,
            "middle_name": self.middle_name,
            "last_name": self.last_name,
            "aliases": self.aliases,
            "email": self.email,
            "phone": self.phone,
            "country": self.citizenship,
            "language": self.languages,
            "birth_date": self.birth_date,
            "estimated_age": self.estimated_age,
            "intake_date": self.intake_date,
            "incoming_referral_date": self.referral_date,
            "country_of_exploitation": self.country_of_exploitation,
            "safe_contact_note": self.safe_contact,
            "immigration_notes": self.immigration,
            "province": self.province,
            "referring_organisation": self.referred_by,
            "recruitment_methods": next(iter(self.recruitment.values())),
            "relationship_to_trafficker": self.relationship,
            "forced_labour_industry": self.industry,
            "age_when_trafficked": self.age_trafficked,
            "methods_of_control": next(iter(self.control.values())),
            "number_of_children": self.number_of_children,
            "education_level": self.education,
            "other_details": self.other_details,
        }.get(name or "")
