"""The signed-in workspace: the caseload on the left, a case or the intake form on the right.
Administrators without a case role get the administration view instead."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from casework.application.types import (
    CaseDetail,
)
from casework.errors import CaseworkError
from ui import changes, layout_memory, operations
from ui.drafts import keep_drafts
from ui.messages import error_text
from ui.models.caseload import CASE_ID_ROLE
from ui.views.administration import AdminView
from ui.views.approvals import ApprovalsView
from ui.views.audit import AuditView
from ui.views.calendar import HearingsCalendar
from ui.views.case import CaseView
from ui.views.caseload import CaseloadView
from ui.views.dashboard import CasesView, DashboardView
from ui.views.import_dialog import ImportDialog
from ui.views.intake import IntakeForm
from ui.views.my_tasks import MyTasksView
from ui.views.partners import PartnersView
from ui.views.printouts import ReportDialog
from ui.views.search_results import SearchResultsView
from ui.views.shelter import ShelterBoard
from ui.views.tab import Tab
from ui.widgets import scrub

if TYPE_CHECKING:
    from ui.views.national_reporting import ReportingView


def tr(text: str) -> str:
    return QCoreApplication.translate("Desk", text)


@dataclass(frozen=True)
class Place:
    """Where the user was, by id only, so that unlocking can bring them back."""

    view: str  # "empty", "case", "intake", "admin"
    case_id: str | None = None
    sort_column: int = 2
    sort_order: Qt.SortOrder = Qt.SortOrder.DescendingOrder


class WorkspaceView(QWidget):
    auto_lock_changed = Signal(int)

    def __init__(self, workspace: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.caseload: CaseloadView | None = None
        self.admin: AdminView | None = None
        self.detail = QStackedWidget()
        self.detail.setObjectName("detail")
        self.empty = QLabel(tr("Choose a case from the list, or record a new survivor (Ctrl+N)."))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.detail.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        if workspace.works_cases:
            self.caseload = CaseloadView(workspace)
            splitter = self.splitter = QSplitter()
            splitter.addWidget(self.caseload)
            splitter.addWidget(self.detail)
            # the case needs the room more than the list does (its forms, its sections)
            splitter.setStretchFactor(0, 2)
            splitter.setStretchFactor(1, 3)
            splitter.setSizes([520, 780])
            layout_memory.recall_caseload(splitter, self.caseload.table.horizontalHeader())
            layout.addWidget(splitter)
            self.caseload.table.clicked.connect(self._open_index)
            self.caseload.table.activated.connect(self._open_index)
            changes.follow(self.caseload, self._reload_caseload)  # any change, anywhere
        else:
            layout.addWidget(self.detail)
        if workspace.is_admin:
            self.admin = AdminView(workspace)
            self.admin.auto_lock_changed.connect(self.auto_lock_changed)
            self.admin.refresh()
            self.detail.addWidget(self.admin)
            if self.caseload is None:
                self.detail.setCurrentWidget(self.admin)
        elif self.caseload is None and workspace.reporting.allowed:
            self.show_reporting()

    def _show(self, widget: QWidget) -> None:
        old = self.detail.currentWidget()
        if old is not None:
            keep_drafts(old)  # what was typed there and not saved stays, as a draft
        self.detail.addWidget(widget)
        self.detail.setCurrentWidget(widget)
        if old is not None and old not in (self.empty, self.admin):
            self.detail.removeWidget(old)
            old.deleteLater()

    def show_dashboard(self) -> DashboardView:
        view = DashboardView(self.workspace)
        view.show_cases.connect(self.show_cases)
        self._show(view)
        return view

    def show_cases(self, title: str, case_ids: list[str]) -> CasesView:
        view = CasesView(self.workspace, title, case_ids)
        view.open_case.connect(self.open_case)
        self._show(view)
        return view

    def show_audit(
        self, case_id: str | None = None, reference: str = "", action: str | None = None
    ) -> AuditView:
        view = AuditView(self.workspace, case_id, reference, action)
        self._show(view)
        return view

    def open_reports(self) -> ReportDialog:
        dialog = ReportDialog(self.workspace, parent=self)
        dialog.open()
        return dialog

    def show_reporting(self) -> ReportingView:
        from ui.views.national_reporting import ReportingView  # ReportLab loads when first needed

        view = ReportingView(self.workspace)
        self._show(view)
        return view

    def show_administration(self) -> None:
        if self.admin is not None:
            self._show(self.admin)

    def show_my_tasks(self) -> None:
        view = MyTasksView(self.workspace)
        view.open_case.connect(self.open_case)
        self._show(view)

    def show_calendar(self) -> None:
        calendar = HearingsCalendar(self.workspace)
        calendar.open_case.connect(self.open_case)
        self._show(calendar)

    def show_partners(self) -> None:
        self._show(PartnersView(self.workspace))

    def show_shelter(self) -> None:
        board = ShelterBoard(self.workspace)
        board.open_case.connect(self.open_case)
        self._show(board)

    def show_approvals(self) -> None:
        view = ApprovalsView(self.workspace)
        view.open_case.connect(self.open_case)
        self._show(view)

    def search(self, text: str) -> None:
        """Search people and notes in the background; results replace the right-hand pane."""
        if len(text.strip()) < 2:
            return
        view = SearchResultsView()
        view.open_case.connect(self.open_case)
        view.searching(text)
        self._show(view)
        workspace = self.workspace

        def shown(result: tuple[list[Any], list[Any]]) -> None:
            if self.detail.currentWidget() is view:
                view.show_results(text, *result)

        operations.query(
            lambda: workspace.cases.find(text), shown, parent=view, message=view.message
        )

    def open_import(self) -> ImportDialog:
        dialog = ImportDialog(self.workspace, self)
        dialog.finished.connect(
            lambda _result: self.caseload.model.reload() if self.caseload else None
        )
        dialog.open()
        return dialog

    def _case_changed(self) -> None:
        """The case on screen stays selected when the caseload reloads for the change."""
        if self.caseload is not None:
            current = self.detail.currentWidget()
            if isinstance(current, CaseView):
                self.caseload.pending_selection = current.case_id

    def _reload_caseload(self) -> None:
        if self.caseload is not None:
            self.caseload.model.reload(locate=self.caseload.pending_selection)

    def _case_erased(self) -> None:
        self.empty.setText(tr("The person was erased. Only an anonymous marker remains."))
        self._show_empty()
        if self.caseload is not None:
            self.caseload.model.reload()

    def _open_index(self, index: QModelIndex) -> None:
        case_id = index.data(CASE_ID_ROLE)
        if case_id:
            self.open_case(case_id)

    def open_case(self, case_id: str) -> None:
        try:
            detail = self.workspace.cases.open(case_id)
        except CaseworkError as error:
            self.empty.setText(error_text(error))
            self.detail.setCurrentWidget(self.empty)
            return
        view = CaseView(self.workspace, detail)
        view.changed.connect(self._case_changed)
        view.erased.connect(self._case_erased)
        view.history.show_access.connect(
            lambda: self.show_audit(detail.case_id, detail.reference, "case.view")
        )
        self._show(view)
        if self.caseload is not None:
            self.caseload.select(case_id)

    def new_survivor(self, resume: bool = False) -> None:
        if self.caseload is None:
            return
        form = IntakeForm(self.workspace, resume=resume)
        form.saved.connect(self._intake_saved)
        form.open_existing.connect(self.open_case)
        form.cancelled.connect(lambda: self._show_empty())
        self._show(form)
        form.fields.first_name.setFocus()

    def _show_empty(self) -> None:
        self._show(QWidget())
        self.detail.setCurrentWidget(self.empty)

    def _intake_saved(self, detail: CaseDetail) -> None:
        self.open_case(detail.case_id)
        if self.caseload is not None:  # it reloads for the change (ui.changes), on her case
            self.caseload.pending_selection = detail.case_id

    # -- what the menus do (ui.windows.menus) ---------------------------------------------

    def current_case(self) -> CaseView | None:
        current = self.detail.currentWidget()
        return current if isinstance(current, CaseView) else None

    def case_open(self) -> bool | None:
        """True with a case on screen, False with the intake form (it saves), else None."""
        current = self.detail.currentWidget()
        if isinstance(current, CaseView):
            return True
        return False if isinstance(current, IntakeForm) else None

    def save_current(self) -> None:
        """Ctrl+S: the intake form saves; in a case, the note being written is added."""
        current = self.detail.currentWidget()
        if isinstance(current, IntakeForm) and current.save_button.isEnabled():
            current.save()
        elif isinstance(current, CaseView) and current.notes.body.toPlainText().strip():
            current.tabs.setCurrentWidget(current.notes)
            current.notes.add()

    def add_note(self) -> None:
        case = self.current_case()
        if case is not None:
            case.tabs.setCurrentWidget(case.notes)
            case.notes.body.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def correct_record(self) -> None:
        case = self.current_case()
        if case is not None and case.overview.edit_buttons:
            case.tabs.setCurrentWidget(case.overview)
            case.overview.correct()

    def next_case(self, step: int) -> None:
        """The next (``step`` 1) or previous (-1) case of the caseload, opened."""
        if self.caseload is None:
            return
        table, model = self.caseload.table, self.caseload.model
        rows = model.rowCount()
        if rows == 0:
            return
        current = table.currentIndex()
        row = current.row() + step if current.isValid() else (0 if step > 0 else rows - 1)
        row = max(0, min(rows - 1, row))
        index = model.index(row, 0)
        table.setCurrentIndex(index)
        self._open_index(index)

    def next_section(self, step: int) -> None:
        case = self.current_case()
        if case is not None:
            count = case.tabs.count()
            case.tabs.setCurrentIndex((case.tabs.currentIndex() + step) % count)

    def focus_caseload(self) -> None:
        if self.caseload is not None:
            self.caseload.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def refresh(self) -> None:
        """F5: the caseload and the case on screen, read again."""
        if self.caseload is not None:
            self.caseload.model.reload(locate=self.caseload.pending_selection)
        case = self.current_case()
        if case is not None:
            for index in range(case.tabs.count()):
                tab = case.tabs.widget(index)
                if isinstance(tab, Tab):
                    tab.reload()

    def place(self) -> Place:
        current = self.detail.currentWidget()
        sort_column, sort_order = 2, Qt.SortOrder.DescendingOrder
        if self.caseload is not None:
            header = self.caseload.table.horizontalHeader()
            sort_column, sort_order = header.sortIndicatorSection(), header.sortIndicatorOrder()
        if isinstance(current, CaseView):
            return Place("case", current.case_id, sort_column, sort_order)
        if isinstance(current, IntakeForm):
            return Place("intake", None, sort_column, sort_order)
        if isinstance(current, MyTasksView):
            return Place("tasks", None, sort_column, sort_order)
        return Place("empty", None, sort_column, sort_order)

    def restore(self, place: Place) -> None:
        if self.caseload is not None:
            self.caseload.table.sortByColumn(place.sort_column, place.sort_order)
        if place.view == "case" and place.case_id:
            self.open_case(place.case_id)
        elif place.view == "intake":
            self.new_survivor(resume=True)  # as it was before the lock
        elif place.view == "tasks":
            self.show_my_tasks()

    def clear(self) -> None:
        """Drop every row and form before the widget goes (on lock)."""
        keep_drafts(self, here=True)  # first: the key goes next, and scrub empties the forms
        if self.caseload is not None:
            layout_memory.remember_caseload(self.splitter, self.caseload.table.horizontalHeader())
            self.caseload.model.clear()
        scrub(self)  # until the event loop deletes them, they must hold nothing
        while self.detail.count():
            widget = self.detail.widget(0)
            if widget is None:
                break
            self.detail.removeWidget(widget)
            widget.deleteLater()
