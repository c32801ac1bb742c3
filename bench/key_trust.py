"""What the key-trust checks cost (issue 16): sign-in after key derivation, lock, the fresh
process a lock starts, and a rotation (a user removed). It prints; it never passes or fails.

    .venv/bin/python bench/key_trust.py [--cases 300] [--repeat 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from casework.application.entrance import Entrance  # noqa: E402
from casework.demo import DEMO_PASSWORD, create_demo_vault  # noqa: E402
from casework.model.vocab import Role  # noqa: E402
from casework.vault.vault import VaultFolder  # noqa: E402


def sign_in_after_kdf(folder: VaultFolder, username: str, repeat: int) -> tuple[float, float]:
    """(key derivation ms, the rest of unlock ms): the rest holds the keyring's authentication,
    the anchor check and refresh, the schema check and the sign-in's audit row."""
    kdfs, rests = [], []
    for _ in range(repeat):
        keyring = folder.load_keyring()
        started = time.perf_counter()
        keyring.open_slot(keyring.slot_id(username), DEMO_PASSWORD)
        kdf = time.perf_counter() - started
        started = time.perf_counter()
        desk = Entrance(folder.folder).sign_in(username, DEMO_PASSWORD)
        rests.append((time.perf_counter() - started - kdf) * 1000)
        kdfs.append(kdf * 1000)
        desk.close()
    return statistics.median(kdfs), statistics.median(rests)


def lock_ms(folder: VaultFolder, username: str, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        desk = Entrance(folder.folder).sign_in(username, DEMO_PASSWORD)
        started = time.perf_counter()
        desk.close()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def fresh_process_ms(folder: VaultFolder, repeat: int) -> float:
    """From the lock's execve to the fresh process's sign-in on screen: a new interpreter
    running the app with a place handed on, offscreen."""
    samples = []
    state = json.dumps({"username": "caseworker"})
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SAFEHOLD_RESUME": state}
    for _ in range(repeat):
        started = time.time()
        done = subprocess.run(
            [sys.executable, "-m", "ui.app", "--vault", str(folder.folder), "--print-shown-at",
             "--quit-after", "0.5", "--no-err-windows"],
            cwd=ROOT, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        shown = next(float(line.split()[1]) for line in done.stdout.splitlines()
                     if line.startswith("shown-at"))  # fmt: skip
        samples.append((shown - started) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="safehold-keytrust-"))
    demo = create_demo_vault(work / "vault", args.cases)
    demo.vault.lock()
    folder = VaultFolder(work / "vault")
    results: dict[str, float] = {}
    kdf, rest = sign_in_after_kdf(folder, "admin", args.repeat)
    results["kdf_ms"] = kdf
    results["admin_sign_in_after_kdf_ms"] = rest
    results["caseworker_sign_in_after_kdf_ms"] = sign_in_after_kdf(
        folder, "caseworker", args.repeat
    )[1]
    results["supervisor_lock_ms"] = lock_ms(folder, "supervisor", args.repeat)
    results["caseworker_lock_ms"] = lock_ms(folder, "caseworker", args.repeat)
    results["lock_fresh_process_to_sign_in_ms"] = fresh_process_ms(folder, min(args.repeat, 3))
    admin = Entrance(folder.folder).sign_in("admin", DEMO_PASSWORD)
    admin.accounts.add_user(
        "leaver", "a password for someone leaving", frozenset({Role.SUPERVISOR})
    )
    started = time.perf_counter()
    admin.vault.remove_slot_and_rekey("leaver")
    results["rotation_on_removal_ms"] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    admin.vault.rotate(new_database_key=False)
    results["rotation_on_admin_password_change_ms"] = (time.perf_counter() - started) * 1000
    admin.close()
    results["database_mb"] = folder.database.stat().st_size / 1e6
    if args.json:
        print(json.dumps({k: round(v, 1) for k, v in results.items()}))
    else:
        for name, value in results.items():
            print(f"{name:<40} {value:10.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
