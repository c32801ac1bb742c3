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

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "ImportRefused",
    "ImportReport",
    "Problem",
    "check_file",
    "import_cases",
    "looks_like_formula",
    "read_file",
    "read_table",
    "shown",
]

import functools
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from casework.importer.files import (
    MAX_CELL_CHARS,
    MAX_FILE_BYTES,
    MAX_PROBLEMS,
    MAX_ROWS,
    ImportRefused,
    ImportReport,
    Problem,
    looks_like_formula,
    read_file,
    shown,
)
from casework.importer.files import raw_rows as _raw_rows
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
    Control,
    Education,
    Exploitation,
    Gender,
    Industry,
    Recruitment,
    Relationship,
    Role,
    TraffickingStatus,
)
from casework.services import audit, people_index
from casework.services.cases import date_contradictions, sort_name

HEADER_SEARCH_ROWS = 20
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


@functools.lru_cache(maxsize=4096)  # the same few vocabulary values, over and over
def _fold(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.casefold())


CANONICAL = {_fold(name): name for name in IMPORTED}


def canonical_column(name: str) -> str | None:
    folded = _fold(name)
    return CANONICAL.get(folded) or ALIASES.get(folded)


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


def _value(member: Enum | None) -> str:
    return str(member.value) if member is not None else ""


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

    def choices(self, column: str, vocabulary: type[Enum]) -> list[str]:
        """A multi-select picklist: each value one of the vocabulary's (HTCDS value names, or
        their labels), stored as value names."""
        by_name, allowed = _vocabulary(vocabulary)
        chosen: list[str] = []
        for part in self.many(column):
            member = by_name.get(_fold(part))
            if member is None:
                self.problem(column, f"“{shown(part, 40)}” is not one of: {allowed}")
            elif member.value not in chosen:
                chosen.append(member.value)
        return chosen

    def industry(self, column: str) -> str:
        """An ISIC section of HTCDS's list; a finer HTCDS sub-level ("C_Manufacturing_Textiles")
        is kept as its section."""
        value = self.values.get(column, "")
        section = {m.value[0]: m for m in Industry}.get(value[:1]) if value[1:2] == "_" else None
        if section is not None:
            return section.value
        member = self.choice(column, Industry)
        return member.value if member is not None else ""

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
        "education_level": _value(check.choice("prs_HighestLevelOfEducation", Education)),
        "trafficking_status": check.choice(
            "vic_TraffickingStatus", TraffickingStatus, TraffickingStatus.POSSIBLE
        ),
        "exploitation_types": exploitation,
        "forced_labour_industry": check.industry("vic_ForcedLabourIndustry"),
        "age_when_trafficked": check.integer("vic_AgeWhenTrafficked", 0, 120),
        "methods_of_control": check.choices("vic_MethodsOfControl", Control),
        "recruitment_methods": check.choices("vic_MethodOfRecruitment", Recruitment),
        "relationship_to_trafficker": _value(
            check.choice("vic_RelationshipToTrafficker", Relationship)
        ),
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
