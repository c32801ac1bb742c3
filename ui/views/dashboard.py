"""The supervisor's dashboard: what needs attention, every number a way into the cases behind
it. Figures are computed in the background; the window never waits for them."""

from __future__ import annotations

from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QCoreApplication, QMargins, Qt, QTime, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from casework.application.types import DEFAULT_NO_CONTACT_DAYS, Dashboard, Figure
from ui import changes, operations
from ui.messages import error_text
from ui.views.case_list import CaseList
from ui.widgets import busy_bar, message_label

PAGE = 500
ACCENT = QColor("#2a6f97")


def tr(text: str) -> str:
    return QCoreApplication.translate("Dashboard", text)


TILES_ACROSS = 3  # nine figures in three rows: the page fits beside the caseload on a laptop


class DashboardView(QWidget):
    show_cases = Signal(str, list)  # a title and the case ids behind a figure

    def __init__(self, workspace: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.board: Dashboard | None = None
        self.operation: operations.Operation[Any] | None = None
        title = QLabel(tr("Caseload dashboard"))
        title.setObjectName("pageTitle")
        self.no_contact_days = QSpinBox()
        self.no_contact_days.setObjectName("noContactDays")
        self.no_contact_days.setRange(1, 3650)
        self.no_contact_days.setValue(DEFAULT_NO_CONTACT_DAYS)
        self.no_contact_days.setSuffix(tr(" days"))
        self.refresh_button = QPushButton(tr("Refresh"))
        self.refresh_button.setObjectName("refreshDashboard")
        self.reassign_button = QPushButton(tr("Move cases between caseworkers…"))
        self.reassign_button.setObjectName("openReassign")
        self.updated = QLabel()
        self.updated.setObjectName("subtitle")
        header = QHBoxLayout()
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(QLabel(tr("No contact for more than")))
        header.addWidget(self.no_contact_days)
        header.addWidget(self.refresh_button)
        self.busy = busy_bar()
        self.message = message_label("errorText")
        self.tiles = QGridLayout()
        self.tile_buttons: dict[str, QPushButton] = {}
        self.people = QTableWidget(0, 3)
        self.people.setObjectName("perCaseworker")
        self.people.setHorizontalHeaderLabels(
            [tr("Caseworker"), tr("Open cases"), tr("Cases with overdue tasks")]
        )
        self.people.verticalHeader().hide()
        self.people.horizontalHeader().setStretchLastSection(True)
        self.people.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.people.setMaximumHeight(180)
        self.people.cellActivated.connect(self._person_cell)
        self.people.cellClicked.connect(self._person_cell)
        self.caseload_chart = QChartView()
        self.caseload_chart.setObjectName("caseloadChart")
        self.caseload_chart.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.caseload_chart.setMinimumHeight(220)
        self.occupancy_chart = QChartView()
        self.occupancy_chart.setObjectName("occupancyChart")
        self.occupancy_chart.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.occupancy_chart.setMinimumHeight(220)
        charts = QHBoxLayout()
        charts.addWidget(self.caseload_chart, 1)
        charts.addWidget(self.occupancy_chart, 1)
        footer = QHBoxLayout()
        footer.addWidget(self.updated)
        footer.addStretch(1)
        footer.addWidget(self.reassign_button)
        # the page scrolls within its place when the window is smaller than it
        content = QWidget()
        scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroller)
        layout = QVBoxLayout(content)
        layout.addLayout(header)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addLayout(self.tiles)
        layout.addLayout(charts, 1)
        layout.addWidget(self.people)
        layout.addLayout(footer)
        self.refresh_button.clicked.connect(self.refresh)
        self.no_contact_days.editingFinished.connect(self.refresh)
        self.reassign_button.clicked.connect(lambda: self.open_reassign())
        self.refresh()
        changes.follow(self, self.refresh)  # a change made elsewhere shows here too

    # -- loading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        if operations.running(self.operation):
            return
        days, workspace = self.no_contact_days.value(), self.workspace
        self.operation = operations.query(
            lambda: workspace.supervision.dashboard(days),
            self._shown,
            parent=self,
            message=self.message,
            progress=self.busy,
            busy=[self.refresh_button],
        )

    @property
    def loading(self) -> bool:
        return operations.running(self.operation)

    def _shown(self, board: Dashboard) -> None:
        self.board = board
        self._fill_tiles(board)
        self._fill_people(board)
        self._fill_caseload_chart(board)
        self._fill_occupancy_chart(board)
        self.updated.setText(tr("Updated at {0}").format(QTime.currentTime().toString("HH:mm")))

    # -- figures -------------------------------------------------------------------------------

    def _fill_tiles(self, board: Dashboard) -> None:
        while self.tiles.count():
            item = self.tiles.takeAt(0)
            tile = item.widget() if item is not None else None
            if tile is not None:
                tile.deleteLater()
        self.tile_buttons.clear()
        tiles = [
            (board.new_this_month, tr("New this month")),
            (board.new_this_quarter, tr("New this quarter")),
            (board.closed_this_month, tr("Closed this month")),
            (board.closed_this_quarter, tr("Closed this quarter")),
            (
                board.no_recent_contact,
                tr("No contact for {0}+ days").format(board.no_contact_days),
            ),
            (board.pending_approvals, tr("Waiting for approval")),
            (board.reviews_overdue, tr("Overdue for review")),
            (
                board.sheltered_today,
                tr("In shelter today ({0} beds)").format(board.beds),
            ),
            (board.hearings_this_week, tr("Hearings this week")),
        ]
        for index, (figure, label) in enumerate(tiles):
            button = QPushButton(f"{figure.value}\n{label}")
            button.setObjectName(f"figure_{figure.key}")
            button.setMinimumHeight(56)
            # What asks for someone's action stands out while there is any of it.
            attention = figure in (
                board.pending_approvals,
                board.reviews_overdue,
                board.no_recent_contact,
            )
            button.setProperty("attention", bool(attention and figure.value))
            button.setToolTip(tr("Show the cases behind this number"))
            button.clicked.connect(lambda _=False, f=figure, t=label: self.open_figure(f, t))
            self.tiles.addWidget(button, index // TILES_ACROSS, index % TILES_ACROSS)
            self.tile_buttons[figure.key] = button

    def open_figure(self, figure: Figure, title: str | None = None) -> None:
        self.show_cases.emit(title or tr(figure.label), list(figure.case_ids))

    def _fill_people(self, board: Dashboard) -> None:
        overdue = {f.key.split(":", 1)[1]: f for f in board.overdue_tasks_by_caseworker}
        open_ = {f.key.split(":", 1)[1]: f for f in board.open_by_caseworker}
        workers = sorted(
            set(overdue) | set(open_),
            key=lambda w: (open_.get(w) or overdue[w]).label,
        )
        self.people.setRowCount(len(workers))
        self._people_figures: list[tuple[Figure | None, Figure | None]] = []
        for row, worker in enumerate(workers):
            name = (open_.get(worker) or overdue[worker]).label
            figures = (open_.get(worker), overdue.get(worker))
            self._people_figures.append(figures)
            self.people.setItem(row, 0, QTableWidgetItem(name))
            for column, figure in enumerate(figures, start=1):
                item = QTableWidgetItem(str(figure.value if figure else 0))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.people.setItem(row, column, item)
        self.people.resizeColumnsToContents()

    def _person_cell(self, row: int, column: int) -> None:
        if column == 0 or row >= len(self._people_figures):
            return
        figure = self._people_figures[row][column - 1]
        if figure is not None and figure.value:
            what = tr("Open cases") if column == 1 else tr("Cases with overdue tasks")
            self.open_figure(figure, f"{what} · {figure.label}")

    def _fill_caseload_chart(self, board: Dashboard) -> None:
        figures = board.open_by_caseworker
        bars = QBarSet(tr("Open cases"))
        bars.setColor(ACCENT)
        for figure in figures:
            bars.append(figure.value)
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.clicked.connect(
            lambda index, _set: self.open_figure(
                figures[index], f"{tr('Open cases')} · {figures[index].label}"
            )
        )
        chart = QChart()
        chart.addSeries(series)
        chart.setTitle(tr("Open cases per caseworker (click a bar)"))
        chart.legend().hide()
        names = QBarCategoryAxis()
        names.append([f.label for f in figures])
        chart.addAxis(names, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(names)
        counts = QValueAxis()
        counts.setLabelFormat("%d")
        counts.setRange(0, max([f.value for f in figures] or [1]) * 1.15)
        counts.applyNiceNumbers()
        chart.addAxis(counts, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(counts)
        chart.setMargins(QMargins(4, 4, 4, 4))
        self.caseload_chart.setChart(chart)

    def _fill_occupancy_chart(self, board: Dashboard) -> None:
        bars = QBarSet(tr("Beds used"))
        bars.setColor(ACCENT)
        labels = []
        for start, used, available in board.occupancy_weeks:
            bars.append(round(100 * used / available) if available else 0)
            labels.append(str(start.isocalendar().week))
        series = QBarSeries()
        series.append(bars)
        chart = QChart()
        chart.addSeries(series)
        # today's figure is on its tile: the title stays short enough for a laptop's half
        chart.setTitle(tr("Shelter occupancy by ISO week (%)"))
        chart.legend().hide()
        weeks = QBarCategoryAxis()
        weeks.append(labels)
        weeks.setTitleText(tr("ISO week"))
        small = weeks.labelsFont()
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.85))  # twelve weeks, none cut
        weeks.setLabelsFont(small)
        chart.addAxis(weeks, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(weeks)
        share = QValueAxis()
        share.setRange(0, 100)
        share.setLabelFormat("%d")
        chart.addAxis(share, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(share)
        chart.setMargins(QMargins(4, 4, 4, 4))
        self.occupancy_chart.setChart(chart)

    def open_reassign(self) -> ReassignDialog | None:
        if self.board is None:
            return None
        dialog = ReassignDialog(self.workspace, self.board, self)  # each move: read again
        dialog.open()
        return dialog


class CasesView(CaseList):
    """The cases behind a dashboard figure, loaded a page at a time in the background."""

    def __init__(
        self, workspace: Desk, title: str, case_ids: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(tr("{0} · {1} cases").format(title, len(case_ids)), parent)
        self.workspace = workspace
        self.case_ids = case_ids
        self.shown = 0
        self.more = QPushButton(tr("Show more"))
        self.more.clicked.connect(self.load_more)
        self.box.addWidget(self.more)
        self.operation: operations.Operation[Any] | None = None
        if not case_ids:
            self.heading(tr("No cases."))
        self.load_more()

    def load_more(self) -> None:
        batch = self.case_ids[self.shown : self.shown + PAGE]
        self.more.setVisible(False)
        if not batch or operations.running(self.operation):
            return
        workspace = self.workspace
        self.operation = operations.query(
            lambda: workspace.cases.caseload_rows(batch),
            self._loaded,
            parent=self,
            message=self.message,
        )

    def _loaded(self, rows: list[Any]) -> None:
        for row in rows:
            self.entry(
                f"{row.reference} — {row.survivor_name} — {row.caseworker}",
                row.case_id,
            )
        self.shown += PAGE
        self.more.setVisible(self.shown < len(self.case_ids))

    @property
    def loading(self) -> bool:
        return operations.running(self.operation)


class ReassignDialog(QDialog):
    """Move one case or many from one caseworker to another, with a reason. Nothing is chosen
    for the user: no case is ticked, "To" is empty and never offers "From", Move waits for
    cases, a caseworker and a reason, and asks once more naming how many cases go to whom."""

    def __init__(self, workspace: Desk, board: Dashboard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.setWindowTitle(tr("Move cases between caseworkers"))
        self.resize(560, 560)
        self.source = QComboBox()
        self.source.setObjectName("fromCaseworker")
        for figure in board.open_by_caseworker:
            self.source.addItem(
                tr("{0} ({1} open cases)").format(figure.label, figure.value), figure
            )
        self.cases = QListWidget()
        self.cases.setObjectName("casesToMove")
        self.all = QCheckBox(tr("All of them"))
        self.all.setObjectName("moveAll")
        self.target = QComboBox()
        self.target.setObjectName("toCaseworker")
        self.workers = workspace.cases.caseworkers()
        self.reason = QLineEdit()
        self.reason.setObjectName("reassignReason")
        self.reason.setPlaceholderText(tr("For example: Amina has left the organisation"))
        self.busy = busy_bar()
        self.outcome = message_label("errorText")
        form = QFormLayout()
        form.addRow(tr("From"), self.source)
        form.addRow(self.all)
        form.addRow(self.cases)
        form.addRow(tr("To"), self.target)
        form.addRow(tr("Reason"), self.reason)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Close
        )
        self.move_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.move_button.setText(tr("Move"))
        self.move_button.setObjectName("moveCases")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.busy)
        layout.addWidget(self.outcome)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.move_cases)
        self.buttons.rejected.connect(self.reject)
        self.source.currentIndexChanged.connect(lambda _i: self._load_cases())
        self.all.toggled.connect(self._check_all)
        self.cases.itemChanged.connect(lambda _item: self._enable())
        self.target.currentIndexChanged.connect(lambda _i: self._enable())
        self.reason.textChanged.connect(lambda _text: self._enable())
        self.operation: operations.Operation[Any] | None = None
        self._load_cases()

    def _fill_targets(self) -> None:
        """Every caseworker but the one the cases are moved from; none chosen yet."""
        figure = self.source.currentData()
        source = figure.key.removeprefix("open:") if figure is not None else None
        chosen = self.target.currentData()
        self.target.blockSignals(True)
        self.target.clear()
        self.target.addItem(tr("Choose a caseworker"), None)
        for worker_id, name in self.workers:
            if worker_id != source:
                self.target.addItem(name, worker_id)
        index = self.target.findData(chosen) if chosen is not None else 0
        self.target.setCurrentIndex(max(index, 0))
        self.target.blockSignals(False)
        self._enable()

    def _enable(self) -> None:
        self.move_button.setEnabled(
            bool(self.chosen())
            and self.target.currentData() is not None
            and bool(self.reason.text().strip())  # a move is always said why
            and not self.loading
        )

    def _load_cases(self) -> None:
        self.cases.clear()
        self.all.setChecked(False)
        self._fill_targets()
        figure = self.source.currentData()
        if figure is None:
            return
        ids = list(figure.case_ids)
        workspace = self.workspace

        def loaded(rows: list[Any]) -> None:
            if self.operation is loading:  # not one for a caseworker chosen before
                self._cases_loaded(rows)

        loading = self.operation = operations.query(
            lambda: workspace.cases.caseload_rows(ids),
            loaded,
            parent=self,
            failed=lambda error: self.outcome.setText(error_text(error)),  # keeps "Moved…"
        )

    def _cases_loaded(self, rows: list[Any]) -> None:
        for row in rows:
            item = QListWidgetItem(f"{row.reference} — {row.survivor_name}")
            item.setData(Qt.ItemDataRole.UserRole, row.case_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if self.all.isChecked() else Qt.CheckState.Unchecked
            )
            self.cases.addItem(item)
        self._enable()

    def _check_all(self, on: bool) -> None:
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        for row in range(self.cases.count()):
            self.cases.item(row).setCheckState(state)

    def chosen(self) -> list[str]:
        return [
            self.cases.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.cases.count())
            if self.cases.item(row).checkState() == Qt.CheckState.Checked
        ]

    def move_cases(self) -> None:
        ids, target, reason = self.chosen(), self.target.currentData(), self.reason.text()
        if not ids or target is None:
            return
        figure = self.source.currentData()
        question = tr("Move {0} cases from {1} to {2}?").format(
            len(ids), figure.label if figure is not None else "", self.target.currentText()
        )
        answer = QMessageBox.question(
            self,
            tr("Move cases"),
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        workspace = self.workspace
        self.operation = operations.change(
            lambda _job: workspace.supervision.reassign_many(ids, target, reason),
            self._moved,
            parent=self,
            message=self.outcome,
            progress=self.busy,
            busy=[self.buttons],
            ended=self._enable,
        )

    def _moved(self, count: int) -> None:
        self.outcome.show_success(
            tr("Moved {0} cases to {1}.").format(count, self.target.currentText())
        )
        self._load_source_again()

    def _load_source_again(self) -> None:
        """Both counts say what is now so: the cases left with "From", and those "To" has."""
        figure, target = self.source.currentData(), self.target.currentData()
        if figure is None:
            return
        moved = tuple(self.chosen())
        keys = [self.source.itemData(i).key for i in range(self.source.count())]
        if f"open:{target}" not in keys:  # had none before: now one to move cases from too
            self.source.addItem("", Figure(f"open:{target}", self.target.currentText(), ()))
        for index in range(self.source.count()):
            entry = self.source.itemData(index)
            if index == self.source.currentIndex():
                cases = tuple(c for c in entry.case_ids if c not in set(moved))
            elif entry.key == f"open:{target}":
                cases = entry.case_ids + moved
            else:
                continue
            self.source.setItemData(index, Figure(entry.key, entry.label, cases))
            self.source.setItemText(
                index, tr("{0} ({1} open cases)").format(entry.label, len(cases))
            )
        self._load_cases()

    @property
    def loading(self) -> bool:
        return operations.running(self.operation)
