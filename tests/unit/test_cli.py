"""safehold-admin: passwords from standard input, exit codes 0/1/2, one-sentence errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from casework import cli
from casework.vault import crypto
from casework.vault.schema import head_revision
from tests.conftest import FAST_KDF


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crypto, "calibrate", lambda *a, **k: FAST_KDF)


def run(args: list[str], stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    code = cli.main(args, stdin=io.StringIO(stdin), stdout=out)
    return code, out.getvalue()


ADMIN = "lantern harbour copper meadow\n"


@pytest.fixture
def vault(tmp_path: Path) -> str:
    folder = str(tmp_path / "vault")
    code, out = run(
        [
            "init",
            "--org-name",
            "Harbour Light",
            "--country",
            "KE",
            "--admin",
            "boss",
            "--vault",
            folder,
            "--password-stdin",
            "--json",
        ],
        ADMIN,
    )
    assert code == 0
    assert len(json.loads(out)["recovery_code"]) == 29
    return folder


def test_users_add_list_disable_and_reset(vault: str, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--vault", vault, "--user", "boss", "--password-stdin"]
    code, _ = run(
        ["users", "add", "amy", "--role", "caseworker", "--role", "supervisor", *base],
        ADMIN + "river stone olive garden\n",
    )
    assert code == 0
    code, out = run([*base, "--json", "users", "list"], ADMIN)
    listed = {u["name"]: u for u in json.loads(out)}
    assert listed["amy"]["roles"] == ["caseworker", "supervisor"] and listed["amy"]["active"]
    assert run(["users", "disable", "amy", *base], ADMIN)[0] == 0
    code, out = run(["users", "list", *base], ADMIN)
    assert "amy\tcaseworker,supervisor\tdisabled" in out
    assert (
        run(["users", "reset-password", "amy", *base], ADMIN + "new river stone garden\n")[0] == 0
    )
    assert (
        run(
            ["verify", "--vault", vault, "--user", "amy", "--password-stdin"],
            "new river stone garden\n",
        )[0]
        == 0
    )


def test_verify_reports_a_good_vault(vault: str) -> None:
    code, out = run(
        ["verify", "--vault", vault, "--user", "boss", "--password-stdin", "--json"], ADMIN
    )
    report = json.loads(out)
    assert code == 0 and report["ok"] and report["database"] == "ok" and report["audit_rows"] >= 1


def test_user_errors_exit_1_with_one_sentence(
    vault: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run(
        ["verify", "--vault", vault, "--user", "boss", "--password-stdin"], "wrong one here!!\n"
    )
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip() == "safehold-admin: The user name or password is not correct."
    code, _ = run(
        [
            "users",
            "add",
            "x",
            "--role",
            "caseworker",
            "--vault",
            vault,
            "--user",
            "boss",
            "--password-stdin",
        ],
        ADMIN + "weak\n",
    )
    assert code == 1 and "Traceback" not in capsys.readouterr().err
    code, _ = run(["users", "list", "--vault", vault, "--user", "boss", "--password-stdin"], "")
    assert code == 1


def test_usage_errors_exit_2(vault: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["frobnicate"])[0] == 2
    assert run(["users", "add", "x", "--vault", vault])[0] == 2  # no --role
    assert run(["users", "list", "--vault", vault, "--password-stdin"], ADMIN)[0] == 2  # no --user
    assert run([])[0] == 2


def test_init_refuses_an_existing_vault(vault: str) -> None:
    code, _ = run(
        [
            "init",
            "--org-name",
            "Other",
            "--country",
            "FR",
            "--admin",
            "x",
            "--vault",
            vault,
            "--password-stdin",
        ],
        ADMIN,
    )
    assert code == 1


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["--version"])
    assert code == 0 and f"schema {head_revision()}" in out


def test_a_caseworker_cannot_verify_the_audit_chain(vault: str) -> None:
    base = ["--vault", vault, "--user", "boss", "--password-stdin"]
    run(["users", "add", "cw", "--role", "caseworker", *base], ADMIN + "river stone olive garden\n")
    code, _ = run(
        ["verify", "--vault", vault, "--user", "cw", "--password-stdin"],
        "river stone olive garden\n",
    )
    assert code == 1


def test_import_dry_run_then_commit(vault: str, tmp_path: Path) -> None:
    file = tmp_path / "cases.csv"
    file.write_text(
        "prs_FirstName,ext_IntakeDate\nAmani,2026-03-01\nBad,2026-99-01\n", encoding="utf-8"
    )
    base = ["import", "cases", str(file), "--vault", vault, "--user", "boss", "--password-stdin"]
    code, out = run(base, ADMIN)
    assert code == 1 and "row 3, ext_IntakeDate, “2026-99-01”: not a date" in out
    assert "Dry run" in out
    code, out = run([*base, "--commit", "--json"], ADMIN)
    assert code == 1 and json.loads(out)["imported"] == 1
    code, out = run([*base, "--commit", "--json"], ADMIN)
    assert json.loads(out)["imported"] == 0 and json.loads(out)["already_present"] == 1
    missing = run(
        [
            "import",
            "cases",
            str(tmp_path / "nope.csv"),
            "--vault",
            vault,
            "--user",
            "boss",
            "--password-stdin",
        ],
        ADMIN,
    )
    assert missing[0] == 1


def test_profiles_add_and_list(vault: str) -> None:
    base = ["--vault", vault, "--user", "boss", "--password-stdin"]
    code, _ = run(
        ["profiles", "add", "National return", "--hub-id", "KE-NRM", "--threshold", "3", *base],
        ADMIN,
    )
    assert code == 1  # below the floor
    code, _ = run(
        [
            "profiles",
            "add",
            "National return",
            "--hub-id",
            "KE-NRM",
            "--records",
            "--k",
            "12",
            *base,
        ],
        ADMIN,
    )
    assert code == 0
    code, out = run(["profiles", "list", "--json", *base], ADMIN)
    [listed] = json.loads(out)
    assert (listed["name"], listed["hub_id"], listed["records"], listed["k"]) == (
        "National return",
        "KE-NRM",
        True,
        12,
    )


def test_export_quarterly_refusals_exit_1(vault: str, tmp_path: Path) -> None:
    base = ["--vault", vault, "--user", "boss", "--password-stdin"]
    assert run(["profiles", "add", "National", "--hub-id", "KE", *base], ADMIN)[0] == 0
    out = str(tmp_path / "out")
    code, _ = run(
        [
            "export",
            "quarterly",
            "--period",
            "2026-Q9",
            "--profile",
            "National",
            "--out",
            out,
            *base,
        ],
        ADMIN,
    )
    assert code == 1
    code, _ = run(
        ["export", "quarterly", "--period", "2026-Q1", "--profile", "Nope", "--out", out, *base],
        ADMIN,
    )
    assert code == 1
    code, _ = run(
        [
            "export",
            "quarterly",
            "--period",
            "2026-Q1",
            "--profile",
            "National",
            "--out",
            out,
            *base,
        ],
        ADMIN,
    )
    assert code == 1  # an empty vault: no case in the period
    assert not Path(out).exists()


def test_export_records_refusals_exit_1(
    vault: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--vault", vault, "--user", "boss", "--password-stdin"]
    assert run(["profiles", "add", "Aggregate", "--hub-id", "KE", *base], ADMIN)[0] == 0
    out = str(tmp_path / "out")
    for year, profile, says in (
        ("26", "Aggregate", "four digits"),
        ("2026", "Aggregate", "does not allow record-level exports"),
        ("2026", "Nope", "no reporting profile"),
    ):
        code, _ = run(
            ["export", "records", "--year", year, "--profile", profile, "--out", out, *base],
            ADMIN,
        )
        assert code == 1 and says in capsys.readouterr().err
    assert not Path(out).exists()


def test_backup_and_restore_from_the_command_line(vault: str, tmp_path: Path) -> None:
    base = ["--vault", vault, "--user", "boss", "--password-stdin"]
    out = tmp_path / "stick" / "harbour.db"
    out.parent.mkdir()
    code, printed = run(["backup", "--out", str(out), "--json", *base], ADMIN)
    assert code == 0 and json.loads(printed)["backup"] == str(out)
    assert json.loads(printed)["tracked"] is False  # a stick: an erasure cannot mark it
    assert out.exists() and out.with_suffix(".json").exists()
    tracked = Path(vault) / "backups" / "safehold-by-hand.db"
    code, printed = run(["backup", "--out", str(tracked), *base], ADMIN)
    assert code == 0 and "does not track" not in printed
    code, printed = run(["backup", "--out", str(tmp_path / "stick" / "two.db"), *base], ADMIN)
    assert code == 0 and "does not track this file" in printed
    assert run(["backup", "--out", str(out), *base], ADMIN)[0] == 1  # never overwritten
    elsewhere = str(tmp_path / "new-laptop")
    wrong = ["restore", "--from", str(out), "--vault", elsewhere, "--user", "boss"]
    assert run([*wrong, "--password-stdin"], "not it\n")[0] == 1
    assert not Path(elsewhere, "safehold.db").exists()
    code, printed = run([*wrong, "--password-stdin"], ADMIN)
    assert code == 0 and "Anything recorded after" in printed
    assert (
        run(["verify", "--vault", elsewhere, "--user", "boss", "--password-stdin"], ADMIN)[0] == 0
    )
    assert run([*wrong, "--password-stdin"], ADMIN)[0] == 1  # the folder now holds a vault


def test_a_damaged_vault_is_replaced_from_the_command_line(vault: str) -> None:
    """The same use case as the sign-in screen's "Restore from the latest backup…": the
    damaged files are set aside, unchanged, and the newest good backup restored in place."""
    import hashlib
    import os

    base = ["--vault", vault, "--user", "boss", "--password-stdin"]
    assert (
        run(["backup", "--out", str(Path(vault) / "backups" / "safehold-x.db"), *base], ADMIN)[0]
        == 0
    )
    database = Path(vault) / "safehold.db"
    for sidecar in Path(vault).glob("safehold.db-*"):
        sidecar.unlink()
    database.write_bytes(os.urandom(16384))
    damaged = hashlib.sha256(database.read_bytes()).hexdigest()
    code, _ = run(["verify", *base], ADMIN)
    assert code == 1
    code, printed = run(["restore", "--latest", "--replace-damaged", *base], ADMIN)
    assert code == 0 and "The damaged files are kept, unchanged, in" in printed
    [aside] = Path(vault).parent.glob(f"{Path(vault).name}-damaged-*")
    assert hashlib.sha256((aside / "safehold.db").read_bytes()).hexdigest() == damaged
    assert run(["verify", *base], ADMIN)[0] == 0
