"""Printing: the case file, a caseload report, a month of shelter occupancy. Each PDF is built
in the background with progress and written only where the user chooses (user-only, atomic)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from ui import jobs, operations
from ui.save_dialogs import ask_save_path, start_folder, with_suffix
from ui.widgets import date_edit, message_label, progress_bar, to_date

CASELOAD, OCCUPANCY, CASE_FILE = "caseload", "occupancy", "case"
LETTER_COUNTRIES = {
    QLocale.Country.UnitedStates,
    QLocale.Country.Canada,
    QLocale.Country.Mexico,
    QLocale.Country.Philippines,
    QLocale.Country.Chile,
    QLocale.Country.Colombia,
}


def tr(text: str) -> str:
    return QCoreApplication.translate("Reports", text)


class ReportDialog(QDialog):
    """Choose a report and where to save it. With ``case_id``, the case file of that case."""

    def __init__(
        self,
        workspace: Desk,
        case_id: str | None = None,
        case_reference: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.case_id = case_id
        self.case_reference = case_reference
        self._suggested = ""
        self.operation: operations.Operation[Path] | None = None
        self.setWindowTitle(tr("Print a report"))
        self.setMinimumWidth(520)
        form = QFormLayout()
        self.caseload_choice = QRadioButton(tr("Caseload report"))
        self.caseload_choice.setObjectName("chooseCaseload")
        self.occupancy_choice = QRadioButton(tr("Shelter occupancy for a month"))
        self.occupancy_choice.setObjectName("chooseOccupancy")
        group = QButtonGroup(self)
        group.addButton(self.caseload_choice)
        group.addButton(self.occupancy_choice)
        self.caseload_choice.setChecked(True)
        self.caseworker = QComboBox()
        self.caseworker.setObjectName("reportCaseworker")
        today = self.workspace.clock.today()
        last_month_end = today.replace(day=1) - timedelta(days=1)
        self.start = date_edit(last_month_end.replace(day=1), latest=today)
        self.end = date_edit(last_month_end, latest=today)
        self.year = QSpinBox()
        self.year.setRange(2000, today.year)
        self.year.setValue(last_month_end.year)
        self.month = QSpinBox()
        self.month.setRange(1, 12)
        self.month.setValue(last_month_end.month)
        if case_id is None:
            if workspace.actor.sees_all_cases:
                self.caseworker.addItem(tr("The whole organisation"), None)
                for worker_id, name in workspace.cases.caseworkers():
                    self.caseworker.addItem(name, worker_id)
            else:
                self.caseworker.addItem(workspace.actor.display_name, workspace.actor.user_id)
            form.addRow(tr("Report"), self.caseload_choice)
            form.addRow("", self.occupancy_choice)
            form.addRow(tr("Caseworker"), self.caseworker)
            period = QHBoxLayout()
            period.addWidget(self.start)
            period.addWidget(QLabel(tr("to")))
            period.addWidget(self.end)
            form.addRow(tr("Cases active from"), period)
            month = QHBoxLayout()
            month.addWidget(self.month)
            month.addWidget(self.year)
            form.addRow(tr("Month"), month)
        else:
            # The caseload's choices are not shown for a case file, but they must belong to the
            # dialog: a widget without a parent whose signal reaches the dialog (the choice's
            # toggled) kept it, and itself, alive for good, a cycle through Qt's connections.
            for unused in (
                self.caseload_choice,
                self.occupancy_choice,
                self.caseworker,
                self.start,
                self.end,
                self.month,
                self.year,
            ):
                unused.setParent(self)
                unused.hide()
            self.setWindowTitle(tr("Print the case file"))
            about = QLabel(
                tr(
                    "The case file of {0}: profile, consent, services, reviews, notes and "
                    "timeline, as you may see them. Printing is recorded in the audit trail."
                ).format(case_reference)
            )
            about.setWordWrap(True)  # it ran off the dialog's edge, cut mid-word
            form.addRow(about)
        self.page = QComboBox()
        self.page.setObjectName("pageSize")
        self.page.addItem("A4", False)
        self.page.addItem("Letter", True)
        if QLocale().territory() in LETTER_COUNTRIES:
            self.page.setCurrentIndex(1)
        form.addRow(tr("Paper"), self.page)
        self.path = QLineEdit()
        self.path.setObjectName("reportPath")
        browse = QPushButton(tr("Choose…"))
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        form.addRow(tr("Save as"), where)
        self.progress = progress_bar("reportProgress")
        self.outcome = message_label("reportResult")
        self.save_button = QPushButton(tr("Save the PDF"))
        self.save_button.setObjectName("saveReport")
        self.save_button.setDefault(True)
        close = QPushButton(tr("Close"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.outcome)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(self.build)
        close.clicked.connect(self.reject)
        self.caseload_choice.toggled.connect(lambda _on: self._enable())
        self._enable()
        self._suggest()
        for changed in (
            self.caseload_choice.toggled,
            self.start.dateChanged,
            self.end.dateChanged,
            self.month.valueChanged,
            self.year.valueChanged,
        ):
            changed.connect(lambda *_args: self._suggest())

    @property
    def kind(self) -> str:
        if self.case_id is not None:
            return CASE_FILE
        return CASELOAD if self.caseload_choice.isChecked() else OCCUPANCY

    @property
    def loading(self) -> bool:
        return operations.running(self.operation)

    def _enable(self) -> None:
        caseload = self.kind == CASELOAD
        for widget in (self.caseworker, self.start, self.end):
            widget.setEnabled(caseload)
        for spin in (self.month, self.year):
            spin.setEnabled(self.kind == OCCUPANCY)

    def suggested_name(self) -> str:
        """A file name that says what the report is and carries no one's name."""
        if self.kind == CASE_FILE:
            return f"case-file-{self.case_reference or 'case'}.pdf"
        if self.kind == CASELOAD:
            return (
                f"caseload-{to_date(self.start).isoformat()}-to-{to_date(self.end).isoformat()}.pdf"
            )
        return f"occupancy-{self.year.value()}-{self.month.value():02d}.pdf"

    def _suggest(self) -> None:
        """The path box follows the report chosen until the user picks or types a path."""
        if self.path.text() in ("", self._suggested):
            self._suggested = str(start_folder() / self.suggested_name())
            self.path.setText(self._suggested)

    def _browse(self) -> None:
        chosen = ask_save_path(self, tr("Save the report"), self.suggested_name())
        if chosen is not None:
            self.path.setText(str(chosen))

    def target(self) -> Path | None:
        """Where the PDF goes: what is in the box, in the start folder if it names no folder,
        with ".pdf" if it has none."""
        text = self.path.text().strip()
        if not text:
            return None
        path = with_suffix(text, ".pdf").expanduser()
        return path if path.is_absolute() else start_folder() / path

    def _builder(self) -> Callable[[], bytes]:
        workspace, letter = self.workspace, bool(self.page.currentData())
        if self.kind == CASE_FILE:
            case_id = self.case_id or ""
            return lambda: workspace.printing.case_summary(case_id, letter)
        if self.kind == CASELOAD:
            worker, start, end = (
                self.caseworker.currentData(),
                to_date(self.start),
                to_date(self.end),
            )
            return lambda: workspace.printing.caseload(worker, start, end, letter)
        year, month = self.year.value(), self.month.value()
        return lambda: workspace.printing.occupancy(year, month, letter)

    def build(self) -> None:
        if operations.running(self.operation):
            return
        target = self.target()
        if target is None:
            self.outcome.setText(tr("Choose where to save the PDF."))
            return
        build = self._builder()

        def work(job: jobs.Job) -> Path:
            from casework.reporting.pdf import save

            job.report(10)
            data = build()
            job.report(80)
            save(data, target)
            job.report(100)
            return target

        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.operation = operations.change(
            work,
            self._saved,
            parent=self,
            message=self.outcome,
            progress=self.progress,
            busy=[self.save_button],
        )

    def _saved(self, path: Path) -> None:
        self.outcome.show_success(tr("Saved {0}.").format(path))
