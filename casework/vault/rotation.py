"""Which backups to keep: the automatic daily backups of the last 7 days and one for each of the
last 4 weeks; backups marked expired (they hold a person since erased) go once a newer backup
exists. Other backups (taken by hand, before an upgrade) are kept until they expire."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

DAILY = "daily"
EXPIRED = "expired.json"


@dataclass(frozen=True)
class BackupEntry:
    path: Path
    created_at: datetime
    label: str


def backups_in(folder: Path) -> list[BackupEntry]:
    """The backups in ``folder`` whose manifests read, oldest first."""
    entries = []
    try:
        manifests = list(folder.glob("safehold-*.json"))
    except OSError:  # a folder that cannot be listed (a drive gone, no permission)
        return []
    for manifest in manifests:
        database = manifest.with_suffix(".db")
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            created = datetime.fromisoformat(str(data["created_at"]))
        except (OSError, ValueError, KeyError, TypeError, RecursionError, AttributeError):
            continue
        if created.tzinfo is None:  # Safehold writes UTC with its offset: not one of ours
            continue
        if database.exists():
            entries.append(BackupEntry(database, created, str(data.get("label", ""))))
    return sorted(entries, key=lambda e: e.created_at)


def expired_names(folder: Path) -> set[str]:
    try:
        data = json.loads((folder / EXPIRED).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return set()
    return set(data) if isinstance(data, dict) else set()


def mark_expired(folder: Path, reason: str) -> list[str]:
    """List every backup in ``folder`` in its ``expired.json``, by file name and by its
    manifest's MAC (so a renamed copy is still known), for rotation to delete and restore to
    refuse; returns the names marked."""
    try:
        if not folder.is_dir():
            return []
    except OSError:
        return []
    from casework.vault.files import write_private_file

    marker = folder / EXPIRED
    try:
        expired = json.loads(marker.read_text(encoding="utf-8")) if marker.exists() else {}
    except (OSError, ValueError):
        expired = {}
    if not isinstance(expired, dict):
        expired = {}
    try:
        names = sorted(p.name for p in folder.glob("safehold-*.db"))
    except OSError:
        return []
    for name in names:
        expired.setdefault(name, reason)
        try:
            mac = json.loads((folder / name).with_suffix(".json").read_text()).get("mac")
        except (OSError, ValueError, AttributeError):
            mac = None
        if isinstance(mac, str):
            expired.setdefault(f"mac:{mac}", reason)
    write_private_file(marker, json.dumps(expired, indent=1, sort_keys=True).encode())
    return names


def last_daily(folder: Path) -> datetime | None:
    dailies = [e.created_at for e in backups_in(folder) if e.label == DAILY]
    return max(dailies) if dailies else None


def to_delete(entries: list[BackupEntry], expired: set[str]) -> list[Path]:
    """Apply the policy to ``entries`` (oldest first). It counts backups, not clock time: a
    laptop left off for a month still keeps its last seven dailies."""
    keep: set[Path] = set()
    dailies = [e for e in entries if e.label == DAILY and e.path.name not in expired]
    by_day: dict[date, BackupEntry] = {}
    by_week: dict[tuple[int, int], BackupEntry] = {}
    for entry in dailies:  # the newest of each day and of each ISO week wins
        by_day[entry.created_at.date()] = entry
        iso = entry.created_at.isocalendar()
        by_week[(iso.year, iso.week)] = entry
    for day in sorted(by_day, reverse=True)[:7]:
        keep.add(by_day[day].path)
    for week in sorted(by_week, reverse=True)[:4]:
        keep.add(by_week[week].path)
    newest_good = max((e.created_at for e in entries if e.path.name not in expired), default=None)
    doomed = []
    for entry in entries:
        if entry.path.name in expired:
            if newest_good is not None and newest_good > entry.created_at:
                doomed.append(entry.path)
        elif entry.label == DAILY and entry.path not in keep:
            doomed.append(entry.path)
    return doomed


def rotate(folder: Path) -> list[Path]:
    """Delete what the policy lets go (each backup with its manifest); returns what went."""
    if not folder.is_dir():
        return []
    doomed = to_delete(backups_in(folder), expired_names(folder))
    for path in doomed:
        path.unlink(missing_ok=True)
        path.with_suffix(".json").unlink(missing_ok=True)
    return doomed


def daily_due(folder: Path, now: datetime) -> bool:
    last = last_daily(folder)
    return last is None or now - last >= timedelta(days=1)
