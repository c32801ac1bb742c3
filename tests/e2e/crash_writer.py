"""A writer for the crash-safety tests, run as its own process and killed at random moments.

``python -m tests.e2e.crash_writer VAULT notes CASE_ID RUN`` saves notes one by one and prints
``saved RUN-N`` after each commit; ``... VAULT migrate`` unlocks (upgrading the schema),
printing ``upgrading`` when the upgrade itself begins (after the backup taken before it) and
``migrated`` once the vault is open. The password comes on standard input.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from casework.services import notes
from casework.vault import schema
from casework.vault.vault import VaultFolder
from tests.factories import actor_of, unlock
from tests.kdf_floor import use_test_kdf_floor


def announce_upgrade() -> None:
    upgrade = schema.upgrade_to_head

    def announced(engine: Engine) -> None:
        print("upgrading", flush=True)
        upgrade(engine)

    schema.upgrade_to_head = announced


def main() -> None:
    use_test_kdf_floor()  # the vault was made by the test, at the tests' floor
    folder, mode = Path(sys.argv[1]), sys.argv[2]
    if mode == "migrate":
        announce_upgrade()
    password = sys.stdin.readline().rstrip("\n")
    vault = unlock(VaultFolder(folder), "amina", password)
    if mode == "migrate":
        print("migrated", flush=True)
        return
    case_id, run = sys.argv[3], sys.argv[4]
    print("ready", flush=True)
    today = date.today()
    for n in range(1_000_000):
        body = f"crash-save-{run}-{n}"
        with vault.transaction() as session:
            notes.add_note(session, actor_of(vault), case_id, body, today, today)
        print(f"saved {body}", flush=True)  # only after the commit returned


if __name__ == "__main__":
    main()
