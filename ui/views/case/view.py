"""One case: the person and the case on the Overview tab, then notes, tasks, consent,
referrals, counseling, legal aid, the timeline, attachments and history. Every change goes
through the desk's services and reloads the section."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from casework.application.types import CaseDetail
from ui.views.case.attachments import AttachmentsTab
from ui.views.case.common import tr
from ui.views.case.consent import ConsentTab
from ui.views.case.counseling import CounselingTab
from ui.views.case.history import HistoryTab
from ui.views.case.legal import LegalTab
from ui.views.case.notes import NotesTab
from ui.views.case.overview import OverviewTab
from ui.views.case.referrals import ReferralsTab
from ui.views.case.sections import Sections
from ui.views.case.tasks import TasksTab
from ui.views.case.timeline import TimelineTab
from ui.views.case_supervision import ReviewsTab
from ui.widgets import vocab


class CaseView(QWidget):
    changed = Signal()
    erased = Signal()

    def __init__(self, workspace: Desk, detail: CaseDetail, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case_id = detail.case_id
        self.title = title = QLabel()
        title.setObjectName("pageTitle")
        self.subtitle = subtitle = QLabel()
        subtitle.setObjectName("subtitle")
        self._show_header(detail)
        self.tabs = Sections()
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
            # A change anywhere reaches every section (a closure cancels tasks and withdraws
            # referrals; a review moves the next review date; a note moves the last contact):
            # each section follows ui.changes, which every change operation announces to.
            tab.changed.connect(self.changed)
        self.consent.changed.connect(self.referrals.consent_changed)
        self.overview.erased.connect(self.erased)
        self.overview.shown.connect(self._show_header)  # a correction, a closure: the header too
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

    def _show_header(self, detail: CaseDetail) -> None:
        self.title.setText(detail.full_name)
        self.subtitle.setText(
            tr("Case {0} · {1} · opened {2}").format(
                detail.reference, vocab(detail.status.label), detail.intake_date.isoformat()
            )
        )

    def _record_release(self, partner: str) -> None:
        self.consent.prepare_release(partner)
        self.tabs.setCurrentWidget(self.consent)
