"""The record-level de-identified export (docs/reporting.md, section 2): one row per consenting
person active in the year, HTCDS field names, no identifier or free text, quasi-identifiers
generalised until k-anonymity and distinct l-diversity hold, keyed pseudonymous ids."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import __version__
from casework.errors import ValidationError
from casework.model import (
    Case,
    CounselingSession,
    LegalMatter,
    Organisation,
    Referral,
    Stay,
    Survivor,
)
from casework.model.actor import Actor
from casework.model.vocab import (
    Attendance,
    ConsentKind,
    Control,
    Education,
    Exploitation,
    Gender,
    Recruitment,
    Relationship,
    Role,
)
from casework.places import region_of, sub_region_of
from casework.reporting.anonymity import WITHHELD, CannotAnonymise, generalise
from casework.reporting.csv_safety import safe_row
from casework.reporting.disclosure import round_count
from casework.reporting.profiles import Profile
from casework.reporting.quarterly import HTCDS_VERSION, age_at, consented_to, gender_class
from casework.reporting.release_files import (
    ExportRefused,
    Writer,
    manifest_bytes,
    refuse_unless_empty,
    write_export,
)
from casework.reporting.scan import gc_paused, scan
from casework.services.organisation import the_organisation

RECORDS_SPEC_VERSION = "1"
CSV_SLICE = 500
UNKNOWN = "Unknown"

METHODS_OF_CONTROL = [member.value for member in Control]
RECRUITMENT = [member.value for member in Recruitment]
ONLINE = {Recruitment.ONLINE_SOCIAL_NETWORKS.value, Recruitment.ONLINE_ADVERTISEMENT.value}
RELATIONSHIPS = {member.value for member in Relationship}
EDUCATION: dict[str, str] = {
    Education.EARLY_CHILDHOOD: "PrimaryOrLess",
    Education.PRIMARY: "PrimaryOrLess",
    Education.LOWER_SECONDARY: "Secondary",
    Education.UPPER_SECONDARY: "Secondary",
    Education.POST_SECONDARY: "PostSecondaryOrShortCycle",
    Education.SHORT_CYCLE: "PostSecondaryOrShortCycle",
    Education.BACHELORS: "BachelorsOrHigher",
    Education.MASTERS: "BachelorsOrHigher",
    Education.DOCTORAL: "BachelorsOrHigher",
}
ISIC_SECTIONS = set("ABCDEFGHIJKLMNOPQRSTU")
SERVICES = ("Shelter", "Counseling", "LegalAid", "ReferralOut")


def _band(age: int, limits: tuple[tuple[int, str], ...], last: str) -> str:
    for limit, band in limits:
        if age <= limit:
            return band
    return last


def fine_age_band(age: int | None) -> str:
    if age is None or age < 0:
        return UNKNOWN
    limits = ((8, "0-8"), (17, "9-17"), (20, "18-20"), (23, "21-23"), (26, "24-26"))
    return _band(age, (*limits, (29, "27-29"), (38, "30-38"), (47, "39-47")), "48+")


def broad_age_band(age: int | None) -> str:
    if age is None or age < 0:
        return UNKNOWN
    return _band(age, ((17, "0-17"), (29, "18-29"), (47, "30-47")), "48+")


def minor_or_adult(age: int | None) -> str:
    if age is None or age < 0:
        return UNKNOWN
    return "Minor" if age < 18 else "Adult"


def _country(code: str) -> list[str]:
    """alpha-2 -> M49 sub-region -> M49 region -> withheld."""
    code = code.strip().upper()
    sub, region = sub_region_of(code), region_of(code)
    if not code or sub is None or region is None:
        return [UNKNOWN, UNKNOWN, UNKNOWN, WITHHELD]
    return [code, sub, region, WITHHELD]


# Each quasi-identifier: its column and the names of its hierarchy levels.
QUASI_IDENTIFIERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ext_AgeBandAtIdentification", ("nine bands", "four bands", "minor or adult", "withheld")),
    ("prs_Gender", ("HTCDS value", "four reporting classes", "withheld")),
    ("prs_Citizenship", ("ISO alpha-2", "M49 sub-region", "M49 region", "withheld")),
    ("ext_CountryOfExploitation", ("ISO alpha-2", "M49 sub-region", "M49 region", "withheld")),
    ("ext_IdentificationYear", ("year", "withheld")),
    ("ext_MinorAtExploitation", ("yes or no", "withheld")),
    ("ext_OrganisationProvince", ("province or state", "withheld")),
)
EXPLOITATION_COLUMNS = [f"vic_TypeOfExploitation_{e.value}" for e in Exploitation]
OTHER_COLUMNS = [
    "vic_TraffickingStatus",
    "prs_NumberOfChildren",
    "prs_HighestLevelOfEducation",
    "vic_ForcedLabourIndustry",
    "vic_RelationshipToTrafficker",
    *[f"vic_MethodsOfControl_{m}" for m in METHODS_OF_CONTROL],
    *[f"vic_MethodOfRecruitment_{m}" for m in RECRUITMENT],
    "ext_RecruitedOrExploitedOnline",
    "cas_Status",
    "ext_ClosureYear",
    "ext_ClosureReason",
    *[f"ext_Service_{s}" for s in SERVICES],
]
HEADER = ["pid", *[name for name, _ in QUASI_IDENTIFIERS], *EXPLOITATION_COLUMNS, *OTHER_COLUMNS]


@dataclass(frozen=True)
class Year:
    year: int

    @classmethod
    def parse(cls, text: str) -> Year:
        text = text.strip()
        if not (text.isdigit() and len(text) == 4):
            raise ValidationError("Give the year as four digits, for example 2026.", field="year")
        return cls(int(text))

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:  # exclusive
        return date(self.year + 1, 1, 1)

    @property
    def label(self) -> str:
        return str(self.year)


@dataclass(frozen=True)
class RecordRelease:
    year: Year
    csv_bytes: bytes
    manifest: dict[str, object]
    records: int
    dropped: int  # exact, for the person exporting; the manifest holds it rounded


@dataclass
class _Person:
    survivor: Any  # a row of SURVIVOR_COLUMNS
    identified_on: date
    case: Any  # a row of CASE_COLUMNS: the latest case active in the year
    services: set[str]


SURVIVOR_COLUMNS = (
    Survivor.id,
    Survivor.birth_date,
    Survivor.estimated_age,
    Survivor.gender,
    Survivor.citizenship,
    Survivor.exploitation_types,
    Survivor.trafficking_status,
    Survivor.number_of_children,
    Survivor.education_level,
    Survivor.forced_labour_industry,
    Survivor.relationship_to_trafficker,
    Survivor.methods_of_control,
    Survivor.recruitment_methods,
    Survivor.age_when_trafficked,
)
CASE_COLUMNS = (
    Case.id,
    Case.survivor_id,
    Case.intake_date,
    Case.closed_date,
    Case.status,
    Case.closure_reason,
    Case.country_of_exploitation,
)


def pid_key(secret: bytes, hub_id: str) -> bytes:
    """K = HKDF-SHA256(organisation secret, info = hub id)."""
    if len(secret) < 32:
        raise ExportRefused(
            "This vault has no reporting secret, so pseudonymous ids cannot be made; "
            "nothing was exported."
        )
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=hub_id.encode()).derive(
        secret
    )


def pid(key: bytes, survivor_id: str) -> str:
    return hmac.new(key, b"pid-v1" + survivor_id.encode(), hashlib.sha256).hexdigest()[:32]


def _people(session: Session, year: Year, today: date) -> tuple[dict[str, _Person], int]:
    last_day = date.fromordinal(year.end.toordinal() - 1)
    # The whole table, read straight through (faster than walking the intake index with a
    # lookup per row when most cases qualify), in one pass, unsorted: sorting 100,000 cases is
    # one C call that holds the interpreter lock, and the window with it, for 0.2 s.
    first_intake: dict[str, date] = {}
    active: dict[str, Any] = {}
    for case in scan(session, CASE_COLUMNS, Case.deleted_at.is_(None)):
        if case.intake_date > last_day:
            continue
        sid = case.survivor_id
        earliest = first_intake.get(sid)
        if earliest is None or case.intake_date < earliest:
            first_intake[sid] = case.intake_date
        if case.closed_date is None or case.closed_date >= year.start:
            latest = active.get(sid)  # a person's latest intake wins
            if latest is None or (case.intake_date, case.id) > (latest.intake_date, latest.id):
                active[sid] = case
    if not active:
        raise ExportRefused(f"No case was active in {year.label}: there is nothing to export.")
    allowed = consented_to(session, set(active), today, ConsentKind.RECORD_SHARING)
    survivors = {
        s.id: s
        for s in scan(session, SURVIVOR_COLUMNS, Survivor.deleted_at.is_(None))
        if s.id in allowed
    }
    people = {
        sid: _Person(survivor, first_intake[sid], active[sid], set())
        for sid, survivor in survivors.items()
    }
    by_case = {p.case.id: p for p in people.values()}
    _services(session, by_case, year)
    return people, len(active) - len(people)


def _services(session: Session, by_case: dict[str, _Person], year: Year) -> None:
    """Services each person had in the year, as flags (no dates, counts or partners)."""
    stays = select(Stay.case_id).where(
        Stay.deleted_at.is_(None),
        Stay.admitted_on < year.end,
        (Stay.discharged_on.is_(None)) | (Stay.discharged_on > year.start),
    )
    counseling = select(CounselingSession.case_id).where(
        CounselingSession.deleted_at.is_(None),
        CounselingSession.attendance == Attendance.ATTENDED,
        CounselingSession.held_on >= year.start,
        CounselingSession.held_on < year.end,
    )
    legal = select(LegalMatter.case_id).where(LegalMatter.deleted_at.is_(None))
    referrals = select(Referral.case_id).where(
        Referral.deleted_at.is_(None),
        Referral.referred_on >= year.start,
        Referral.referred_on < year.end,
    )
    for service, query in zip(SERVICES, (stays, counseling, legal, referrals), strict=True):
        for case_id in session.execute(query.distinct()).scalars():
            person = by_case.get(case_id)
            if person is not None:
                person.services.add(service)


def _ladders(people: list[_Person], org: Organisation) -> list[list[list[str]]]:
    """For each quasi-identifier, each level's value for every person."""
    age_ladder: list[list[str]] = [[], [], [], []]
    gender_ladder: list[list[str]] = [[], [], []]
    citizenship_ladder: list[list[str]] = [[], [], [], []]
    exploitation_ladder: list[list[str]] = [[], [], [], []]
    year_ladder: list[list[str]] = [[], []]
    minor_ladder: list[list[str]] = [[], []]
    province_ladder: list[list[str]] = [[], []]
    province = org.province.strip() or UNKNOWN
    for person in people:
        survivor = person.survivor
        age = age_at(survivor.birth_date, survivor.estimated_age, person.identified_on)
        for level, value in enumerate(
            [fine_age_band(age), broad_age_band(age), minor_or_adult(age), WITHHELD]
        ):
            age_ladder[level].append(value)
        gender = survivor.gender or Gender.NOT_SPECIFIED
        for level, value in enumerate([gender.value, gender_class(gender), WITHHELD]):
            gender_ladder[level].append(value)
        citizenship = survivor.citizenship[0] if survivor.citizenship else ""
        for level, value in enumerate(_country(citizenship)):
            citizenship_ladder[level].append(value)
        for level, value in enumerate(_country(person.case.country_of_exploitation)):
            exploitation_ladder[level].append(value)
        year_ladder[0].append(str(person.identified_on.year))
        year_ladder[1].append(WITHHELD)
        minor = survivor.age_when_trafficked
        minor_ladder[0].append(UNKNOWN if minor is None else ("Yes" if minor < 18 else "No"))
        minor_ladder[1].append(WITHHELD)
        province_ladder[0].append(province)
        province_ladder[1].append(WITHHELD)
    return [
        age_ladder,
        gender_ladder,
        citizenship_ladder,
        exploitation_ladder,
        year_ladder,
        minor_ladder,
        province_ladder,
    ]


