"""Hearings on a calendar: the month with hearing days marked, and the list for the next weeks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QCoreApplication, QDate, Signal
from PySide6.QtGui import QColor, QTextCharFormat
from PySide6.QtWidgets import QCalendarWidget, QLabel, QVBoxLayout, QWidget

from casework.application.desk import Desk
from casework.application.types import HearingView
from ui import changes
from ui.views.case_list import CaseList
from ui.widgets import vocab


def tr(text: str) -> str:
    return QCoreApplication.translate("Calendar", text)


class HearingsCalendar(QWidget):
    open_case = Signal(str)
    WEEKS = 8

    def __init__(self, workspace: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        title = QLabel(tr("Hearings"))
        title.setObjectName("pageTitle")
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        self.upcoming = CaseList(tr("The next {0} weeks").format(self.WEEKS))
        self.upcoming.open_case.connect(self.open_case)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.calendar)
        layout.addWidget(self.upcoming, 1)
        self.hearings: list[HearingView] = []
        self.reload()
        changes.follow(self, self.reload)  # a change made elsewhere shows here too

    def reload(self) -> None:
        now = datetime.now(UTC)
        self.hearings = self.workspace.legal.hearings(
            now - timedelta(days=1), now + timedelta(weeks=self.WEEKS)
        )
        marked = QTextCharFormat()
        marked.setFontWeight(700)
        marked.setBackground(QColor("#fde7c8"))
        self.upcoming.list.clear()
        for hearing in self.hearings:
            local = hearing.starts_at.astimezone()
            self.calendar.setDateTextFormat(QDate(local.year, local.month, local.day), marked)
            self.upcoming.entry(
                f"{local.strftime('%Y-%m-%d %H:%M')}  {hearing.case_reference} · "
                f"{vocab(hearing.kind.label)} · {hearing.place}",
                hearing.case_id,
            )
        if not self.hearings:
            self.upcoming.heading(tr("No hearings scheduled."))
