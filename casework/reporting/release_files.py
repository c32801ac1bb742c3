"""Writing a de-identified release (the quarterly summary, the record-level export) to its
folder: refused unless the folder is new or empty, audited (who, which profile and period,
each file's SHA-256) in the same transaction as the writing, files user-only, and nothing left
behind if anything fails, the audit row included."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.errors import CaseworkError
from casework.model import AuditEvent, ReportingProfile, User
from casework.model.actor import Actor
from casework.model.vocab import Role
from casework.reporting.profiles import Profile
from casework.services import audit
from casework.vault.files import make_private_folder, write_private_file


class ExportRefused(CaseworkError):
    code = "export-refused"


# A write transaction to open (OpenVault.transaction): exports read in a plain session and write
# only their audit row, briefly, in one of these.
Writer = Callable[[], AbstractContextManager[Session]]


def manifest_bytes(manifest: dict[str, object]) -> bytes:
    return json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8") + b"\n"


def refuse_unless_empty(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportRefused(f"{out} already exists and is not empty: choose a new or empty folder.")


def write_export(
    session: Session,
    actor: Actor,
    out: Path,
    files: dict[str, bytes],
    action: str,
    profile: Profile,
    period: str,
    check: Callable[[], None] | None = None,
    writer: Writer | None = None,
) -> None:
    """Audit who exported what (profile, period, each file's SHA-256), then write the files
    user-only into ``out``. The audit row is in the caller's transaction (or, with ``writer``,
    in one of its own around the writing), so a failed write (which removes whatever it had
    written) leaves no row either."""
    if writer is not None:
        created = not out.exists()
        try:
            with writer() as written_in:
                write_export(written_in, actor, out, files, action, profile, period, check)
        except BaseException:
            # The audit row did not commit (a lock refused it, say): no file stays without it.
            # ``out`` was new or empty (refused otherwise), so these names are all ours.
            for name in files:
                (out / name).unlink(missing_ok=True)
            if created and out.is_dir() and not any(out.iterdir()):
                out.rmdir()
            raise
        return
    refuse_unless_empty(out)
    if check:
        check()
    digests: dict[str, object] = {
        name: hashlib.sha256(data).hexdigest() for name, data in files.items()
    }
    detail: dict[str, object] = {"period": period, "sha256": digests}
    audit.record(session, actor.user_id, action, "profile", profile.profile_id, detail)
    created = not out.exists()
    make_private_folder(out)
    written: list[Path] = []
    try:
        for name, data in files.items():
            if check:
                check()
            write_private_file(out / name, data)
            written.append(out / name)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        if created:
            out.rmdir()
        raise


@dataclass(frozen=True)
class PastExport:
    """One export as its audit row recorded it: when, by whom, what, and each file's digest
    (so the data officer can show which file went to the recipient)."""

    at: datetime
    by: str
    kind: str  # "quarterly" or "records"
    profile: str
    recipient: str
    period: str
    files: tuple[tuple[str, str], ...]  # (file name, SHA-256)


EXPORT_ACTIONS = {"export.quarterly": "quarterly", "export.records": "records"}


def past_exports(session: Session, actor: Actor, limit: int = 200) -> list[PastExport]:
    """The newest ``limit`` exports, newest first, read from the audit trail (the one record
    of them: the files themselves are the recipient's)."""
    actor.require(Role.DATA_OFFICER, Role.ADMINISTRATOR)
    rows = session.execute(
        select(AuditEvent, User.display_name, ReportingProfile.name, ReportingProfile.recipient)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(ReportingProfile, ReportingProfile.id == AuditEvent.entity_id)
        .where(AuditEvent.action.in_(sorted(EXPORT_ACTIONS)))
        .order_by(AuditEvent.seq.desc())
        .limit(limit)
    ).all()
    found = []
    for event, by, profile, recipient in rows:
        detail = json.loads(event.detail) if event.detail else {}
        digests = detail.get("sha256", {}) if isinstance(detail, dict) else {}
        found.append(
            PastExport(
                at=event.at,
                by=by or "",
                kind=EXPORT_ACTIONS[event.action],
                profile=profile or "",
                recipient=recipient or "",
                period=str(detail.get("period", "")) if isinstance(detail, dict) else "",
                files=tuple(sorted((str(k), str(v)) for k, v in digests.items())),
            )
        )
    return found
