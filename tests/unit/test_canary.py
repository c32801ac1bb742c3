"""A distinctive string in every name and free-text field must come out of neither export: not
in a file, a file name, the command's output or a log record."""

from __future__ import annotations

import io
import logging
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import insert, select, update

from casework import cli
from casework.model import Case, CaseNote, ConsentRecord, Organisation, User
from casework.model.base import new_id, utcnow
from casework.model.vocab import ConsentKind, Gender
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.unit.conftest import OFFICER_PASSWORD
from tests.unit.reporting_data import add_person

CANARY = "Zqxcanary"


def plant(vault: OpenVault, count: int) -> None:
    kinds = [["SexualExploitation"], ["ForcedLabour"], ["SexualExploitation", "ForcedLabour"]]
    for i in range(count):
        add_person(
            vault,
            intakes=[date(2026, 1 + i % 8, 2)],
            types=kinds[i % 3],
            consents=(ConsentKind.AGGREGATE_REPORTING, ConsentKind.RECORD_SHARING),
            birth=date(1985 + i % 10, 1, 1),
            gender=[Gender.FEMININE, Gender.MASCULINE][i % 2],
            survivor={
                "first_name": f"{CANARY}First{i}",
                "middle_name": f"{CANARY}Middle",
                "last_name": f"{CANARY}Last",
                "aliases": [f"{CANARY}Alias"],
                "phone": f"+254 {CANARY}",
                "email": f"{CANARY}@example.org",
                "safe_contact_note": f"{CANARY} safe contact",
                "education_level": f"{CANARY} school",
                "forced_labour_industry": f"C_{CANARY}",
                "recruitment_methods": [f"{CANARY}Method"],
                "other_details": f"{CANARY} details",
                "relationship_to_trafficker": f"{CANARY} uncle",
                "methods_of_control": [f"{CANARY}Control"],
                "languages": [CANARY],
            },
            case={
                "reference": f"{CANARY}-{i}",
                "province": f"{CANARY} province",
                "immigration_notes": f"{CANARY} permit",
                "referring_organisation": f"{CANARY} Referrers",
            },
        )
    now = utcnow()
    with vault.transaction() as session:
        for case_id in session.execute(select(Case.id)).scalars():
            session.execute(
                insert(CaseNote),
                [
                    {
                        "id": (note := new_id()),
                        "created_at": now,
                        "updated_at": now,
                        "case_id": case_id,
                        "thread_id": note,
                        "noted_on": date(2026, 8, 1),
                        "body": f"{CANARY} told us everything",
                    }
                ],
            )
        session.execute(update(ConsentRecord).values(purpose=f"{CANARY} purpose"))
        session.execute(update(Organisation).values(name=f"{CANARY} Shelter"))
        session.execute(update(User).values(display_name=f"{CANARY} Staff"))


def test_no_name_or_free_text_leaves_in_either_export(
    officer: OpenVault,
    vault_folder: VaultFolder,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    plant(officer, 45)
    officer.lock()
    caplog.set_level(logging.DEBUG)
    outputs = []
    base = ["--vault", str(vault_folder.folder), "--user", "dora", "--password-stdin", "--json"]
    for command in (
        ["export", "quarterly", "--period", "2026-Q3", "--profile", "National"],
        ["export", "records", "--year", "2026", "--profile", "National"],
    ):
        out = tmp_path / f"export-{command[1]}"
        stdout = io.StringIO()
        code = cli.main(
            [*command, "--out", str(out), *base],
            stdin=io.StringIO(OFFICER_PASSWORD + "\n"),
            stdout=stdout,
        )
        assert code == 0, capsys.readouterr().err
        outputs.append(stdout.getvalue())
    files = [p for p in tmp_path.rglob("*") if p.is_file() and "vault" not in p.parts]
    names = {p.name for p in files}
    assert {"summary.csv", "summary.pdf", "records.csv"} <= names
    for path in files:
        assert CANARY.encode() not in path.read_bytes(), path.name
        assert CANARY not in path.name
    for path in files:
        if path.suffix == ".pdf":
            text = " ".join(page.extract_text() for page in PdfReader(path).pages)
            assert "Quarterly summary" in text and CANARY not in text
    captured = capsys.readouterr()
    assert CANARY not in captured.out + captured.err + "".join(outputs)
    assert all(CANARY not in record.getMessage() for record in caplog.records)
