"""Vault figures: key calibration, unlock, database open, caseload query and page fetch.

    .venv/bin/python bench/bench_vault.py [--cases N]

Prints figures; it passes or fails on nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from casework.demo import DEMO_PASSWORD, create_demo_vault  # noqa: E402
from casework.services.cases import CaseSort  # noqa: E402
from casework.vault import crypto  # noqa: E402
from casework.vault.engine import open_engine  # noqa: E402
from casework.vault.vault import VaultFolder  # noqa: E402
from casework.workspace import Workspace  # noqa: E402


def timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000, max(samples) * 1000


def report(name: str, figures: tuple[float, float]) -> None:
    print(f"{name:<44} median {figures[0]:9.1f} ms   max {figures[1]:9.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    args = parser.parse_args()
    started = time.perf_counter()
    params = crypto.calibrate()
    print(
        f"Argon2id calibration: t={params.time_cost} m={params.memory_kib // 1024} MiB "
        f"({time.perf_counter() - started:.2f} s to calibrate)"
    )
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        demo = create_demo_vault(Path(folder) / "vault", args.cases, seed=7, kdf=params)
        print(f"demo vault with {args.cases} cases built in {time.perf_counter() - started:.1f} s")
        key = demo.vault.secrets.database_key
        demo.vault.lock()
        vault_folder = VaultFolder(Path(folder) / "vault")
        size = vault_folder.database.stat().st_size / 1e6
        print(f"database file: {size:.1f} MB")

        report(
            "unlock (Argon2 + open + schema check)",
            timed(lambda: vault_folder.unlock("supervisor", DEMO_PASSWORD).lock(), 5),
        )

        def open_database() -> None:
            engine = open_engine(vault_folder.database, key)
            engine.dispose()

        report("open database with the raw key", timed(open_database, 20))
        vault = vault_folder.unlock("supervisor", DEMO_PASSWORD)
        workspace = Workspace(vault)
        for sort in CaseSort:
            report(
                f"caseload ids sorted by {sort.value}",
                timed(lambda s=sort: workspace.caseload_ids(s, True), 5),
            )
        ids = workspace.caseload_ids(CaseSort.INTAKE_DATE, True)
        report(
            "fetch one page of 100 caseload rows",
            timed(lambda: workspace.caseload_rows(ids[5000:5100]), 20),
        )
        report(
            "open a case (with its audit row)", timed(lambda: workspace.open_case(ids[1234]), 20)
        )
        vault.lock()


if __name__ == "__main__":
    main()
