"""Issue 16, attack 9: after Ctrl+L the app's process holds no survivor text, no key and no
password, and cannot be dumped by another process of the user. Read as the attacker would:
the process's own memory, every writable region, searched for the planted values."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from casework.services import cases, notes
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import SUPERVISOR_PASSWORD
from tests.factories import actor_of, unlock

DRIVER = Path(__file__).resolve().parent / "lock_memory_driver.py"
PLANTED = ["Zqvorlithea", "Brannockvee", "+254 700 918 273", "ochrequarry", "Marrowfen lane"]


def forms(value: str | bytes) -> list[bytes]:
    """How a value can sit in memory: UTF-8 (Python's compact strings, SQLite), UTF-16 (Qt),
    UCS-4 (Python strings with a wide character)."""
    if isinstance(value, bytes):
        return [value, value.hex().encode(), value.hex().upper().encode()]
    return [value.encode(), value.encode("utf-16-le"), value.encode("utf-32-le")]


def found_in(dump: bytes, values: dict[str, str | bytes]) -> list[str]:
    return [name for name, value in values.items() if any(f in dump for f in forms(value))]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/mem")
def test_lock_leaves_no_survivor_key_or_password_in_the_process(
    staffed_vault: OpenVault, vault_folder: VaultFolder, tmp_path: Path
) -> None:
    today = date(2026, 11, 2)
    staffed_vault.lock()
    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    with sara.transaction() as session:
        case_id = cases.record_survivor(
            session,
            actor_of(sara),
            cases.SurvivorInput(
                first_name=PLANTED[0],
                last_name=PLANTED[1],
                phone=PLANTED[2],
                intake_date=today,
            ),
            today,
        ).case_id
        notes.add_note(session, actor_of(sara), case_id, f"Met at {PLANTED[3]}", today, today)
        notes.add_note(session, actor_of(sara), case_id, f"Lives on {PLANTED[4]}", today, today)
    secrets = sara.secrets
    sara.lock()
    values: dict[str, str | bytes] = {f"planted {i}": text for i, text in enumerate(PLANTED)}
    values["database key"] = secrets.database_key
    assert secrets.audit_root_key is not None
    values["audit root key"] = secrets.audit_root_key
    values["password"] = SUPERVISOR_PASSWORD

    out = tmp_path / "memory"
    done = subprocess.run(
        [sys.executable, str(DRIVER), str(vault_folder.folder), "sara", case_id, str(out)],
        input=SUPERVISOR_PASSWORD + "\n",
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    before = Path(f"{out}.before").read_bytes()
    after = Path(f"{out}.after").read_bytes()
    # The control: before the lock, the search finds what the case showed.
    assert set(found_in(before, values)) >= {"planted 0", "planted 1", "planted 3"}
    assert found_in(after, values) == []
    assert Path(f"{out}.dumpable").read_text() == "0"
