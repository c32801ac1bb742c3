"""Import cases from a CSV file or the HTCDS Excel template: a dry run first, then the import."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from casework.errors import CaseworkError
from casework.importer import ImportRefused, ImportReport, Problem, read_file, shown
from ui import operations
from ui.messages import error_text
from ui.widgets import busy_bar, message_label

# A table of a million problems would freeze the window; the command line lists them all.
MAX_SHOWN_PROBLEMS = 1_000


def tr(text: str) -> str:
    return QCoreApplication.translate("ImportDialog", text)


class ImportDialog(QDialog):
    def __init__(self, workspace: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.setWindowTitle(tr("Import cases"))
        self.resize(760, 520)
        self.data: bytes | None = None
        self.name = ""
        intro = QLabel(
            tr(
                "Choose a CSV file (UTF-8) or IOM's HTCDS Excel template. Safehold checks every "
                "row first and imports nothing until you confirm. Rows already imported are "
                "skipped."
            )
        )
        intro.setWordWrap(True)
        self.choose = QPushButton(tr("Choose a file…"))
        self.summary = message_label("infoText")
        self.summary.hide()
        self.error = message_label("errorText")
        self.busy = busy_bar()
        self.problems = QTableWidget(0, 4)
        self.problems.setHorizontalHeaderLabels(
            [tr("Row"), tr("Column"), tr("Value"), tr("Problem")]
        )
        self.problems.verticalHeader().hide()
        self.problems.horizontalHeader().setStretchLastSection(True)
        self.import_button = QPushButton(tr("Import"))
        self.import_button.setObjectName("commitImport")
        self.import_button.setEnabled(False)
        close = QPushButton(tr("Close"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.choose)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.busy)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addWidget(self.problems, 1)
        layout.addLayout(buttons)
        self.choose.clicked.connect(self.pick)
        self.import_button.clicked.connect(self.commit)
        close.clicked.connect(self.reject)

    def pick(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, tr("Import cases"), "", tr("Case files (*.csv *.xlsx);;All files (*)")
        )
        if path:
            self.load(Path(path))

    def load(self, path: Path) -> None:
        """Read the file and run the dry run in the background."""
        self.import_button.setEnabled(False)
        try:
            self.data, self.name = read_file(path), path.name
        except CaseworkError as error:
            self.error.setText(error_text(error))
            return
        self._run(commit=False)

    def commit(self) -> None:
        self._run(commit=True)

    def _run(self, commit: bool) -> None:
        data, name, workspace = self.data, self.name, self.workspace
        if data is None:
            return
        self.error.clear()
        self.import_button.setEnabled(False)
        operations.change(
            lambda _job: workspace.imports.cases(data, name, commit),
            self._done,
            parent=self,
            failed=self._failed,
            progress=self.busy,
            busy=[self.choose],
        )

    def _show_problems(self, problems: list[Problem]) -> None:
        """Fill the table with the first problems (a value quoted by its start only)."""
        listed = problems[:MAX_SHOWN_PROBLEMS]
        self.problems.setRowCount(len(listed))
        for row, problem in enumerate(listed):
            for column, text in enumerate(
                (str(problem.row), problem.column, shown(problem.value), problem.reason)
            ):
                self.problems.setItem(row, column, QTableWidgetItem(text))
        self.problems.resizeColumnsToContents()

    def _left_out(self, report: ImportReport) -> str:
        """The sentence to add when the table does not list every problem."""
        total = report.problem_count
        if total <= MAX_SHOWN_PROBLEMS:
            return ""
        return " " + tr(
            "The first {0} of {1} problems are listed; the command line "
            "(safehold-admin import cases) lists them all."
        ).format(MAX_SHOWN_PROBLEMS, total)

    def _done(self, report: ImportReport) -> None:
        self._show_problems(report.problems)
        bad_rows = report.rows_with_problems
        if report.committed:
            text = tr("Imported {0} cases. {1} rows with problems were not imported.").format(
                report.imported, bad_rows
            )
        else:
            text = tr(
                "{0} rows read: {1} can be imported, {2} were imported before, {3} have problems "
                "(listed below). Nothing has been imported yet."
            ).format(report.rows_read, report.valid, report.already_present, bad_rows)
            self.import_button.setText(tr("Import {0} cases").format(report.valid))
            self.import_button.setEnabled(report.valid > 0)
        if report.ignored_columns:
            text += " " + tr("Columns ignored: {0}.").format(", ".join(report.ignored_columns))
        self.summary.setText(text + self._left_out(report))
        self.summary.show()

    def _failed(self, error: BaseException) -> None:
        self.summary.hide()
        self.error.setText(error_text(error))
        if isinstance(error, ImportRefused) and error.report is not None:
            self._show_problems(error.report.problems)
            self.error.setText(error_text(error) + self._left_out(error.report))
        else:
            self.problems.setRowCount(0)
