"""The case import at organisation scale: a dry run and a commit of N synthetic valid rows into
a fresh vault. It prints; it never passes or fails.

    .venv/bin/python bench/import_bench.py --rows 100000 [--seed 1] [--json]

The CSV is built in memory (synthetic names, nothing real), then checked (the dry run) and
imported (the commit), each in its own transaction as the app and the command line do. The
figures: seconds for each and for both (``import_100k`` at 100,000 rows), the peak resident
memory while importing (``rss_peak_process``, the whole run's, where Linux's peak cannot be
reset), and the memory held just before (the CSV itself included).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from casework.application.entrance import Entrance  # noqa: E402
from casework.demo import DEMO_PASSWORD  # noqa: E402
from casework.importer import MAX_FILE_BYTES, import_cases  # noqa: E402
from casework.model.vocab import Role  # noqa: E402
from casework.vault.crypto import KdfParams  # noqa: E402

COLUMNS = (
    "ext_CaseReference",
    "prs_FirstName",
    "prs_SecondName",
    "prs_Birthdate",
    "prs_Gender",
    "prs_Citizenship",
    "prs_MobilePhone",
    "vic_TypeOfExploitation",
    "cas_Status",
    "ext_IntakeDate",
    "ext_ClosedDate",
    "ext_ClosureReason",
    "ext_Caseworker",
    "ext_ConsentAggregate",
    "con_Consent",
)
GIVEN = ("Amani", "Baraka", "Olena", "Neema", "Grace", "Juma", "Aisha", "Petro", "Mwajuma")
FAMILY = ("Otieno", "Wafula", "Kovalenko", "Mwangi", "Achieng", "Hassan", "Njeri", "Barasa")
EXPLOITATION = ("ForcedLabour", "SexualExploitation", "ForcedLabour;SexualExploitation", "")
CASEWORKERS = ("amina", "bruno")


def status_mb(field: str) -> float | None:
    """A memory figure of /proc/self/status (Linux), in MB."""
    status = Path("/proc/self/status")
    for line in status.read_text().splitlines() if status.exists() else ():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return None


def reset_peak() -> bool:
    """Start the peak resident memory afresh (Linux 4.0 and later), so that the key
    derivations of setting up the vault (64 MiB each) do not count as the import's."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def rss_peak_mb() -> float:
    return status_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_csv(rows: int, seed: int, latest: date) -> bytes:
    """N valid rows: open and closed cases, dates that agree (none after ``latest``), known
    caseworkers."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for index in range(rows):
        intake = latest - timedelta(days=200 + rng.randrange(5 * 365))
        birth = intake - timedelta(days=rng.randrange(16 * 365, 50 * 365))
        closed = rng.random() < 0.25
        writer.writerow(
            (
                f"B-{index + 1:07d}",
                rng.choice(GIVEN),
                rng.choice(FAMILY),
                birth.isoformat() if rng.random() < 0.7 else "",
                rng.choice(("Feminine", "Masculine")),
                rng.choice(("KE", "UG", "TZ", "UA")),
                f"+2547{rng.randrange(10**8):08d}" if rng.random() < 0.5 else "",
                rng.choice(EXPLOITATION),
                "Closed" if closed else "Active",
                intake.isoformat(),
                (intake + timedelta(days=rng.randrange(0, 200))).isoformat() if closed else "",
                "goals-met" if closed else "",
                rng.choice(CASEWORKERS),
                rng.choice(("yes", "no")),
                "yes",
            )
        )
    return out.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    name = f"import_{args.rows // 1000}k" if args.rows >= 1000 else f"import_{args.rows}"
    today = date.today()
    data = synthetic_csv(args.rows, args.seed, today)
    if len(data) > MAX_FILE_BYTES:
        sys.exit(f"{args.rows} rows make {len(data) / 1e6:.1f} MB, above the import's limit.")
    results: dict[str, dict[str, float]] = {}

    def record(key: str, value: float, unit: str) -> None:
        results[key] = {unit: round(value, 2)}
        if not args.json:
            print(f"{key:<28} {value:10.1f} {'s' if unit == 'seconds' else 'MB'}")

    with tempfile.TemporaryDirectory(prefix="safehold-import-bench-") as folder:
        desk = (
            Entrance(Path(folder) / "vault")
            .create(
                org_name="Bench",
                country="KE",
                province="Mombasa",
                admin_username="admin",
                admin_password=DEMO_PASSWORD,
                kdf=KdfParams(),
            )
            .desk
        )
        vault = desk.vault
        for worker in CASEWORKERS:
            desk.accounts.add_user(worker, DEMO_PASSWORD, frozenset({Role.CASEWORKER}))
        before = status_mb("VmRSS") or rss_peak_mb()
        peak_is_the_imports = reset_peak()
        started = time.perf_counter()
        with vault.transaction() as session:
            dry = import_cases(session, desk.actor, data, "bench.csv", today, commit=False)
        dry_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with vault.transaction() as session:
            done = import_cases(session, desk.actor, data, "bench.csv", today, commit=True)
        commit_seconds = time.perf_counter() - started
        desk.close()
        if dry.valid != args.rows or done.imported != args.rows or done.problem_count:
            sys.exit(f"expected {args.rows} rows imported, got {done.imported}.")
        record(f"{name}_dry_run", dry_seconds, "seconds")
        record(f"{name}_commit", commit_seconds, "seconds")
        record(name, dry_seconds + commit_seconds, "seconds")
        record("rss_peak" if peak_is_the_imports else "rss_peak_process", rss_peak_mb(), "mb")
        record("rss_before_import", before, "mb")
        record("file_size", len(data) / 1e6, "mb")
    if args.json:
        print(json.dumps({"rows": args.rows, **results}, indent=1))


if __name__ == "__main__":
    main()
