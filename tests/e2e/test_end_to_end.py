"""The real programs as subprocesses: the app started the README's way, and safehold-admin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def env_for(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        TMPDIR=str(tmp_path / "tmp"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        HOME=str(tmp_path / "home"),
    )
    env.pop("SAFEHOLD_VAULT", None)
    for name in ("tmp", "data", "state", "home"):
        (tmp_path / name).mkdir(exist_ok=True)
    return env


def test_the_readme_opens_with_the_two_set_up_commands() -> None:
    readme = (ROOT / "README.md").read_text().split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in readme.strip().splitlines()]
    assert commands == ["python3 run.py app", "python3 run.py test"]
    assert "python3 run.py test" in (ROOT / ".ci" / "run").read_text()


def test_the_demo_app_starts_and_leaves_nothing_behind(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ui.app",
            "--demo",
            "--demo-cases",
            "30",
            "--quit-after",
            "1.5",
            "--no-err-windows",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert list((tmp_path / "tmp").iterdir()) == []  # the throwaway vault is gone
    assert not (tmp_path / "data" / "Safehold").exists()


def test_the_app_starts_on_first_run_set_up_without_writing_a_vault(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "ui.app", "--quit-after", "1", "--no-err-windows"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert not (tmp_path / "data" / "Safehold" / "vault" / "keyring.json").exists()


def admin(args: list[str], stdin: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "casework.cli", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_safehold_admin_end_to_end(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    password = "lantern harbour copper meadow\n"
    created = admin(
        [
            "init",
            "--org-name",
            "Harbour Light",
            "--country",
            "KE",
            "--admin",
            "boss",
            "--password-stdin",
        ],
        password,
        env,
    )
    assert created.returncode == 0, created.stderr
    vault = tmp_path / "data" / "Safehold" / "vault"  # the default: the user's data folder
    assert (vault / "keyring.json").exists()
    assert "Recovery code:" in created.stdout
    ok = admin(["verify", "--user", "boss", "--password-stdin"], password, env)
    assert ok.returncode == 0 and "Audit chain:" in ok.stdout

    data = bytearray((vault / "safehold.db").read_bytes())
    for sidecar in vault.glob("safehold.db-*"):
        sidecar.unlink()
    data[5000:5100] = bytes(100)  # damage a page in the middle of the file
    (vault / "safehold.db").write_bytes(bytes(data))
    damaged = admin(["verify", "--user", "boss", "--password-stdin"], password, env)
    assert damaged.returncode == 1
    assert damaged.stderr.count("\n") == 1 and "Traceback" not in damaged.stderr


def test_core_dumps_are_off_in_the_programs(tmp_path: Path) -> None:
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource; from casework.platform import harden_process; harden_process(); "
            "print(resource.getrlimit(resource.RLIMIT_CORE))",
        ],
        cwd=ROOT,
        env=env_for(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert probe.stdout.strip() == "(0, 0)"
