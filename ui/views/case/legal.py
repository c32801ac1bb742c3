"""The Legal aid section."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
)

from casework.application.desk import Desk
from casework.model.vocab import (
    LegalMatterKind,
    LegalStatus,
)
from ui.views.case.common import escape, tr
from ui.views.tab import Saving, Tab
from ui.widgets import vocab


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
        matters = self.workspace.legal.of_case(self.case_id)
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

    def open_matter(self) -> Saving:
        legal, case_id, kind, lawyer = (
            self.workspace.legal,
            self.case_id,
            self.kind.currentData(),
            self.lawyer.text(),
        )
        return self.submit(
            lambda: legal.open_matter(case_id, kind, lawyer), lambda _m: self.lawyer.clear()
        )

    def schedule(self) -> Saving | None:
        matter_id = self.matters.currentData()
        if matter_id is None:
            self.message.setText(tr("Open a legal matter first."))
            return None
        chosen = self.when.dateTime().toPython()
        assert isinstance(chosen, datetime)
        starts_at = chosen.astimezone()
        legal, place, purpose = self.workspace.legal, self.place.text(), self.purpose.text()

        def scheduled(_hearing: object) -> None:
            self.place.clear()
            self.purpose.clear()

        return self.submit(
            lambda: legal.schedule_hearing(matter_id, starts_at, place, purpose), scheduled
        )

    def close_matter(self) -> None:
        matter_id = self.matters.currentData()
        if matter_id is None:
            return
        outcome, ok = QInputDialog.getText(self, tr("Close the matter"), tr("Outcome:"))
        if ok:
            legal = self.workspace.legal
            self.submit(lambda: legal.update_matter(matter_id, LegalStatus.CLOSED, outcome))