def _flags(chosen: set[str], names: list[str]) -> list[str]:
    return ["1" if name in chosen else "0" for name in names]


def _children(count: int | None) -> str:
    if count is None or count < 0:
        return ""
    return "3+" if count >= 3 else str(count)


def _industry(value: str) -> str:
    """The ISIC section letter of an HTCDS industry value (``C_Manufacturing`` -> ``C``)."""
    value = value.strip()
    return value[0] if len(value) > 2 and value[1] == "_" and value[0] in ISIC_SECTIONS else ""


def _other_columns(person: _Person) -> list[str]:
    survivor, case = person.survivor, person.case
    recruitment = set(survivor.recruitment_methods)
    return [
        survivor.trafficking_status.value if survivor.trafficking_status else "",
        _children(survivor.number_of_children),
        EDUCATION.get(survivor.education_level.strip(), ""),
        _industry(survivor.forced_labour_industry),
        survivor.relationship_to_trafficker
        if survivor.relationship_to_trafficker in RELATIONSHIPS
        else "",
        *_flags(set(survivor.methods_of_control), METHODS_OF_CONTROL),
        *_flags(recruitment, RECRUITMENT),
        "1" if recruitment & ONLINE else "0",
        case.status.value,
        str(case.closed_date.year) if case.closed_date else "",
        case.closure_reason.value if case.closure_reason else "",
        *_flags(person.services, list(SERVICES)),
    ]


