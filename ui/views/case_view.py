"""One case, read-only for now: the survivor's details and the case's state."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from casework.services.cases import CaseDetail


def tr(text: str) -> str:
    return QCoreApplication.translate("CaseView", text)


def vocab(label: str) -> str:
    return QCoreApplication.translate("vocab", label)


class CaseView(QWidget):
    def __init__(self, detail: CaseDetail, parent: QWidget | None = None) -> None:
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

        person = QGroupBox(tr("Person"))
        form = QFormLayout(person)
        unknown = tr("Not recorded")
        if detail.birth_date:
            birth = detail.birth_date.isoformat()
        elif detail.estimated_age is not None:
            birth = tr("about {0} years old").format(detail.estimated_age)
        else:
            birth = unknown
        rows = [
            (tr("Aliases"), ", ".join(detail.aliases) or unknown),
            (tr("Birth"), birth),
            (tr("Gender"), vocab(detail.gender.label)),
            (tr("Citizenship"), ", ".join(detail.citizenship) or unknown),
            (tr("Languages"), ", ".join(detail.languages) or unknown),
            (tr("Phone"), detail.phone or unknown),
            (tr("Email"), detail.email or unknown),
            (tr("Safe to contact"), detail.safe_contact_note or unknown),
        ]
        for label, value in rows:
            field = QLabel(value)
            field.setWordWrap(True)
            form.addRow(label, field)

        case = QGroupBox(tr("Case"))
        case_form = QFormLayout(case)
        case_form.addRow(tr("Status"), QLabel(vocab(detail.status.label)))
        case_form.addRow(tr("Caseworker"), QLabel(detail.caseworker or unknown))
        case_form.addRow(tr("Trafficking status"), QLabel(vocab(detail.trafficking_status.label)))
        types = ", ".join(vocab(e.label) for e in detail.exploitation_types) or unknown
        exploitation = QLabel(types)
        exploitation.setWordWrap(True)
        case_form.addRow(tr("Exploitation"), exploitation)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addWidget(person)
        layout.addWidget(case)
        layout.addStretch(1)
