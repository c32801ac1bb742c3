"""Importing people and cases from a CSV file or IOM's HTCDS Excel template (docs/cli.md).

A dry run reports every problem by row, column, value and reason. A commit imports the valid
rows in one transaction. Rows match on ``ext_CaseReference`` (made up from the row's content
when empty), so importing the same file again adds nothing. A file that cannot be read as a
table, or that holds spreadsheet formulas anywhere, is refused whole.

Files come from outside, so every read is bounded: the bytes read from disk, what a workbook
unpacks to, the length of any one cell, the rows and columns, and the problems kept. Rows are
checked and written a batch at a time, so memory does not grow with the file.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import os
import re
import stat
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any
from xml.parsers import expat

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from casework.errors import CaseworkError
from casework.model import (
    Assignment,
    Case,
    ConsentRecord,
    StatusChange,
    Survivor,
    User,
    UserRole,
)
from casework.model.actor import Actor
from casework.model.base import new_id, utcnow
from casework.model.vocab import (
    CaseStatus,
    ClosureReason,
    ConsentKind,
    Exploitation,
    Gender,
    Role,
    TraffickingStatus,
)
from casework.services import audit, people_index
from casework.services.cases import date_contradictions, sort_name

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000  # data rows: the header (and the template's label row) not counted
MAX_CELL_CHARS = 10_000
HEADER_SEARCH_ROWS = 20
# Rows read at all, empty ones included: a sheet can claim a million empty rows cheaply.
MAX_RAW_ROWS = 2 * MAX_ROWS
MAX_COLUMNS = 702  # A to ZZ
# A workbook is a zip: what it unpacks to is bounded, whatever the file's own size.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_ZIP_MEMBERS = 1_000
# No run of text in a workbook's XML may be longer than a cell may be (4 bytes a character
# at most in UTF-8, and some slack for entities such as &amp;).
MAX_TEXT_RUN_BYTES = 5 * MAX_CELL_CHARS
MAX_PROBLEMS = 100_000  # kept and listed; any more are counted
SHOWN_CHARS = 60  # of a bad value, quoted in a problem report
BATCH_ROWS = 1_000

PERSON = (
    "prs_FirstName",
    "prs_MiddleName",
    "prs_SecondName",
    "prs_Birthdate",
    "prs_Gender",
    "prs_Citizenship",
    "prs_PrimaryLanguage",
    "prs_MobilePhone",
    "prs_Email",
    "prs_NumberOfChildren",
    "prs_HighestLevelOfEducation",
)
VICTIM = (
    "vic_TraffickingStatus",
    "vic_TypeOfExploitation",
    "vic_ForcedLabourIndustry",
    "vic_AgeWhenTrafficked",
    "vic_MethodsOfControl",
    "vic_MethodOfRecruitment",
    "vic_RelationshipToTrafficker",
)
CASE = (
    "cas_Status",
    "cas_ReasonForCaseClosure",
    "cas_ReferringOrganisation",
    "cas_IncomingReferralDate",
    "con_Consent",
)
OWN = (
    "ext_CaseReference",
    "ext_IntakeDate",
    "ext_ClosedDate",
    "ext_ClosureReason",
    "ext_ConsentAggregate",
    "ext_ConsentRecords",
    "ext_Caseworker",
    "ext_CountryOfExploitation",
    "ext_Province",
)
IMPORTED = PERSON + VICTIM + CASE + OWN
# Spellings seen in the wild, by their folded form.
ALIASES = {"victraffickinstatusdecisionmakingorg": "vic_TraffickingStatusDecisionMakingOrg"}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
COUNTRY = re.compile(r"^[A-Z]{2}$")


class ImportRefused(CaseworkError):
    """The file as a whole cannot be imported; nothing was."""

    code = "import-refused"

    def __init__(self, message: str, report: ImportReport | None = None) -> None:
        super().__init__(message)
        self.report = report


def shown(value: str, limit: int = SHOWN_CHARS) -> str:
    """A value as a problem report quotes it: a short prefix of a long one."""
    return value if len(value) <= limit else value[:limit] + "…"


@dataclass(frozen=True, slots=True)
class Problem:
    row: int
    column: str
    value: str
    reason: str


@dataclass
class ImportReport:
    rows_read: int = 0
    valid: int = 0
    already_present: int = 0
    imported: int = 0
    committed: bool = False
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rows_with_problems: int = 0
    unlisted_problems: int = 0  # beyond MAX_PROBLEMS: counted, not kept

    _last_bad_row: int = field(default=0, init=False, repr=False, compare=False)

    def add(self, row: int, column: str, value: str, reason: str) -> None:
        """Note a problem; the value is quoted short."""
        if row != self._last_bad_row:
            self.rows_with_problems += 1
            self._last_bad_row = row
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(row, column, shown(value), reason))
        else:
            self.unlisted_problems += 1

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.unlisted_problems


@functools.lru_cache(maxsize=4096)  # the same few vocabulary values, over and over
def _fold(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.casefold())


CANONICAL = {_fold(name): name for name in IMPORTED}


def canonical_column(name: str) -> str | None:
    folded = _fold(name)
    return CANONICAL.get(folded) or ALIASES.get(folded)


def looks_like_formula(value: str) -> bool:
    """A cell a spreadsheet would run: =..., @..., or +/- followed by something not a number
    (a phone number such as +254 700 123 456 is not a formula)."""
    text = value.lstrip()
    if not text:
        return False
    if text[0] in "=@" or text[0] in "\t\r":
        return True
    return text[0] in "+-" and bool(re.search(r"[A-Za-z(!$]", text))


# -- reading ---------------------------------------------------------------------------------


def read_file(path: Path) -> bytes:
    """The file's bytes. The read itself is capped: the size a file reports can lie (a device
    such as /dev/zero, a file under /proc, one still being written)."""
    too_large = ImportRefused(
        f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it."
    )
    # Not blocking on open: a named pipe would otherwise wait for a writer for ever.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
        with os.fdopen(descriptor, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise ImportRefused(
                    f"{path.name} is not an ordinary file; choose a CSV or Excel file."
                )
            if os.fstat(file.fileno()).st_size > MAX_FILE_BYTES:
                raise too_large
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ImportRefused(f"The file {path.name} cannot be read ({exc.strerror}).") from None
    if len(data) > MAX_FILE_BYTES:
        raise too_large
    return data


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    if b"\x00" in data:
        raise ImportRefused("The file is not a text file. Save the spreadsheet as CSV (UTF-8).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            f"The file is not in UTF-8 (a byte at position {exc.start} cannot be read). "
            "Save it again as “CSV UTF-8”."
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for number, row in enumerate(reader, start=1):
            if len(row) > MAX_COLUMNS:
                raise ImportRefused(
                    f"Row {number} has more than {MAX_COLUMNS} columns; remove the empty ones."
                )
            yield number, [cell.strip() for cell in row]
    except csv.Error as exc:
        raise ImportRefused(
            f"The file is not a well-formed CSV file (line {reader.line_num})."
        ) from exc


SPREADSHEET_NS = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # ISO 29500 strict
)


class _WorkbookScan:
    """One pass over a workbook's XML parts before openpyxl reads it: refuses document type
    declarations (entity expansion) and cells beyond MAX_COLUMNS, and notes every formula
    cell (an ``f`` element of the spreadsheet namespace, in any sheet)."""

    def __init__(self) -> None:
        self.part = ""
        self.cells_in_row = 0
        self.cell = ""
        self.formulas: list[tuple[str, str]] = []  # (part, cell reference), the first ones
        self.formula_count = 0
        self.names = {
            f"{ns} {local}": local
            for ns in SPREADSHEET_NS
            for local in ("row", "c", "f", "si", "is")
        }
        # The text of one shared string (si) or inline string (is), which may come in many
        # runs (r/t), each short enough to pass the run check: one cell's worth at most.
        self.in_string = False
        self.string_chars = 0

    def parser(self, part: str) -> Any:
        self.part = part
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text
        parser.StartDoctypeDeclHandler = self.declaration
        parser.EntityDeclHandler = self.declaration
        return parser

    def declaration(self, *_args: Any) -> None:
        raise ImportRefused("The file is not a readable Excel workbook (it declares entities).")

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = self.names.get(name)
        if local == "c":  # a cell: in the spreadsheet namespace only ever inside sheetData
            self.cells_in_row += 1
            self.cell = attributes.get("r", "")
            if self.cells_in_row > MAX_COLUMNS or len(self.cell.rstrip("0123456789")) > 2:
                raise ImportRefused(
                    f"The workbook has cells beyond column ZZ (its {MAX_COLUMNS}th); delete the "
                    "columns it does not need."
                )
        elif local == "row":
            self.cells_in_row = 0
        elif local in ("si", "is"):
            self.in_string, self.string_chars = True, 0
        elif local == "f":
            self.formula_count += 1
            if len(self.formulas) < MAX_PROBLEMS:
                self.formulas.append((self.part, self.cell))

    def end(self, name: str) -> None:
        if self.names.get(name) in ("si", "is"):
            self.in_string = False

    def text(self, data: str) -> None:
        if self.in_string:
            self.string_chars += len(data)
            if self.string_chars > MAX_TEXT_RUN_BYTES:
                raise ImportRefused(
                    f"The workbook holds a cell longer than {MAX_CELL_CHARS} characters; "
                    "shorten it and try again."
                )


def _longest_text_run(chunk: bytes, carried: int) -> tuple[int, int]:
    """(the longest run of bytes without a "<" in this chunk, counting the run carried over
    from the chunk before; the run this chunk ends with)."""
    pieces = chunk.split(b"<")
    if len(pieces) == 1:
        return carried + len(chunk), carried + len(chunk)
    longest = max(carried + len(pieces[0]), max(len(piece) for piece in pieces[1:]))
    return longest, len(pieces[-1])


def _check_workbook(data: bytes) -> None:
    """Bound what a workbook unpacks to before openpyxl opens it, and refuse formulas.
    Python's zip reader never returns more of a member than its declared size, so the
    declared sizes bound the reading; a cell's text is bounded by the run check."""
    unreadable = ImportRefused("The file is not a readable Excel workbook.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise unreadable from None
    if len(members) > MAX_ZIP_MEMBERS or any(
        m.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for m in members
    ):
        raise unreadable
    if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise ImportRefused(
            f"The workbook unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MB; "
            "save it as CSV (UTF-8) or split it."
        )
    scan = _WorkbookScan()
    try:
        for member in members:
            if member.is_dir():
                continue
            with archive.open(member) as source:
                head = source.read(1024 * 1024)
                if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
                    continue  # not XML (a picture, say): its size is bounded and nobody parses it
                parser = scan.parser(member.filename)
                carried = 0
                chunk = head
                while chunk:
                    longest, carried = _longest_text_run(chunk, carried)
                    if longest > MAX_TEXT_RUN_BYTES:
                        raise ImportRefused(
                            f"The workbook holds a cell longer than {MAX_CELL_CHARS} characters; "
                            "shorten it and try again."
                        )
                    parser.Parse(chunk, False)
                    chunk = source.read(1024 * 1024)
                parser.Parse(b"", True)
    except ImportRefused:
        raise
    except (expat.ExpatError, zipfile.BadZipFile, EOFError, OSError, ValueError):
        raise unreadable from None
    if scan.formula_count:
        sheets = _sheet_names(archive)

        def where(part: str) -> str:
            return f"the sheet “{shown(sheets[part], 40)}”" if sheets.get(part) else shown(part)

        report = ImportReport()
        for part, reference in scan.formulas:
            row = reference.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            report.add(
                int(row) if row.isdigit() else 0,
                reference.rstrip("0123456789"),
                "",
                f"a spreadsheet formula (in {where(part)})",
            )
        part, cell = scan.formulas[0]
        raise ImportRefused(
            f"The workbook holds {scan.formula_count} spreadsheet formula cell(s), the first "
            f"in cell {cell or '?'} of {where(part)}. Nothing was imported; remove the formulas "
            "(paste as values) and try again.",
            report,
        )


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each worksheet part's sheet name, for messages ({} if the workbook does not say)."""
    relationship_id = "http://schemas.openxmlformats.org/officeDocument/2006/relationships id"
    targets: dict[str, str] = {}
    sheets: list[tuple[str, str]] = []

    def relationship(name: str, attributes: dict[str, str]) -> None:
        if name.rpartition(" ")[2] == "Relationship":
            targets[attributes.get("Id", "")] = attributes.get("Target", "")

    def sheet(name: str, attributes: dict[str, str]) -> None:
        if name.rpartition(" ")[2] == "sheet":
            sheets.append((attributes.get(relationship_id, ""), attributes.get("name", "")))

    for part, handler in (("xl/_rels/workbook.xml.rels", relationship), ("xl/workbook.xml", sheet)):
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = handler
        try:
            parser.Parse(archive.read(part), True)
        except (KeyError, expat.ExpatError, zipfile.BadZipFile):
            return {}
    names = {}
    for key, name in sheets:
        target = targets.get(key, "")
        names[target[1:] if target.startswith("/") else f"xl/{target}"] = name
    return names


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    import openpyxl  # only imports need it

    _check_workbook(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # a damaged zip, XML or workbook part: all mean "unreadable"
        raise ImportRefused("The file is not a readable Excel workbook.") from exc
    try:
        if not workbook.worksheets:
            raise ImportRefused("The workbook has no sheet.")
        sheet = workbook.worksheets[0]
        # Rows as wide as their cells, not as the size the sheet claims for itself.
        sheet.reset_dimensions()
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_RAW_ROWS:
                raise ImportRefused(
                    f"The sheet has more than {MAX_RAW_ROWS} rows, empty ones included; delete "
                    "the empty rows or split it."
                )
            yield number, [_cell_text(cell) for cell in row]
    except ImportRefused:
        raise
    except Exception as exc:
        raise ImportRefused("The Excel workbook could not be read to the end.") from exc
    finally:
        workbook.close()


def _raw_rows(data: bytes, name: str) -> Iterator[tuple[int, list[str]]]:
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it."
        )
    if not data.strip():
        raise ImportRefused("The file is empty.")
    # A zip signature means a workbook was meant, whatever the name says.
    if name.lower().endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return _xlsx_rows(data)
    return _csv_rows(data)


@dataclass
class Table:
    """A file read as a table: its header, the rows above it, and its data rows as they are
    read (an iterator: the file is never held as a list of rows)."""

    header: list[str]
    above: list[tuple[int, list[str]]]
    rows: Iterator[tuple[int, list[str]]]


def read_table(data: bytes, name: str) -> Table:
    """The header (the first of the first 20 rows naming two HTCDS columns) and the rows, or
    ImportRefused."""
    rows = _raw_rows(data, name)
    above: list[tuple[int, list[str]]] = []
    for number, cells in rows:
        if sum(1 for cell in cells if canonical_column(cell) in IMPORTED) >= 2:
            return Table(cells, above, rows)
        above.append((number, cells))
        if number >= HEADER_SEARCH_ROWS:
            break
    raise ImportRefused(
        "No header row with HTCDS column names (such as prs_FirstName, ext_IntakeDate) was found "
        f"in the first {HEADER_SEARCH_ROWS} rows."
    )


# -- checking ----------------------------------------------------------------------------------


@dataclass
class PlannedRow:
    row: int
    reference: str
    survivor: dict[str, Any]
    case: dict[str, Any]
    consents: list[ConsentKind]
    closure_comment: str


@functools.cache
def _vocabulary(kind: type[Enum]) -> tuple[dict[str, Any], str]:
    """(each member by its folded value and label, the values listed for a problem report)."""
    members: Any = list(kind)
    by_name = {_fold(m.value): m for m in members} | {_fold(m.label): m for m in members}
    return by_name, ", ".join(m.value for m in members)


EXPLOITATION = {_fold(m.value): m for m in Exploitation}


class _RowChecker:
    def __init__(self, row: int, values: dict[str, str], report: ImportReport) -> None:
        self.row = row
        self.values = values
        self.report = report
        self.ok = True

    def problem(self, column: str, reason: str) -> None:
        self.report.add(self.row, column, self.values.get(column, ""), reason)
        self.ok = False

    def text(self, column: str, limit: int = 200) -> str:
        value = self.values.get(column, "")
        if len(value) > limit:
            self.problem(column, f"longer than {limit} characters")
            return ""
        return value

    def date(self, column: str, today: date, required: bool = False) -> date | None:
        value = self.values.get(column, "")
        if not value:
            if required:
                self.problem(column, "required")
            return None
        try:
            parsed = (
                date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
            )
        except ValueError:
            parsed = None
        if parsed is None:
            self.problem(column, "not a date in the form YYYY-MM-DD")
            return None
        if parsed > today:
            self.problem(column, "in the future")
            return None
        return parsed

    def integer(self, column: str, low: int, high: int) -> int | None:
        value = self.values.get(column, "")
        if not value:
            return None
        if not value.isdigit() or not low <= int(value) <= high:
            self.problem(column, f"not a whole number from {low} to {high}")
            return None
        return int(value)

    def choice(self, column: str, vocabulary: type[Enum], default: Any = None) -> Any:
        value = self.values.get(column, "")
        if not value:
            return default
        by_name, allowed = _vocabulary(vocabulary)
        member = by_name.get(_fold(value))
        if member is None:
            self.problem(column, f"not one of: {allowed}")
        return member if member is not None else default

    def many(self, column: str) -> list[str]:
        return [part.strip() for part in self.values.get(column, "").split(";") if part.strip()]

    def countries(self, column: str) -> list[str]:
        codes = [c.upper() for c in self.many(column)]
        for code in codes:
            if not COUNTRY.match(code):
                self.problem(column, f"“{shown(code, 20)}” is not a two-letter country code")
        return codes

    def yes_no(self, column: str) -> bool:
        value = self.values.get(column, "").casefold()
        if value not in YES | NO:
            self.problem(column, "not yes or no")
        return value in YES


def _reference_for(values: dict[str, str]) -> str:
    digest = hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()[:10].upper()
    return f"IMP-{digest}"


# The intake rule's fields (casework.services.cases.date_contradictions), as columns here.
DATE_COLUMNS = {
    "birth_date": ("prs_Birthdate", "after the intake date"),
    "incoming_referral_date": ("cas_IncomingReferralDate", "after the intake date"),
    "closed_date": ("ext_ClosedDate", "before the intake date"),
}


def _check_row(
    number: int,
    values: dict[str, str],
    report: ImportReport,
    today: date,
    caseworkers: dict[str, str],
    intake_fallback: bool,
) -> PlannedRow | None:
    check = _RowChecker(number, values, report)
    for column, value in values.items():
        if len(value) > MAX_CELL_CHARS:
            check.problem(column, "cell too long")
    first = check.text("prs_FirstName", 100)
    if not first:
        check.problem("prs_FirstName", "required")
    intake = check.date("ext_IntakeDate", today, required=not intake_fallback)
    referral = check.date("cas_IncomingReferralDate", today)
    if intake is None and intake_fallback:
        intake = referral
        if intake is None and check.ok:
            check.problem(
                "ext_IntakeDate", "required (no ext_IntakeDate or cas_IncomingReferralDate)"
            )
    birth = check.date("prs_Birthdate", today)
    exploitation = []
    for part in check.many("vic_TypeOfExploitation"):
        member = EXPLOITATION.get(_fold(part))
        if member is None:
            check.problem(
                "vic_TypeOfExploitation", f"“{shown(part, 20)}” is not an HTCDS exploitation type"
            )
        else:
            exploitation.append(member.value)
    status = check.choice("cas_Status", CaseStatus, CaseStatus.ACTIVE)
    closed = check.date("ext_ClosedDate", today)
    reason = check.choice("ext_ClosureReason", ClosureReason)
    if status in (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED) and closed is None:
        check.problem("ext_ClosedDate", "required when cas_Status is closed")
    if intake is not None:
        for contradiction in date_contradictions(intake, birth, referral, closed):
            column, wrong = DATE_COLUMNS[contradiction.field or ""]
            check.problem(column, f"{wrong} ({intake.isoformat()})")
    worker_name = values.get("ext_Caseworker", "").casefold()
    worker_id = caseworkers.get(worker_name) if worker_name else None
    if worker_name and worker_id is None:
        check.problem("ext_Caseworker", "no active caseworker has this user name")
    country = values.get("ext_CountryOfExploitation", "").upper()
    if country and not COUNTRY.match(country):
        check.problem("ext_CountryOfExploitation", "not a two-letter country code")
    email = check.text("prs_Email")
    if email and "@" not in email:
        check.problem("prs_Email", "not an email address")
    consents = []
    if check.yes_no("con_Consent"):
        consents.append(ConsentKind.SERVICES)
    if check.yes_no("ext_ConsentAggregate"):
        consents.append(ConsentKind.AGGREGATE_REPORTING)
    if check.yes_no("ext_ConsentRecords"):
        consents.append(ConsentKind.RECORD_SHARING)
    survivor = {
        "first_name": first,
        "middle_name": check.text("prs_MiddleName", 100),
        "last_name": check.text("prs_SecondName", 100),
        "birth_date": birth,
        "gender": check.choice("prs_Gender", Gender, Gender.NOT_SPECIFIED),
        "citizenship": check.countries("prs_Citizenship"),
        "languages": [c.lower() for c in check.many("prs_PrimaryLanguage")],
        "phone": check.text("prs_MobilePhone", 50),
        "email": email,
        "number_of_children": check.integer("prs_NumberOfChildren", 0, 30),
        "education_level": check.text("prs_HighestLevelOfEducation", 100),
        "trafficking_status": check.choice(
            "vic_TraffickingStatus", TraffickingStatus, TraffickingStatus.POSSIBLE
        ),
        "exploitation_types": exploitation,
        "forced_labour_industry": check.text("vic_ForcedLabourIndustry", 100),
        "age_when_trafficked": check.integer("vic_AgeWhenTrafficked", 0, 120),
        "methods_of_control": check.many("vic_MethodsOfControl"),
        "recruitment_method": check.text("vic_MethodOfRecruitment", 100),
        "relationship_to_trafficker": check.text("vic_RelationshipToTrafficker", 100),
    }
    province = check.text("ext_Province", 100)
    referring = check.text("cas_ReferringOrganisation")
    if not check.ok or intake is None:
        return None
    reference = values.get("ext_CaseReference", "") or _reference_for(values)
    case = {
        "intake_date": intake,
        "status": status,
        "closed_date": closed,
        "closure_reason": reason,
        "assigned_caseworker_id": worker_id,
        "country_of_exploitation": country,
        "province": province,
        "referring_organisation": referring,
        "incoming_referral_date": referral,
    }
    return PlannedRow(
        number, reference, survivor, case, consents, values.get("cas_ReasonForCaseClosure", "")
    )


def _is_label_row(header: list[str], cells: list[str]) -> bool:
    """Whether a row repeats the header as labels ("First Name" under prs_FirstName)."""
    pairs = [(h, c) for h, c in zip(header, cells, strict=False) if h and c]
    if not pairs:
        return False
    same = sum(1 for h, c in pairs if _fold(h.split("_", 1)[-1]) == _fold(c))
    return same * 2 > len(pairs)


class _Formulas:
    """Formula cells found while reading: every one counted, the first MAX_PROBLEMS kept."""

    def __init__(self) -> None:
        self.count = 0
        self.cells: list[Problem] = []

    def check(self, number: int, columns: list[str], cells: list[str]) -> None:
        for index, value in enumerate(cells):
            if value and looks_like_formula(value):
                self.count += 1
                if len(self.cells) < MAX_PROBLEMS:
                    column = columns[index] if index < len(columns) else ""
                    self.cells.append(
                        Problem(number, column, shown(value), "a spreadsheet formula")
                    )

    def refuse(self, report: ImportReport) -> ImportRefused:
        report.problems[:0] = self.cells
        del report.problems[MAX_PROBLEMS:]
        first = self.cells[0]
        where = f", column {first.column}" if first.column else ""
        return ImportRefused(
            f"The file holds {self.count} spreadsheet formula cell(s), first at row "
            f"{first.row}{where}. Nothing was imported; remove the formulas (paste as "
            "values) and try again.",
            report,
        )


def _batches(
    session: Session,
    data: bytes,
    name: str,
    today: date,
    report: ImportReport,
) -> Iterator[list[PlannedRow]]:
    """Read and check every row, filling ``report``; yield the rows to import a batch at a
    time (rows already in the vault left out). Raises ImportRefused, possibly after some
    batches were yielded: the caller's transaction then writes nothing."""
    table = read_table(data, name)
    header_cells = [canonical_column(cell) for cell in table.header]
    columns = [column or shown(raw) for raw, column in zip(table.header, header_cells, strict=True)]
    report.ignored_columns = [
        shown(raw)
        for raw, column in zip(table.header, header_cells, strict=True)
        if raw and column not in IMPORTED
    ]
    caseworkers: dict[str, str] = dict(
        session.execute(
            select(func.lower(User.username), User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.CASEWORKER, User.disabled_at.is_(None))
        ).all()
    )
    intake_fallback = "ext_IntakeDate" not in header_cells
    formulas = _Formulas()
    # Formulas are refused anywhere: above the header, in it, in columns that are ignored.
    for number, cells in table.above:
        formulas.check(number, [], cells)
    formulas.check(len(table.above) + 1, columns, table.header)
    batch: list[PlannedRow] = []
    seen: set[str] = set()
    for number, cells in table.rows:
        formulas.check(number, columns, cells)
        if not any(cells):
            continue
        values = {
            column: cell
            for column, cell in zip(header_cells, cells, strict=False)
            if column is not None and column in IMPORTED
        }
        if not any(values.values()):
            continue  # an empty row (the template numbers 1,000 of them)
        if not report.rows_read and _is_label_row(table.header, cells):
            continue  # the template's row of human-readable labels under the field names
        report.rows_read += 1  # a data row: the header, labels and empty rows do not count
        if report.rows_read > MAX_ROWS:
            raise ImportRefused(f"The file has more than {MAX_ROWS} rows of data; split it.")
        row = _check_row(number, values, report, today, caseworkers, intake_fallback)
        if row is None:
            continue
        if row.reference in seen:
            report.add(number, "ext_CaseReference", row.reference, "repeats an earlier row")
            continue
        seen.add(row.reference)
        batch.append(row)
        if formulas.count:
            batch = []  # the file will be refused: nothing more to write
        elif len(batch) >= BATCH_ROWS:
            yield _new_only(session, batch, report)
            batch = []
    if batch and not formulas.count:
        yield _new_only(session, batch, report)
    if formulas.count:
        raise formulas.refuse(report)


def _new_only(session: Session, batch: list[PlannedRow], report: ImportReport) -> list[PlannedRow]:
    existing = set(
        session.execute(
            select(Case.reference).where(Case.reference.in_([r.reference for r in batch]))
        ).scalars()
    )
    report.already_present += sum(1 for r in batch if r.reference in existing)
    new = [r for r in batch if r.reference not in existing]
    report.valid += len(new)
    return new


def check_file(session: Session, data: bytes, name: str, today: date) -> ImportReport:
    """Read and check every row; nothing is written."""
    report = ImportReport()
    for _batch in _batches(session, data, name, today, report):
        pass
    return report


def _write(session: Session, actor_id: str, rows: Iterable[PlannedRow]) -> int:
    """Insert a batch of checked rows, with what the intake service writes for each case
    (its first status, its assignment, the people index) and an audit row for each."""
    now = utcnow()
    stamp = {"created_at": now, "updated_at": now, "created_by": actor_id, "updated_by": actor_id}
    tables: dict[Any, list[dict[str, Any]]] = {
        Survivor: [],
        Case: [],
        StatusChange: [],
        Assignment: [],
        ConsentRecord: [],
    }
    indexed: list[dict[str, Any]] = []
    trail: list[tuple[str, str, str, str, str]] = []
    for row in rows:
        survivor_id, case_id = new_id(), new_id()
        tables[Survivor].append({"id": survivor_id, **stamp, **row.survivor})
        tables[Case].append(
            {
                "id": case_id,
                **stamp,
                "reference": row.reference,
                "survivor_id": survivor_id,
                "sort_name": sort_name(row.survivor["first_name"], row.survivor["last_name"]),
                **row.case,
            }
        )
        tables[StatusChange].append(
            {
                "id": new_id(),
                **stamp,
                "case_id": case_id,
                "from_status": None,
                "to_status": row.case["status"],
                "comment": row.closure_comment,
            }
        )
        if row.case["assigned_caseworker_id"]:
            tables[Assignment].append(
                {
                    "id": new_id(),
                    **stamp,
                    "case_id": case_id,
                    "caseworker_id": row.case["assigned_caseworker_id"],
                }
            )
        for kind in row.consents:
            tables[ConsentRecord].append(
                {
                    "id": new_id(),
                    **stamp,
                    "survivor_id": survivor_id,
                    "kind": kind,
                    "given_on": row.case["intake_date"],
                }
            )
        indexed.append({**row.survivor, "case_id": case_id, "reference": row.reference})
        trail.append((actor_id, "case.import", "case", case_id, ""))
    for model, values in tables.items():
        if values:
            # The table's own INSERT, one executemany per table: the ORM's bulk insert would
            # split the batch wherever the set of empty (None) columns changes between rows.
            session.execute(insert(model.__table__), values)
    people_index.index_cases(session, indexed)
    if trail:
        audit.record_many(session, trail)
    return len(trail)


def import_cases(
    session: Session, actor: Actor, data: bytes, name: str, today: date, commit: bool
) -> ImportReport:
    """Check a file and, with ``commit``, import its valid rows in the caller's transaction
    (a batch at a time, so memory stays bounded; a refusal found later in the file rolls the
    whole transaction back). Administrators and supervisors may import."""
    actor.require(Role.ADMINISTRATOR, Role.SUPERVISOR)
    report = ImportReport()
    imported = 0
    for batch in _batches(session, data, name, today, report):
        if commit:
            imported += _write(session, actor.user_id, batch)
    if commit:
        session.flush()
        report.imported = imported
        report.committed = True
    return report
