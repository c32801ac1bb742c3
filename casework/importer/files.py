"""Reading a file of people and cases into rows, bounded: the bytes read from disk, what a
workbook unpacks to, the length of any one cell, the rows and columns, and the formulas found.
A file that cannot be read as a table, or that holds spreadsheet formulas, is refused whole."""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.parsers import expat

from casework.errors import CaseworkError

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000  # data rows: the header (and the template's label row) not counted
MAX_CELL_CHARS = 10_000
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


def raw_rows(data: bytes, name: str) -> Iterator[tuple[int, list[str]]]:
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
