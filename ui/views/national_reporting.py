"""De-identified reporting for data officers and administrators: reporting profiles, and the
export wizard (choose, preview what will be published, export with progress and cancel)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from casework.application.desk import Desk
from casework.reporting import quarterly, records
from casework.reporting.disclosure import SUPPRESSED
from casework.reporting.release_files import PastExport
from ui import changes, jobs, operations
from ui.messages import error_text
from ui.widgets import message_label, progress_bar

QUARTERLY, RECORDS = "quarterly", "records"
PREVIEW_ROWS = 100
TABLE_TITLES = {
    "T1": "T1 · Cases by trafficking type",
    "T2": "T2 · People by age band and gender",
    "T3": "T3 · Citizenship by trafficking type",
    "T4": "T4 · People served, by service",
    "T5": "T5 · Shelter",
    "T6": "T6 · Referrals",
    "T7": "T7 · Closures by reason",
}


def tr(text: str) -> str:
    return QCoreApplication.translate("Reporting", text)


def recent_quarters(today: date, count: int = 8) -> list[str]:
    """The last ``count`` quarters that have started, newest first (the current one included:
    the wizard defaults to the last complete one)."""
    index = today.year * 4 + (today.month - 1) // 3
    return [f"{i // 4}-Q{i % 4 + 1}" for i in range(index, index - count, -1)]


def published_tables(csv_bytes: bytes) -> dict[str, dict[tuple[str, str], tuple[str, str]]]:
    """summary.csv as table id -> (row, column) -> (value, flag), in file order."""
    tables: dict[str, dict[tuple[str, str], tuple[str, str]]] = {}
    for row in csv.DictReader(io.StringIO(csv_bytes.decode("utf-8"))):
        tables.setdefault(row["table_id"], {})[(row["row_key"], row["col_key"])] = (
            row["value"],
            row["flag"],
        )
    return tables


class ReportingView(QWidget):
    def __init__(self, workspace: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        title = QLabel(tr("De-identified reporting"))
        title.setObjectName("pageTitle")
        note = QLabel(
            tr(
                "Exports leave the encrypted vault in clear text, so they carry no names and no "
                "free text: only counts with small cells suppressed and rounded, or records "
                "generalised until no one stands out. Each export is recorded in the audit "
                "trail with the fingerprint of every file."
            )
        )
        note.setWordWrap(True)
        self.profiles = QTableWidget(0, 6)
        self.profiles.setObjectName("profiles")
        self.profiles.setHorizontalHeaderLabels(
            [
                tr("Profile"),
                tr("Recipient"),
                tr("Recipient's id"),
                tr("Withheld below / rounded to"),
                tr("Records"),
                tr("Group size / kinds"),
            ]
        )
        for column, explained in enumerate(_help()):
            header = self.profiles.horizontalHeaderItem(column)
            if header is not None and explained:
                header.setToolTip(explained)
        self.profiles.verticalHeader().hide()
        self.profiles.horizontalHeader().setStretchLastSection(True)
        self.profiles.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.profiles.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.add_button = QPushButton(tr("Add a profile…"))
        self.add_button.setObjectName("addProfile")
        self.export_button = QPushButton(tr("Export…"))
        self.export_button.setObjectName("openExport")
        self.message = message_label("errorText")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(note)
        layout.addWidget(QLabel(tr("Reporting profiles")))
        layout.addWidget(self.profiles, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.history = QTableWidget(0, 5)
        self.history.setObjectName("pastExports")
        self.history.setHorizontalHeaderLabels(
            [tr("When"), tr("By"), tr("What"), tr("For"), tr("Files (SHA-256)")]
        )
        header = self.history.horizontalHeaderItem(4)
        if header is not None:
            header.setToolTip(
                tr(
                    "The fingerprint of each file as it was written. A file whose fingerprint "
                    "is not listed here is not the file Safehold exported."
                )
            )
        self.history.verticalHeader().hide()
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setWordWrap(True)
        self.history_note = QLabel()
        self.history_note.setObjectName("subtitle")
        layout.addWidget(QLabel(tr("Past exports")))
        layout.addWidget(self.history, 1)
        layout.addWidget(self.history_note)
        self.loading_history: operations.Operation[list[PastExport]] | None = None
        self.add_button.clicked.connect(lambda: self.add_profile())
        self.export_button.clicked.connect(lambda: self.open_export())
        self.refresh()
        changes.follow(self, self.refresh)  # a change made elsewhere shows here too

    def refresh(self) -> None:
        try:
            listed = self.workspace.reporting.profiles()
        except Exception as error:  # shown, not raised: the view stays usable
            self.message.setText(error_text(error))
            return
        self.profiles.setRowCount(len(listed))
        for row, p in enumerate(listed):
            cells = [
                p.name,
                p.recipient,
                p.hub_id,
                f"{p.threshold} / {p.rounding_base}",
                tr("allowed") if p.records_enabled else tr("not allowed"),
                f"{p.k} / {p.l_diversity}" if p.records_enabled else "",
            ]
            for column, text in enumerate(cells):
                self.profiles.setItem(row, column, QTableWidgetItem(text))
        self.profiles.resizeColumnsToContents()
        self.export_button.setEnabled(bool(listed))
        if not listed:
            self.message.setText(tr("Add a reporting profile before the first export."))
        else:
            self.message.clear()
        reporting = self.workspace.reporting
        self.loading_history = operations.query(  # read from the audit trail, off the UI thread
            reporting.past_exports, self._show_history, parent=self, message=self.message
        )

    def _show_history(self, past: list[PastExport]) -> None:
        kinds = {"quarterly": tr("Quarterly summary"), "records": tr("Record-level export")}
        self.history.setRowCount(len(past))
        for row, export in enumerate(past):
            # the fingerprint's first 16 characters on screen (enough to tell files apart),
            # every character in its tooltip, for a full comparison
            shown = "\n".join(f"{name}  {digest[:16]}…" for name, digest in export.files)
            files = "\n".join(f"{name}  {digest}" for name, digest in export.files)
            cells = [
                export.at.astimezone().strftime("%Y-%m-%d %H:%M"),
                export.by,
                f"{kinds.get(export.kind, export.kind)} {export.period}",
                f"{export.recipient} ({export.profile})" if export.recipient else export.profile,
                shown,
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(files if column == len(cells) - 1 else text)
                self.history.setItem(row, column, item)
        self.history.resizeColumnsToContents()
        self.history.resizeRowsToContents()
        self.history_note.setText(
            tr("No export has been made yet.")
            if not past
            else tr("Every export made from this vault, newest first, from the audit trail.")
        )

    def add_profile(self) -> ProfileDialog:
        dialog = ProfileDialog(self.workspace, self)
        dialog.accepted.connect(self.refresh)
        dialog.open()
        return dialog

    def open_export(self) -> ExportWizard:
        wizard = ExportWizard(self.workspace, self)
        wizard.open()
        return wizard


def _help() -> list[str]:
    return [
        "",
        "",
        tr(
            "The identifier the recipient gave your organisation (a hub id): it keys the "
            "pseudonymous ids of record exports, so theirs differ from any other recipient's."
        ),
        tr(
            "Counts from 1 to one less than the first figure are withheld (shown as x); every "
            "published count is rounded to a multiple of the second."
        ),
        tr("Whether this recipient may receive record-level (one row per person) exports."),
        tr(
            "Record exports: every group of people alike in age band, gender, citizenship, "
            "country of exploitation and year holds at least the first figure of people (k), "
            "with at least the second figure of kinds of trafficking among them (l)."
        ),
    ]


class ProfileDialog(QDialog):
    def __init__(self, workspace: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.setWindowTitle(tr("Add a reporting profile"))
        self.setMinimumWidth(440)
        self.name = QLineEdit()
        self.name.setObjectName("profileName")
        self.name.setPlaceholderText(tr("National quarterly return"))
        self.recipient = QLineEdit()
        self.hub_id = QLineEdit()
        self.hub_id.setObjectName("hubId")
        self.threshold = QSpinBox()
        self.threshold.setRange(1, 100)
        self.threshold.setValue(10)
        self.rounding = QSpinBox()
        self.rounding.setRange(1, 100)
        self.rounding.setValue(5)
        self.records = QCheckBox(tr("Allow record-level exports"))
        self.records.setObjectName("allowRecords")
        self.k = QSpinBox()
        self.k.setRange(1, 1000)
        self.k.setValue(11)
        self.l_diversity = QSpinBox()
        self.l_diversity.setRange(1, 100)
        self.l_diversity.setValue(2)
        form = QFormLayout()
        form.addRow(tr("Name"), self.name)
        form.addRow(tr("Recipient"), self.recipient)
        explained = _help()
        for widget, text in (
            (self.hub_id, explained[2]),
            (self.threshold, explained[3]),
            (self.rounding, explained[3]),
            (self.records, explained[4]),
            (self.k, explained[5]),
            (self.l_diversity, explained[5]),
        ):
            widget.setToolTip(text)
            widget.setWhatsThis(text)
        form.addRow(tr("Recipient's id (hub id)"), self.hub_id)
        form.addRow(tr("Withhold counts below"), self.threshold)
        form.addRow(tr("Round counts to a multiple of"), self.rounding)
        form.addRow("", self.records)
        form.addRow(tr("Smallest group of people alike (k)"), self.k)
        form.addRow(tr("Kinds of trafficking in each group (l)"), self.l_diversity)
        about = QLabel(
            tr(
                "Point at a field to read what it means. Set them as the recipient's "
                "data-sharing agreement asks; when unsure, raise them, never lower them."
            )
        )
        about.setWordWrap(True)
        about.setObjectName("subtitle")
        form.addRow(about)
        self.error = message_label("errorText")
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(box)
        box.accepted.connect(self.save)
        box.rejected.connect(self.reject)
        self.records.toggled.connect(self._records_toggled)
        self._records_toggled(False)

    def _records_toggled(self, on: bool) -> None:
        self.k.setEnabled(on)
        self.l_diversity.setEnabled(on)

    def save(self) -> None:
        try:
            self.workspace.reporting.add_profile(
                self.name.text(),
                self.hub_id.text(),
                self.recipient.text(),
                self.threshold.value(),
                self.rounding.value(),
                self.records.isChecked(),
                self.k.value(),
                self.l_diversity.value(),
            )
        except Exception as error:
            self.error.setText(error_text(error))
            return
        self.accept()


class ExportWizard(QDialog):
    """Three steps: what to export, a preview of exactly what will be published, the export."""

    def __init__(self, workspace: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.setWindowTitle(tr("De-identified export"))
        self.resize(860, 620)
        self.operation: operations.Operation[Any] | None = None
        self.release: Any = None
        self.steps = QStackedWidget()
        self.steps.addWidget(self._choose_step())
        self.steps.addWidget(self._preview_step())
        self.steps.addWidget(self._export_step())
        self.progress = progress_bar("exportProgress")
        self.error = message_label("errorText")
        self.back_button = QPushButton(tr("Back"))
        self.next_button = QPushButton(tr("Preview"))
        self.next_button.setObjectName("wizardNext")
        self.next_button.setDefault(True)
        self.cancel_button = QPushButton(tr("Close"))
        self.cancel_button.setObjectName("wizardCancel")
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.steps, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.cancel_button.clicked.connect(self.cancel)
        self._show_step(0)

    # -- steps -------------------------------------------------------------------------------

    def _choose_step(self) -> QWidget:
        page = QWidget()
        self.quarterly_choice = QRadioButton(tr("Quarterly summary (counts, tables T1 to T7)"))
        self.quarterly_choice.setObjectName("chooseQuarterly")
        self.records_choice = QRadioButton(tr("Record-level de-identified file (one year)"))
        self.records_choice.setObjectName("chooseRecords")
        self.quarterly_choice.setChecked(True)
        group = QButtonGroup(page)
        group.addButton(self.quarterly_choice)
        group.addButton(self.records_choice)
        self.period = QComboBox()
        self.period.setObjectName("exportPeriod")
        self.profile = QComboBox()
        self.profile.setObjectName("exportProfile")
        for p in self.workspace.reporting.profiles():
            self.profile.addItem(p.name, p.records_enabled)
        form = QFormLayout()
        form.addRow(tr("Export"), self.quarterly_choice)
        form.addRow("", self.records_choice)
        form.addRow(tr("Period"), self.period)
        form.addRow(tr("Profile"), self.profile)
        explain = QLabel(
            tr(
                "Only people who consented to this kind of sharing are included, as their "
                "consent stands at the moment of export. Nothing is written until the last step."
            )
        )
        explain.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addWidget(explain)
        layout.addStretch(1)
        self.quarterly_choice.toggled.connect(lambda _on: self._fill_periods())
        self._fill_periods()
        return page

    def _fill_periods(self) -> None:
        today = self.workspace.clock.today()
        self.period.clear()
        if self.kind == QUARTERLY:
            quarters = recent_quarters(today)
            self.period.addItems(quarters)
            self.period.setCurrentIndex(1)  # the last complete quarter
        else:
            self.period.addItems([str(today.year - i) for i in range(6)])
            self.period.setCurrentIndex(1 if today.month < 4 else 0)

    def _preview_step(self) -> QWidget:
        page = QWidget()
        self.preview_summary = message_label("previewSummary", usual="info")
        self.preview_tabs = QTabWidget()
        self.preview_tabs.setObjectName("previewTables")
        layout = QVBoxLayout(page)
        layout.addWidget(self.preview_summary)
        layout.addWidget(self.preview_tabs, 1)
        return page

    def _export_step(self) -> QWidget:
        page = QWidget()
        intro = QLabel(
            tr(
                "Choose a new or empty folder. The files are readable only by you; send them "
                "to the recipient by a channel you trust, and delete them when done."
            )
        )
        intro.setWordWrap(True)
        self.folder = QLineEdit()
        self.folder.setObjectName("exportFolder")
        browse = QPushButton(tr("Choose…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.outcome = message_label("exportResult")
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.outcome)
        layout.addStretch(1)
        return page

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, tr("Export into folder"))
        if chosen:
            self.folder.setText(chosen)

    @property
    def kind(self) -> str:
        return QUARTERLY if self.quarterly_choice.isChecked() else RECORDS

    def _show_step(self, index: int) -> None:
        self.steps.setCurrentIndex(index)
        self.back_button.setEnabled(index > 0 and not self.loading)
        self.next_button.setText([tr("Preview"), tr("Continue"), tr("Export")][index])
        self.next_button.setEnabled(not self.loading)
        self.error.clear()

    def back(self) -> None:
        if not self.loading and self.steps.currentIndex() > 0:
            self._show_step(self.steps.currentIndex() - 1)

    def next(self) -> None:
        step = self.steps.currentIndex()
        if step == 0:
            self.preview()
        elif step == 1:
            self._show_step(2)
            self.outcome.clear()
        else:
            self.export()

    # -- work ----------------------------------------------------------------------------------

    def _start(self, work: Any, done: Any, determinate: bool) -> None:
        self.progress.setRange(0, 100 if determinate else 0)
        self.progress.setValue(0)
        self.cancel_button.setText(tr("Cancel"))
        previewing = self.steps.currentIndex() == 0

        def finished(result: Any) -> None:
            if previewing and operation.job.cancelled:
                self._cancelled()  # a preview nobody waits for any more
            else:
                done(result)

        operation = self.operation = operations.change(
            work,
            finished,
            parent=self,
            message=self.error,
            progress=self.progress,
            busy=[self.next_button, self.back_button],
            reported=lambda percent, _text: self.progress.setValue(percent),
            cancelled=self._cancelled,
            ended=self._settle,
        )

    @property
    def loading(self) -> bool:
        return operations.running(self.operation)

    def _settle(self) -> None:
        self.cancel_button.setText(tr("Close"))
        self._show_step(self.steps.currentIndex())

    def _cancelled(self) -> None:
        self.error.show_info(tr("Cancelled. Nothing was written."))

    def preview(self) -> None:
        kind, profile, period = self.kind, self.profile.currentText(), self.period.currentText()
        workspace = self.workspace

        def work(job: jobs.Job) -> Any:
            return workspace.reporting.preview(
                kind, profile, period, lambda percent: job.report(percent)
            )

        self._start(work, self._previewed, determinate=kind == RECORDS)

    def _previewed(self, release: Any) -> None:
        self.release = release
        self.preview_tabs.clear()
        if isinstance(release, quarterly.Release):
            self._preview_quarterly(release)
        else:
            self._preview_records(release)
        self._show_step(1)

    def _preview_quarterly(self, release: quarterly.Release) -> None:
        manifest = release.manifest
        self.preview_summary.setText(
            tr(
                "This is exactly what summary.csv will hold for {0}: counts below {1} are "
                "suppressed (x, shaded), with further cells hidden so they cannot be worked "
                "back, and every count is rounded to a multiple of {2}. People left out for "
                "lack of consent: about {3}."
            ).format(
                release.period.label,
                manifest["threshold"],
                manifest["rounding_base"],
                manifest["people_excluded_for_consent"],
            )
        )
        for table_id, cells in published_tables(release.csv_bytes).items():
            rows = list(dict.fromkeys(r for r, _ in cells))
            cols = list(dict.fromkeys(c for _, c in cells))
            grid = QTableWidget(len(rows), len(cols))
            grid.setObjectName(f"preview_{table_id}")
            grid.setHorizontalHeaderLabels(cols)
            grid.setVerticalHeaderLabels(rows)
            grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            shade = QBrush(QColor("#fde7c4"))
            for (row, col), (value, flag) in cells.items():
                item = QTableWidgetItem(value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if flag == SUPPRESSED:
                    item.setBackground(shade)
                    item.setToolTip(tr("Suppressed"))
                grid.setItem(rows.index(row), cols.index(col), item)
            grid.resizeColumnsToContents()
            self.preview_tabs.addTab(grid, tr(TABLE_TITLES.get(table_id, table_id)))

    def _preview_records(self, release: records.RecordRelease) -> None:
        manifest = release.manifest
        levels = manifest["hierarchy_levels"]
        assert isinstance(levels, dict)
        summary = (
            tr(
                "records.csv for {0} will hold {1} records. Every combination of the "
                "quasi-identifiers is shared by at least {2} records (k asked: {3}) with at "
                "least {4} kinds of trafficking (l asked: {5}). Records left out to reach "
                "this: about {6}; people left out for lack of consent: about {7}."
            ).format(
                manifest["year"],
                manifest["records"],
                manifest["k_achieved"],
                manifest["k"],
                manifest["l_achieved"],
                manifest["l"],
                manifest["records_dropped"],
                manifest["people_excluded_for_consent"],
            )
            + "\n"
            + tr("Generalised: {0}").format(
                "; ".join(f"{field} → {level}" for field, level in levels.items())
            )
        )
        withheld = [field for field, level in levels.items() if level == "withheld"]
        if levels and len(withheld) == len(levels):
            self.preview_summary.show_warning(
                summary
                + "\n"
                + tr(
                    "Every identifying field had to be withheld to protect people: the file "
                    "says little more than the quarterly counts. Check with the recipient "
                    "that it is still of use before sending it."
                )
            )
        elif withheld:
            self.preview_summary.show_warning(
                summary + "\n" + tr("Withheld entirely: {0}.").format(", ".join(withheld))
            )
        else:
            self.preview_summary.setText(summary)
        lines = list(csv.reader(io.StringIO(release.csv_bytes.decode("utf-8"))))
        header, body = lines[0], lines[1 : PREVIEW_ROWS + 1]
        grid = QTableWidget(len(body), len(header))
        grid.setObjectName("preview_records")
        grid.setHorizontalHeaderLabels(header)
        grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for r, line in enumerate(body):
            for c, value in enumerate(line):
                grid.setItem(r, c, QTableWidgetItem(value))
        grid.resizeColumnsToContents()
        self.preview_tabs.addTab(
            grid, tr("First {0} of {1} records").format(len(body), release.records)
        )

    def export(self) -> None:
        text = self.folder.text().strip()
        if not text:
            self.error.setText(tr("Choose a folder to export into."))
            return
        out = Path(text)
        kind, profile, period = self.kind, self.profile.currentText(), self.period.currentText()
        workspace = self.workspace

        def work(job: jobs.Job) -> Any:
            return workspace.reporting.export(
                kind,
                profile,
                period,
                out,
                lambda percent: job.report(percent),
                job.check_cancelled,
            )

        self._start(work, lambda release: self._exported(out, release), determinate=True)

    def _exported(self, out: Path, release: Any) -> None:
        names = sorted(p.name for p in out.iterdir())
        self.outcome.show_success(
            tr("Exported {0} to {1}. The export is recorded in the audit trail.").format(
                ", ".join(names), out
            )
        )
        self.next_button.setEnabled(False)

    def cancel(self) -> None:
        if self.operation is not None and self.operation.running:
            self.operation.cancel()
        else:
            self.reject()
