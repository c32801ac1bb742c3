"""safehold-admin import cases with bad files: one sentence and exit 1, short problem lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_cli import ADMIN, fast_kdf, run

__all__ = ["fast_kdf"]  # test_cli's autouse fixture: the CLI skips the KDF calibration here too


@pytest.fixture
def vault(tmp_path: Path) -> str:
    folder = str(tmp_path / "vault")
    code, _ = run(
        [
            *("init", "--org-name", "Harbour Light", "--country", "KE", "--admin", "boss"),
            *("--vault", folder, "--password-stdin"),
        ],
        ADMIN,
    )
    assert code == 0
    return folder


def import_args(vault: str, file: Path | str) -> list[str]:
    return ["import", "cases", str(file), "--vault", vault, "--user", "boss", "--password-stdin"]


def test_a_device_is_refused_in_one_sentence(
    vault: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def unbounded(_path: Path) -> bytes:
        raise AssertionError("read_bytes() reads without a bound")

    monkeypatch.setattr(Path, "read_bytes", unbounded)
    capsys.readouterr()
    code, out = run(import_args(vault, "/dev/zero"), ADMIN)
    error = capsys.readouterr().err
    assert code == 1 and out == ""
    assert error.count("\n") == 1 and "not an ordinary file" in error
    assert "Traceback" not in error


def test_long_bad_values_are_printed_by_their_start_only(vault: str, tmp_path: Path) -> None:
    file = tmp_path / "cases.csv"
    file.write_text(
        "prs_FirstName,prs_Birthdate,ext_IntakeDate\n"
        + "".join(f"P{i},{'7' * 8_000},2026-01-01\n" for i in range(50)),
        encoding="utf-8",
    )
    code, out = run(import_args(vault, file), ADMIN)
    assert code == 1
    problems = [line for line in out.splitlines() if line.startswith("row ")]
    assert len(problems) == 50
    assert all(len(line) < 150 for line in problems)
    assert f"“{'7' * 60}…”: not a date" in problems[0]
    assert "50 with problems" in out


def test_contradictory_dates_are_listed_by_row_column_value_and_reason(
    vault: str, tmp_path: Path
) -> None:
    file = tmp_path / "cases.csv"
    file.write_text(
        "prs_FirstName,prs_Birthdate,cas_Status,ext_IntakeDate,ext_ClosedDate\n"
        "Amani,2026-04-01,Closed,2026-03-01,2026-02-01\n",
        encoding="utf-8",
    )
    code, out = run(import_args(vault, file), ADMIN)
    assert code == 1
    assert "row 2, prs_Birthdate, “2026-04-01”: after the intake date (2026-03-01)" in out
    assert "row 2, ext_ClosedDate, “2026-02-01”: before the intake date (2026-03-01)" in out
