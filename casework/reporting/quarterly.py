"""The quarterly aggregate report (docs/reporting.md, section 1): tables T1 to T7 over the people
whose case was active in the quarter and who consented to aggregate reporting, with disclosure
control, written as summary.csv, manifest.json and summary.pdf."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from itertools import chain
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework import __version__
from casework.errors import ValidationError
from casework.model import (
    Case,
    ConsentRecord,
    CounselingSession,
    LegalMatter,
    Partner,
    Referral,
    StatusChange,
    Stay,
    Survivor,
)
from casework.model.actor import Actor
from casework.model.vocab import (
    Attendance,
    CaseStatus,
    ClosureReason,
    ConsentKind,
    Gender,
    OrganisationType,
    ReferralStatus,
    Role,
    ServiceCategory,
)
from casework.places import region_of
from casework.reporting.csv_safety import safe_row
from casework.reporting.disclosure import (
    ROUNDED,
    SUPPRESSED,
    TOTAL,
    Table,
    dominated,
    round_count,
    suppress,
)
from casework.reporting.profiles import Profile
from casework.reporting.release_files import (
    ExportRefused,
    Writer,
    manifest_bytes,
    refuse_unless_empty,
    write_export,
)
from casework.reporting.scan import Reader, gc_paused, let_go, scan, snapshot_pair, tally
from casework.reporting.summary_pdf import summary_pdf
from casework.services.organisation import the_organisation
from casework.services.shelter import nights

SPEC_VERSION = "1"
HTCDS_VERSION = "2.0"
TRAFFICKING = ["Sex only", "Labour only", "Both", "Other", "Unknown"]
AGE_BANDS = ["0-11", "12-17", "18-24", "25-34", "35-49", "50+", "Unknown"]
GENDERS = ["Women/girls", "Men/boys", "Trans or gender-diverse", "Unknown"]
REGIONS = ["Domestic", "Africa", "Americas", "Asia", "Europe", "Oceania", "Unknown"]
LABOUR = {"ForcedLabour", "ChildLabour", "Servitude", "ForcedBegging"}
CLOSED = (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED)


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # exclusive

    @classmethod
    def parse(cls, text: str) -> Period:
        match = re.fullmatch(r"(\d{4})-Q([1-4])", text.strip().upper())
        if not match:
            raise ValidationError(
                "Give the period as YEAR-Qn, for example 2026-Q3.", field="period"
            )
        year, quarter = int(match[1]), int(match[2])
        start = date(year, 3 * quarter - 2, 1)
        end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        return cls(f"{year}-Q{quarter}", start, end)

    def holds(self, day: date | None) -> bool:
        return day is not None and self.start <= day < self.end


class Person(NamedTuple):  # a hundred thousand are made per export: a tuple, not a dataclass
    survivor_id: str
    age_band: str
    minor: str  # "Minor", "Adult" or "Unknown"
    gender: str
    trafficking: str
    region: str


@dataclass(frozen=True)
class Release:
    period: Period
    tables: list[Table]
    excluded_for_consent: int
    csv_bytes: bytes
    manifest: dict[str, object]


def age_band(age: int | None) -> str:
    if age is None or age < 0:
        return "Unknown"
    for limit, band in ((11, "0-11"), (17, "12-17"), (24, "18-24"), (34, "25-34"), (49, "35-49")):
        if age <= limit:
            return band
    return "50+"


def _age_classes(age: int | None) -> tuple[str, str]:
    """The age band, and "Minor", "Adult" or "Unknown"."""
    return age_band(age), "Unknown" if age is None else ("Minor" if age < 18 else "Adult")


GENDER_CLASSES = {
    Gender.FEMININE: "Women/girls",
    Gender.MASCULINE: "Men/boys",
    Gender.TRANSGENDER_FEMININE: "Trans or gender-diverse",
    Gender.TRANSGENDER_MASCULINE: "Trans or gender-diverse",
    Gender.NON_CONFORMING: "Trans or gender-diverse",
}


def gender_class(gender: Gender | None) -> str:
    return GENDER_CLASSES.get(gender, "Unknown") if gender else "Unknown"


def trafficking_class(types: list[str]) -> str:
    sex = "SexualExploitation" in types
    labour = bool(LABOUR & set(types))
    if sex and labour:
        return "Both"
    if sex:
        return "Sex only"
    if labour:
        return "Labour only"
    return "Other" if types else "Unknown"


def citizenship_region(citizenship: list[str], home: str) -> str:
    if not citizenship:
        return "Unknown"
    first = citizenship[0].upper()
    if first == home.upper():
        return "Domestic"
    return region_of(first) or "Unknown"


def age_at(birth: date | None, estimated: int | None, on: date) -> int | None:
    if birth is not None:
        return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return estimated


def consented_to(
    reader: Reader, survivor_ids: set[str], today: date, kind: ConsentKind
) -> set[str]:
    """Who, among ``survivor_ids``, holds a valid consent of ``kind`` today: given by today,
    not withdrawn by it, not expired before it (``consent.valid_on``, asked of the database,
    which then hands over only the valid ones)."""
    rows = scan(
        reader,
        (ConsentRecord.survivor_id,),
        ConsentRecord.kind == kind,
        ConsentRecord.deleted_at.is_(None),
        ConsentRecord.given_on <= today,
        ConsentRecord.withdrawn_on.is_(None) | (ConsentRecord.withdrawn_on > today),
        ConsentRecord.expires_on.is_(None) | (ConsentRecord.expires_on >= today),
        named=False,
        packed=True,
    )
    return set(chain.from_iterable(rows)) & survivor_ids


class CaseFacts(NamedTuple):
    """What the tables read from a case (columns, not whole records, for speed at scale)."""

    id: str
    survivor_id: str
    intake_date: date
    closed_date: date | None
    closure_reason: ClosureReason | None
    incoming_referral_date: date | None
    referring_organisation: str


def active_cases(reader: Reader, start: date, last_day: date) -> list[CaseFacts]:
    """Cases open on or before ``last_day`` and not closed before ``start``."""
    return scan(
        reader,
        (
            Case.id,
            Case.survivor_id,
            Case.intake_date,
            Case.closed_date,
            Case.closure_reason,
            Case.incoming_referral_date,
            Case.referring_organisation,
        ),
        # Most cases qualify: reading the table straight through beats a walk of the intake
        # index with a lookup per row (three times faster at 100,000 cases).
        Case.deleted_at.is_(None),
        (Case.closed_date.is_(None)) | (Case.closed_date >= start),
        # likely(): most cases pass, so the planner keeps to the scan (the intake index would
        # be chosen for a bare comparison, and take twice as long).
        func.likely(Case.intake_date <= last_day),
        row_type=CaseFacts,
        packed=True,
    )


@gc_paused()
def build_release(
    session: Session, actor: Actor, profile: Profile, period: Period, today: date
) -> Release:
    """Compute every table for the period; nothing is written.

    The services (ServiceReads) are read in a second thread on a connection of their own while
    this one reads the people, both in one state of the database (scan.snapshot_pair); if the
    database is too busy to pair them, everything is read here."""
    actor.require(Role.DATA_OFFICER, Role.ADMINISTRATOR)
    if period.start > today:
        raise ExportRefused(f"{period.label} has not started yet.")
    org = the_organisation(session)
    with snapshot_pair(session) as pair, ThreadPoolExecutor(1, "export-reads") as pool:
        reader: Reader = session
        if pair is not None:
            reader, other = pair
            services_read = pool.submit(read_services, other, period)
        cases, people, excluded = _population(reader, period, today, org.country)
        partners = reader.execute(select(Partner.name, Partner.org_type)).all()
        services = read_services(reader, period) if pair is None else services_read.result()
    case_person = {c.id: c.survivor_id for c in cases}
    tables = [
        _t1(cases, people, period, services.reopened),
        _t2(people),
        _t3(people),
        _t4(case_person, people, services),
        *_t5(case_person, period, profile.threshold, services.stays),
        *_t6(partners, cases, case_person, period, services.referrals),
        _t7(cases, period),
    ]
    for table in tables:
        if table.table_id != "T5-nights":
            suppress(table, profile.threshold)
    context = f"{period.label}|aggregate"
    csv_bytes = _csv(tables, period, profile, org.reporting_secret, context)
    excluded_rounded = round_count(excluded, profile.rounding_base, org.reporting_secret, context)
    manifest: dict[str, object] = {
        "spec_version": SPEC_VERSION,
        "htcds_version": HTCDS_VERSION,
        "period": period.label,
        "profile": profile.name,
        "hub_id": profile.hub_id,
        "threshold": profile.threshold,
        "rounding_base": profile.rounding_base,
        "people_excluded_for_consent": excluded_rounded,
        "summary_csv_sha256": hashlib.sha256(csv_bytes).hexdigest(),
        "software": f"Safehold {__version__}",
    }
    # Freed a slice at a time, not in one cascade as the function returns (see let_go).
    let_go(people, cases, services.stays, services.referrals)  # holders of objects of their own
    return Release(period, tables, excluded_rounded, csv_bytes, manifest)


def _population(
    reader: Reader, period: Period, today: date, home: str
) -> tuple[list[CaseFacts], dict[str, Person], int]:
    """The cases active in the period of the people who consented to aggregate reporting,
    those people, and how many were left out for want of consent."""
    last_day = date.fromordinal(period.end.toordinal() - 1)
    active = active_cases(reader, period.start, last_day)
    if not active:
        raise ExportRefused(f"No case was active in {period.label}: there is nothing to report.")
    survivors_in = {c.survivor_id for c in active}
    consented = consented_to(reader, survivors_in, today, ConsentKind.AGGREGATE_REPORTING)
    excluded = len(survivors_in) - len(consented)  # consented is a subset
    cases = [c for c in active if c.survivor_id in consented]
    let_go(active)
    first_intake: dict[str, date] = {}
    for case in cases:
        earlier = first_intake.get(case.survivor_id)
        if earlier is None or case.intake_date < earlier:
            first_intake[case.survivor_id] = case.intake_date
    people: dict[str, Person] = {}
    kinds: dict[object, str] = {}
    regions: dict[object, str] = {}
    # Looked up, not worked out, per person.
    classes: dict[int | None, tuple[str, str]] = {
        age: _age_classes(age) for age in (None, *range(120))
    }
    for survivor_id, birth, estimated, gender, types, citizenship in scan(
        reader,
        (
            Survivor.id,
            Survivor.birth_date,
            Survivor.estimated_age,
            Survivor.gender,
            Survivor.exploitation_types,
            Survivor.citizenship,
        ),  # a plain scan, filtered here, beats an IN over most of the table
        named=False,
        packed=True,
    ):
        if survivor_id not in consented:
            continue
        age = age_at(birth, estimated, first_intake[survivor_id])
        band, minor = classes.get(age) or _age_classes(age)
        # The lists come back as shared tuples, one per distinct value: classify each once.
        kind = kinds.get(types)
        if kind is None:
            kind = kinds[types] = trafficking_class(list(types or ()))
        region = regions.get(citizenship)
        if region is None:
            region = regions[citizenship] = citizenship_region(list(citizenship or ()), home)
        people[survivor_id] = Person(
            survivor_id, band, minor, GENDER_CLASSES.get(gender, "Unknown"), kind, region
        )
    return cases, people, excluded


# T6's outcomes, as reporting.md names them. A referral withdrawn (its case closed before the
# partner answered) had no outcome and is not among them.
REPORTED_OUTCOMES = (
    ReferralStatus.PENDING,
    ReferralStatus.ACCEPTED,
    ReferralStatus.DECLINED,
    ReferralStatus.COMPLETED,
)


def _table(
    table_id: str, rows: list[str], cols: list[str], counts: Mapping[tuple[str, str], set[str]]
) -> Table:
    """Distinct people per cell, with no totals. A total is published only along a line whose
    cells partition its people (each person in exactly one of them), so that it is the exact
    sum the disclosure audit assumes; in these tables a person may be in several cells of a
    line (two referrals, say)."""
    table = Table(table_id, rows, cols)
    for cell, ids in counts.items():
        table.values[cell] = len(ids)
    return table


def _by_column(
    table_id: str,
    row_people: Mapping[str, Collection[str]],
    cols: list[str],
    column_of: dict[str, str],
) -> Table:
    """Distinct people per cell where each person falls in one column (their trafficking type,
    say) but may be on several rows: a row's cells count its people by column and add up to
    its total; the columns overlap and get none (see _table). Counted, not collected."""
    table = Table(table_id, list(row_people), [*cols, TOTAL])
    for row, ids in row_people.items():
        for col, count in tally(column_of, ids).items():
            table.values[(row, col)] = count
        table.values[(row, TOTAL)] = len(ids)
    return table


def _crossed(
    table_id: str, rows: list[str], cols: list[str], cells: Counter[tuple[str, str]]
) -> Table:
    """Distinct people per cell where each person is in exactly one cell (``cells`` counts
    them): every row and column, and the whole, is the exact sum of its cells."""
    table = Table(table_id, [*rows, TOTAL], [*cols, TOTAL])
    table.values.update(cells)
    for row in rows:
        table.values[(row, TOTAL)] = sum(cells[(row, col)] for col in cols)
    for col in cols:
        table.values[(TOTAL, col)] = sum(cells[(row, col)] for row in rows)
    table.values[(TOTAL, TOTAL)] = cells.total()
    return table


def _t1(
    cases: list[CaseFacts], people: dict[str, Person], period: Period, reopened_in_period: set[str]
) -> Table:
    new: set[str] = set()
    closed: set[str] = set()
    reopened: set[str] = set()
    start, end = period.start, period.end  # period.holds, inlined: 70,000 cases a quarter
    for case in cases:
        if start <= case.intake_date < end:
            new.add(case.survivor_id)
        closed_on = case.closed_date
        if closed_on is not None and start <= closed_on < end:
            closed.add(case.survivor_id)
        if case.id in reopened_in_period:
            reopened.add(case.survivor_id)
    # Everyone counted has an active case. A person has one trafficking type, so each row
    # adds up; the rows overlap (a new case is also active), so the columns get no total.
    kind_of = {survivor_id: person.trafficking for survivor_id, person in people.items()}
    rows = {"New": new, "Active": people.keys(), "Closed": closed, "Reopened": reopened}
    return _by_column("T1", rows, TRAFFICKING, kind_of)


def _t2(people: dict[str, Person]) -> Table:
    cells = Counter((person.age_band, person.gender) for person in people.values())
    return _crossed("T2", AGE_BANDS, GENDERS, cells)


def _t3(people: dict[str, Person]) -> Table:
    cells = Counter((person.region, person.trafficking) for person in people.values())
    return _crossed("T3", REGIONS, TRAFFICKING, cells)


class ServiceReads(NamedTuple):
    """What the tables read of services, by case: done in a thread of its own (see
    build_release). Each query is bounded by dates (and indexes), not by a list of 100,000
    case ids; cases outside the population are skipped later."""

    stays: list[tuple[str, date, date | None]]  # overlapping the period (T4, T5)
    referrals: list[tuple[str, ServiceCategory, ReferralStatus]]  # made in it (T4, T6)
    counseled: list[tuple[str]]  # cases with a session attended in it (T4)
    legal: list[tuple[str]]  # cases with a legal matter (T4)
    reopened: set[str]  # cases reopened in it (T1)


def read_services(reader: Reader, period: Period) -> ServiceReads:
    # Instants are stored in UTC: the period's days are UTC days.
    reopened = scan(
        reader,
        (StatusChange.case_id,),
        StatusChange.from_status.in_(CLOSED),
        StatusChange.to_status == CaseStatus.ACTIVE,
        StatusChange.created_at >= datetime.combine(period.start, time(), UTC),
        StatusChange.created_at < datetime.combine(period.end, time(), UTC),
        named=False,
        packed=True,
    )
    counseled = scan(
        reader,
        (CounselingSession.case_id,),
        CounselingSession.deleted_at.is_(None),
        CounselingSession.attendance == Attendance.ATTENDED,
        CounselingSession.held_on >= period.start,
        CounselingSession.held_on < period.end,
        named=False,
        packed=True,
        distinct=True,
    )
    legal = scan(
        reader,
        (LegalMatter.case_id,),
        LegalMatter.deleted_at.is_(None),
        named=False,
        packed=True,
        distinct=True,
    )
    return ServiceReads(
        _period_stays(reader, period),
        _period_referrals(reader, period),
        counseled,
        legal,
        {case_id for (case_id,) in reopened},
    )


def _period_stays(reader: Reader, period: Period) -> list[tuple[str, date, date | None]]:
    return scan(
        reader,
        (Stay.case_id, Stay.admitted_on, Stay.discharged_on),
        Stay.deleted_at.is_(None),
        Stay.admitted_on < period.end,
        (Stay.discharged_on.is_(None)) | (Stay.discharged_on > period.start),
        named=False,
        packed=True,
    )


def _period_referrals(
    reader: Reader, period: Period
) -> list[tuple[str, ServiceCategory, ReferralStatus]]:
    return scan(
        reader,
        (Referral.case_id, Referral.category, Referral.status),
        Referral.deleted_at.is_(None),
        Referral.referred_on >= period.start,
        Referral.referred_on < period.end,
        named=False,
        packed=True,
    )


def _t4(case_person: dict[str, str], people: dict[str, Person], services: ServiceReads) -> Table:
    stays, referrals, counseled, legal = services[:4]
    served: dict[str, set[str]] = defaultdict(set)
    served["Shelter"] = {case_person[c] for c, _a, _d in stays if c in case_person}
    served["Counseling"] = {case_person[c] for (c,) in counseled if c in case_person}
    served["Legal aid"] = {case_person[c] for (c,) in legal if c in case_person}
    referral_rows = {category: f"Referral: {category.value}" for category in ServiceCategory}
    referred = served["Referral out"]
    for case_id, category, _status in referrals:
        survivor_id = case_person.get(case_id)
        if survivor_id is not None:
            referred.add(survivor_id)
            served[referral_rows[category]].add(survivor_id)
    rows = ["Shelter", "Counseling", "Legal aid", "Referral out", *referral_rows.values()]
    minor_of = {survivor_id: person.minor for survivor_id, person in people.items()}
    let_go(counseled, legal)
    # One person, several services: only the rows (minor, adult, unknown) add up.
    return _by_column(
        "T4", {row: served[row] for row in rows}, ["Minor", "Adult", "Unknown"], minor_of
    )


def _t5(
    case_person: dict[str, str],
    period: Period,
    threshold: int,
    stays: list[tuple[str, date, date | None]],
) -> list[Table]:
    per_person: dict[str, int] = defaultdict(int)
    for case_id, admitted, discharged in stays:
        if case_id in case_person:
            per_person[case_person[case_id]] += nights(
                admitted, discharged, period.start, period.end
            )
    people_table = Table("T5", ["People sheltered"], ["count"])
    people_table.values[("People sheltered", "count")] = len(per_person)
    nights_table = Table("T5-nights", ["Shelter nights"], ["sum"])
    nights_table.values[("Shelter nights", "sum")] = sum(per_person.values())
    if dominated(list(per_person.values()), threshold):
        nights_table.suppressed.add(("Shelter nights", "sum"))
    return [people_table, nights_table]


def _t6(
    partners: Sequence[tuple[str, OrganisationType]],
    cases: list[CaseFacts],
    case_person: dict[str, str],
    period: Period,
    referrals: list[tuple[str, ServiceCategory, ReferralStatus]],
) -> list[Table]:
    partner_types = {name.casefold(): kind.value for name, kind in partners}
    incoming: dict[tuple[str, str], set[str]] = defaultdict(set)
    start, end = period.start, period.end
    for case in cases:
        referred = case.incoming_referral_date
        if referred is not None and start <= referred < end:
            kind = partner_types.get(case.referring_organisation.casefold(), "Unknown")
            incoming[(kind, "count")].add(case.survivor_id)
    by_members: dict[tuple[ServiceCategory, ReferralStatus], set[str]] = defaultdict(set)
    for case_id, category, status in referrals:
        if case_id in case_person and status in REPORTED_OUTCOMES:
            by_members[(category, status)].add(case_person[case_id])
    outgoing = {(c.value, s.value): ids for (c, s), ids in by_members.items()}
    kinds = sorted({row for row, _ in incoming} | set(partner_types.values()) | {"Unknown"})
    return [
        _table("T6-in", kinds, ["count"], incoming),
        _table(
            "T6-out",
            [c.value for c in ServiceCategory],
            [s.value for s in REPORTED_OUTCOMES],
            outgoing,
        ),
    ]


def _t7(cases: list[CaseFacts], period: Period) -> Table:
    counts: dict[tuple[str, str], set[str]] = defaultdict(set)
    start, end = period.start, period.end  # period.holds, inlined
    for case in cases:
        closed = case.closed_date
        if closed is not None and start <= closed < end:
            reason = case.closure_reason.value if case.closure_reason else "unknown"
            counts[(reason, "count")].add(case.survivor_id)
    return _table(
        "T7",
        [r.value for r in ClosureReason] + ["unknown"],
        ["count"],
        counts,
    )


def _csv(
    tables: list[Table], period: Period, profile: Profile, secret: bytes, context: str
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "spec_version",
            "htcds_version",
            "period",
            "table_id",
            "row_key",
            "col_key",
            "value",
            "flag",
        ]
    )
    for table in tables:
        table_id = table.table_id.split("-")[0]
        prefix = {"T5-nights": "", "T6-in": "in:", "T6-out": "out:"}.get(table.table_id, "")
        for row in table.rows:
            for col in table.cols:
                value = table.get(row, col)
                if (row, col) in table.suppressed:
                    shown, flag = SUPPRESSED, SUPPRESSED
                elif table.table_id == "T5-nights":
                    shown, flag = str(value), ""
                else:
                    base = max(profile.rounding_base, 1)
                    shown = str(round_count(value, base, secret, context))
                    flag = ROUNDED if value % base else ""
                writer.writerow(
                    safe_row(
                        [
                            SPEC_VERSION,
                            HTCDS_VERSION,
                            period.label,
                            table_id,
                            prefix + row,
                            col,
                            shown,
                            flag,
                        ]
                    )
                )
    return buffer.getvalue().encode("utf-8")


def export_quarterly(
    session: Session,
    actor: Actor,
    profile: Profile,
    period: Period,
    out: Path,
    today: date,
    progress: Callable[[int], None] | None = None,
    check: Callable[[], None] | None = None,
    writer: Writer | None = None,
) -> Release:
    """Build the release and write summary.csv, manifest.json and summary.pdf into ``out``
    (which must be new or empty); audited. Nothing is written if anything is refused, and
    ``check`` (which raises to cancel) is called between steps. With ``writer``, the release
    is read in ``session`` and only the audit row and the files are written, in a transaction
    of the writer's (so the long reading never holds the vault's writer)."""
    refuse_unless_empty(out)
    release = build_release(session, actor, profile, period, today)
    if progress:
        progress(60)
    if check:
        check()
    pdf = summary_pdf(
        release.csv_bytes, period.label, profile.name, profile.threshold, profile.rounding_base
    )
    files = {
        "summary.csv": release.csv_bytes,
        "manifest.json": manifest_bytes(release.manifest),
        "summary.pdf": pdf,
    }
    if progress:
        progress(90)
    write_export(
        session, actor, out, files, "export.quarterly", profile, period.label, check, writer
    )
    return release