@gc_paused()
def build_records(
    session: Session,
    actor: Actor,
    profile: Profile,
    year: Year,
    today: date,
    progress: Callable[[int], None] | None = None,
) -> RecordRelease:
    """Compute records.csv and its manifest; nothing is written."""
    actor.require(Role.DATA_OFFICER, Role.ADMINISTRATOR)
    if not profile.records_enabled:
        raise ExportRefused(
            f"The profile “{profile.name}” does not allow record-level exports; an "
            "administrator can enable them for it."
        )
    if year.start > today:
        raise ExportRefused(f"{year.label} has not started yet.")
    org = the_organisation(session)
    key = pid_key(org.reporting_secret or b"", profile.hub_id)
    people_by_id, excluded = _people(session, year, today)
    if progress:
        progress(30)
    people = sorted(people_by_id.values(), key=lambda p: p.survivor.id)
    if not people:
        raise ExportRefused(
            f"Nobody active in {year.label} has consented to sharing de-identified records: "
            "there is nothing to export."
        )
    ladders = _ladders(people, org)
    sensitive = [frozenset(p.survivor.exploitation_types) for p in people]
    allowed = len(people) * profile.max_dropped_percent // 100
    try:
        result = generalise(ladders, sensitive, profile.k, profile.l_diversity, allowed)
    except CannotAnonymise as failed:
        raise ExportRefused(
            f"Even with every field at its coarsest, {failed.failing} of {failed.records} records "
            f"would not be in a group of at least {profile.k} people with {profile.l_diversity} "
            f"kinds of trafficking, and at most {failed.allowed} "
            f"({profile.max_dropped_percent}%) may be left out. Nothing was exported."
        ) from None
    if progress:
        progress(80)
    rows = []
    for index in result.kept:
        person = people[index]
        types = set(person.survivor.exploitation_types)
        rows.append(
            [
                pid(key, person.survivor.id),
                *[
                    ladder[level][index]
                    for ladder, level in zip(ladders, result.levels, strict=True)
                ],
                *_flags(types, [e.value for e in Exploitation]),
                *_other_columns(person),
            ]
        )
    # In pid order (pids are unique), which tells nothing of intake order. Sorted on the pid
    # alone and written a slice at a time: a sort comparing whole rows, or one call writing
    # 40,000 rows, holds the interpreter lock (and freezes the window) for 0.1 to 0.3 s.
    rows.sort(key=itemgetter(0))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(safe_row(HEADER))
    for start in range(0, len(rows), CSV_SLICE):
        # a province like "=HYPERLINK(...)" must reach a spreadsheet as text (csv_safety)
        writer.writerows(map(safe_row, rows[start : start + CSV_SLICE]))
    csv_bytes = buffer.getvalue().encode("utf-8")
    context = f"{year.label}|records"
    base = max(profile.rounding_base, 1)
    manifest: dict[str, object] = {
        "spec_version": RECORDS_SPEC_VERSION,
        "htcds_version": HTCDS_VERSION,
        "year": year.label,
        "profile": profile.name,
        "hub_id": profile.hub_id,
        "k": profile.k,
        "l": profile.l_diversity,
        "k_achieved": result.k_achieved,
        "l_achieved": result.l_achieved,
        "hierarchy_levels": {
            name: names[level]
            for (name, names), level in zip(QUASI_IDENTIFIERS, result.levels, strict=True)
        },
        "records": len(rows),
        "records_dropped": round_count(len(result.dropped), base, org.reporting_secret, context),
        "people_excluded_for_consent": round_count(excluded, base, org.reporting_secret, context),
        "records_csv_sha256": hashlib.sha256(csv_bytes).hexdigest(),
        "software": f"Safehold {__version__}",
    }
    return RecordRelease(year, csv_bytes, manifest, len(rows), len(result.dropped))


def export_records(
    session: Session,
    actor: Actor,
    profile: Profile,
    year: Year,
    out: Path,
    today: date,
    progress: Callable[[int], None] | None = None,
    check: Callable[[], None] | None = None,
    writer: Writer | None = None,
) -> RecordRelease:
    """Build the release and write records.csv and manifest.json into ``out`` (new or empty);
    audited. Nothing is written if anything is refused, and ``check`` (which raises to cancel)
    is called between steps."""
    refuse_unless_empty(out)
    release = build_records(session, actor, profile, year, today, progress)
    files = {"records.csv": release.csv_bytes, "manifest.json": manifest_bytes(release.manifest)}
    write_export(session, actor, out, files, "export.records", profile, year.label, check, writer)
    return release
