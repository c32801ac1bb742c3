"""Crash safety: writers killed with SIGKILL at random moments lose nothing they reported as
saved, and leave a database that passes its integrity checks; a schema upgrade killed part-way
leaves the old version or the new one, never something between."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from casework.model.vocab import Role
from casework.services import accounts, cases
from casework.services.integrity import check_database
from casework.vault import schema
from casework.vault.engine import raw_connection
from casework.vault.vault import VaultFolder
from tests.conftest import ADMIN_PASSWORD, FAST_KDF, WORKER_PASSWORD
from tests.factories import actor_of, create_vault, unlock

ROOT = Path(__file__).resolve().parents[2]
# Each kill starts a writer process (about a second) and checks the whole database: a dozen kills
# at random moments across commits are what the test needs, not fifty.
KILLS = 12
pytestmark = pytest.mark.slow


def make_vault(folder: Path) -> tuple[VaultFolder, str, bytes]:
    created = create_vault(
        VaultFolder(folder),
        org_name="Harbour Light",
        country="KE",
        province="",
        admin_username="admin",
        admin_password=ADMIN_PASSWORD,
        kdf=FAST_KDF,  # the writer lowers its floor to the tests' (tests/kdf_floor.py)
    )
    accounts.add_user(
        created.vault,
        actor_of(created.vault),
        "amina",
        WORKER_PASSWORD,
        frozenset({Role.CASEWORKER}),
    )
    key = created.vault.secrets.database_key
    created.vault.lock()
    amina = unlock(VaultFolder(folder), "amina", WORKER_PASSWORD)
    today = date.today()
    with amina.transaction() as session:
        case_id = cases.record_survivor(
            session,
            actor_of(amina),
            cases.SurvivorInput(first_name="Crash", intake_date=today),
            today,
        ).case_id
    amina.lock()
    return VaultFolder(folder), case_id, key


def writer(folder: Path, *args: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.crash_writer", str(folder), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env=env,
    )
    assert process.stdin is not None
    process.stdin.write((WORKER_PASSWORD + "\n").encode())
    process.stdin.close()
    process.stdin = None  # given and closed: communicate() has nothing left to send
    return process


def kill(process: subprocess.Popen[bytes]) -> list[str]:
    """SIGKILL, then whatever the writer had printed (the pipe is read to its end and closed)."""
    process.send_signal(signal.SIGKILL)
    out, _ = process.communicate()
    return out.decode().splitlines()


def saved_bodies(folder: VaultFolder, key: bytes) -> set[str]:
    connection = raw_connection(folder.database, key)
    try:
        return {r[0] for r in connection.execute("SELECT body FROM case_notes")}
    finally:
        connection.close()


def test_killed_writers_lose_nothing_they_reported(tmp_path: Path) -> None:
    folder, case_id, key = make_vault(tmp_path / "vault")
    rng = random.Random(20261123)
    reported: set[str] = set()
    for run in range(KILLS):
        process = writer(folder.folder, "notes", case_id, str(run))
        assert process.stdout is not None
        first = process.stdout.readline().decode().strip()
        assert first == "ready", first
        time.sleep(rng.uniform(0.0, 0.4))
        lines = kill(process)
        reported |= {line.split(" ", 1)[1] for line in lines if line.startswith("saved ")}
        assert check_database_ok(folder, key), f"integrity failed after kill {run}"
        missing = reported - saved_bodies(folder, key)
        assert not missing, f"after kill {run}: {sorted(missing)[:3]}"
    assert len(reported) > KILLS  # the writers did get work done between kills


def check_database_ok(folder: VaultFolder, key: bytes) -> bool:
    class Opened:  # the shape check_database reads
        def __init__(self) -> None:
            self.folder = folder
            self.secrets = type("S", (), {"database_key": key})()

    return check_database(Opened()) == "ok"  # type: ignore[arg-type]


def database_version(folder: VaultFolder, key: bytes) -> str:
    connection = raw_connection(folder.database, key)
    try:
        return str(connection.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        connection.close()


def test_an_upgrade_killed_part_way_leaves_old_or_new(tmp_path: Path) -> None:
    """Each writer is killed at a moment after its upgrade has begun, spread from just after
    the start to past its end (timed by one upgrade let run): some kills land inside the
    upgrade, some after it committed, and every outcome is the old version or the new one."""
    folder, _case_id, key = make_vault(tmp_path / "vault")
    head = schema.head_revision()
    old = "0006"

    def downgraded() -> None:
        opened = unlock(folder, "admin", ADMIN_PASSWORD)
        schema.downgrade_to(opened.engine, old)
        opened.lock()

    downgraded()
    process = writer(folder.folder, "migrate")
    assert process.stdout is not None
    assert process.stdout.readline().decode().strip() == "upgrading"
    began = time.monotonic()
    assert process.stdout.readline().decode().strip() == "migrated"
    duration = time.monotonic() - began
    process.communicate()
    assert database_version(folder, key) == head

    outcomes: list[str] = []
    for fraction in (0.02, 0.1, 0.25, 0.5, 0.75, 1.5, 3.0):
        downgraded()
        process = writer(folder.folder, "migrate")
        assert process.stdout is not None
        assert process.stdout.readline().decode().strip() == "upgrading"
        time.sleep(duration * fraction)
        kill(process)
        version = database_version(folder, key)
        assert version in (old, head), version
        outcomes.append(version)
        assert check_database_ok(folder, key)
        reopened = unlock(folder, "amina", WORKER_PASSWORD)  # finishes any upgrade left undone
        with reopened.session() as session:
            assert session.execute(text("SELECT count(*) FROM cases")).scalar_one() == 1
        reopened.lock()
    # Killed inside the upgrade and after it: both outcomes were seen, so a non-atomic upgrade
    # (something between the two) would have had its chance to show.
    assert old in outcomes and head in outcomes, outcomes
