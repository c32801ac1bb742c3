"""Importing people and cases from a CSV file or IOM's HTCDS Excel template (docs/cli.md).

A dry run reports every problem by row, column, value and reason. A commit imports the valid
rows in one transaction. Rows match on ``ext_CaseReference`` (made up from the row's content
when empty), so importing the same file again adds nothing. A file that cannot be read as a
table, or that holds spreadsheet formulas, is refused whole.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
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
from casework.services.actor import Actor
from casework.services.cases import sort_name

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_CELL_CHARS = 10_000

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


@dataclass(frozen=True)
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


def _read_csv(data: bytes) -> list[tuple[int, list[str]]]:
    if b"\x00" in data:
        raise ImportRefused("The file is not a text file. Save the spreadsheet as CSV (UTF-8).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            f"The file is not in UTF-8 (a byte at position {exc.start} cannot be read). "
            "Save it again as “CSV UTF-8”."
        ) from None
    rows = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        for number, row in enumerate(reader, start=1):
            rows.append((number, [cell.strip() for cell in row]))
            if number > MAX_ROWS:
                raise ImportRefused(f"The file has more than {MAX_ROWS} rows; split it.")
    except csv.Error as exc:
        raise ImportRefused(
            f"The file is not a well-formed CSV file (line {reader.line_num})."
        ) from exc
    return rows


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    import openpyxl  # only imports need it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # a damaged zip, XML or workbook part: all mean "unreadable"
        raise ImportRefused("The file is not a readable Excel workbook.") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append((number, [_cell_text(cell) for cell in row]))
            if number > MAX_ROWS:
                raise ImportRefused(f"The sheet has more than {MAX_ROWS} rows; split it.")
        return rows
    except ImportRefused:
        raise
    except Exception as exc:
        raise ImportRefused("The Excel workbook could not be read to the end.") from exc
    finally:
        workbook.close()


def read_table(data: bytes, name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(the header's cells, the data rows after it) or ImportRefused."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it."
        )
    if not data.strip():
        raise ImportRefused("The file is empty.")
    # A zip signature means a workbook was meant, whatever the name says.
    if name.lower().endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        rows = _read_xlsx(data)
    else:
        rows = _read_csv(data)
    for index, (_number, cells) in enumerate(rows[:20]):
        if sum(1 for cell in cells if canonical_column(cell) in IMPORTED) >= 2:
            return cells, rows[index + 1 :]
    raise ImportRefused(
        "No header row with HTCDS column names (such as prs_FirstName, ext_IntakeDate) was found "
        "in the first 20 rows."
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


class _RowChecker:
    def __init__(self, row: int, values: dict[str, str], report: ImportReport) -> None:
        self.row = row
        self.values = values
        self.report = report
        self.ok = True

    def problem(self, column: str, reason: str) -> None:
        self.report.problems.append(Problem(self.row, column, self.values.get(column, ""), reason))
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

    def choice(self, column: str, vocabulary: Any, default: Any = None) -> Any:
        value = self.values.get(column, "")
        if not value:
            return default
        by_name = {_fold(m.value): m for m in vocabulary} | {_fold(m.label): m for m in vocabulary}
        member = by_name.get(_fold(value))
        if member is None:
            allowed = ", ".join(m.value for m in vocabulary)
            self.problem(column, f"not one of: {allowed}")
        return member if member is not None else default

    def many(self, column: str) -> list[str]:
        return [part.strip() for part in self.values.get(column, "").split(";") if part.strip()]

    def countries(self, column: str) -> list[str]:
        codes = [c.upper() for c in self.many(column)]
        for code in codes:
            if not COUNTRY.match(code):
                self.problem(column, f"“{code}” is not a two-letter country code")
        return codes

    def yes_no(self, column: str) -> bool:
        value = self.values.get(column, "").casefold()
        if value not in YES | NO:
            self.problem(column, "not yes or no")
        return value in YES


def _reference_for(values: dict[str, str]) -> str:
    digest = hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()[:10].upper()
    return f"IMP-{digest}"


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
    if intake is None and intake_fallback:
        intake = check.date("cas_IncomingReferralDate", today)
        if intake is None and check.ok:
            check.problem(
                "ext_IntakeDate", "required (no ext_IntakeDate or cas_IncomingReferralDate)"
            )
    birth = check.date("prs_Birthdate", today)
    exploitation = []
    for part in check.many("vic_TypeOfExploitation"):
        member = {_fold(m.value): m for m in Exploitation}.get(_fold(part))
        if member is None:
            check.problem("vic_TypeOfExploitation", f"“{part}” is not an HTCDS exploitation type")
        else:
            exploitation.append(member.value)
    status = check.choice("cas_Status", CaseStatus, CaseStatus.ACTIVE)
    closed = check.date("ext_ClosedDate", today)
    reason = check.choice("ext_ClosureReason", ClosureReason)
    if status in (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED) and closed is None:
        check.problem("ext_ClosedDate", "required when cas_Status is closed")
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
        "province": check.text("ext_Province", 100),
        "referring_organisation": check.text("cas_ReferringOrganisation"),
        "incoming_referral_date": check.date("cas_IncomingReferralDate", today),
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


def check_file(
    session: Session, data: bytes, name: str, today: date
) -> tuple[ImportReport, list[PlannedRow]]:
    """Read and check every row; nothing is written."""
    report = ImportReport()
    header, rows = read_table(data, name)
    header_cells = [canonical_column(cell) for cell in header]
    report.ignored_columns = [
        raw
        for raw, column in zip(header, header_cells, strict=True)
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
    formulas: list[Problem] = []
    planned: list[PlannedRow] = []
    seen: set[str] = set()
    for number, cells in rows:
        values = {
            column: cell
            for column, cell in zip(header_cells, cells, strict=False)
            if column is not None and column in IMPORTED
        }
        if not any(values.values()):
            continue  # an empty row (the template numbers 1,000 of them)
        if _is_label_row(header, cells):
            continue  # the template's row of human-readable labels under the field names
        report.rows_read += 1
        for column, value in values.items():
            if looks_like_formula(value):
                formulas.append(Problem(number, column, value[:60], "a spreadsheet formula"))
        row = _check_row(number, values, report, today, caseworkers, intake_fallback)
        if row is None:
            continue
        if row.reference in seen:
            report.problems.append(
                Problem(number, "ext_CaseReference", row.reference, "repeats an earlier row")
            )
            continue
        seen.add(row.reference)
        planned.append(row)
    if formulas:
        report.problems[:0] = formulas
        raise ImportRefused(
            f"The file holds {len(formulas)} spreadsheet formula cell(s), first at row "
            f"{formulas[0].row}, column {formulas[0].column}. Nothing was imported; remove the "
            "formulas (paste as values) and try again.",
            report,
        )
    existing = (
        set(
            session.execute(
                select(Case.reference).where(Case.reference.in_([r.reference for r in planned]))
            ).scalars()
        )
        if planned
        else set()
    )
    report.already_present = sum(1 for r in planned if r.reference in existing)
    planned = [r for r in planned if r.reference not in existing]
    report.valid = len(planned)
    return report, planned


def import_cases(
    session: Session, actor: Actor, data: bytes, name: str, today: date, commit: bool
) -> ImportReport:
    """Check a file and, with ``commit``, import its valid rows in the caller's transaction.
    Administrators and supervisors may import."""
    actor.require(Role.ADMINISTRATOR, Role.SUPERVISOR)
    report, planned = check_file(session, data, name, today)
    if not commit:
        return report
    stamp = {"created_by": actor.user_id, "updated_by": actor.user_id}
    for row in planned:
        survivor = Survivor(**row.survivor, **stamp)
        session.add(survivor)
        session.flush()
        case = Case(
            reference=row.reference,
            survivor_id=survivor.id,
            sort_name=sort_name(survivor.first_name, survivor.last_name),
            **row.case,
            **stamp,
        )
        session.add(case)
        session.flush()
        session.add(
            StatusChange(
                case_id=case.id,
                from_status=None,
                to_status=case.status,
                comment=row.closure_comment,
                **stamp,
            )
        )
        if case.assigned_caseworker_id:
            session.add(
                Assignment(case_id=case.id, caseworker_id=case.assigned_caseworker_id, **stamp)
            )
        people_index.index_cases(
            session, [{**row.survivor, "case_id": case.id, "reference": case.reference}]
        )
        for kind in row.consents:
            session.add(
                ConsentRecord(
                    survivor_id=survivor.id, kind=kind, given_on=case.intake_date, **stamp
                )
            )
        audit.record(session, actor.user_id, "case.import", "case", case.id)
    session.flush()
    report.imported = len(planned)
    report.committed = True
    return report


def read_file(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportRefused(
                f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it."
            )
        return path.read_bytes()
    except OSError as exc:
        raise ImportRefused(f"The file {path.name} cannot be read ({exc.strerror}).") from None
