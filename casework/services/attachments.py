"""Attachments: consent forms, identity documents, court papers, photos; kept inside the
encrypted database, checked by content (not by name) and against the size limit an
administrator sets. Reading one is for viewing in memory; saving a copy out is a separate,
audited act."""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import limits
from casework.errors import NotFound, ValidationError
from casework.model import Attachment, AttachmentContent
from casework.model.actor import Actor
from casework.model.vocab import Role
from casework.services import audit
from casework.services.cases import visible_case
from casework.services.organisation import the_organisation

MAX_LIMIT_MB = 200


@dataclass(frozen=True)
class AttachmentView:
    attachment_id: str
    filename: str
    media_type: str
    size: int
    description: str
    added_at: datetime


DAMAGED_PDF = (
    "This file starts like a PDF but is damaged or is not one, so it could not be opened; attach "
    "the original document or a new scan of it."
)


def pdf_problem(data: bytes) -> str | None:
    """Why a file that starts like a PDF will not open as one (None if it opens with at least
    one page). pypdf reads the cross-reference table and the page tree, as a viewer would: a
    look at the bytes alone cannot see pages kept in compressed object streams (PDF 1.5 and
    later), so it would refuse many real PDFs, or accept any file with ``%PDF-`` on top."""
    from pypdf import PdfReader

    # What pypdf says about a broken file may quote the file: it must not reach the log.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL + 1)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return (
                "This PDF is protected by a password, so Safehold could not show it; save it "
                "without the password and attach it again."
            )
        if len(reader.pages) > 0:
            return None
    except Exception:  # whatever stops pypdf reading it would stop a viewer too
        return DAMAGED_PDF
    return DAMAGED_PDF


def sniff(data: bytes) -> str | None:
    """The media type from the first bytes; None for anything not accepted."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def limit_bytes(session: Session) -> int:
    org = the_organisation(session)
    return org.attachment_limit_mb * 1024 * 1024


def set_limit_mb(session: Session, actor: Actor, megabytes: int) -> None:
    actor.require(Role.ADMINISTRATOR)
    if not 1 <= megabytes <= MAX_LIMIT_MB:
        raise ValidationError(f"Choose between 1 and {MAX_LIMIT_MB} MB.", field="limit")
    org = the_organisation(session)
    org.attachment_limit_mb = megabytes
    org.updated_by = actor.user_id
    audit.record(session, actor.user_id, "settings.attachment-limit", "organisation", org.id)


def read_upload(session: Session, path: Path) -> bytes:
    """Read a file the user chose, refusing it by its size before reading it."""
    limit = limit_bytes(session)
    try:
        size = path.stat().st_size
        if size > limit:
            raise ValidationError(
                f"The file is {size / 1048576:.1f} MB; attachments may be at most "
                f"{limit // 1048576} MB (an administrator sets this).",
                field="file",
            )
        return path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"The file cannot be read ({exc.strerror}).", field="file") from None


def add_attachment(
    session: Session, actor: Actor, case_id: str, filename: str, data: bytes, description: str = ""
) -> AttachmentView:
    case = visible_case(session, actor, case_id)
    limit = limit_bytes(session)
    if len(data) > limit:
        raise ValidationError(f"Attachments may be at most {limit // 1048576} MB.", field="file")
    if not data:
        raise ValidationError("The file is empty.", field="file")
    media_type = sniff(data)
    if media_type is None:
        raise ValidationError(
            "Only PDF documents and photos (PNG, JPEG, GIF, WebP) can be attached; this file is "
            "neither, whatever its name says.",
            field="file",
        )
    if media_type == "application/pdf":
        problem = pdf_problem(data)
        if problem is not None:
            raise ValidationError(problem, field="file")
    attachment = Attachment(
        case_id=case.id,
        filename=stored_name(filename),
        media_type=media_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        description=description.strip(),
        **actor.stamp(),
    )
    session.add(attachment)
    session.flush()
    session.add(
        AttachmentContent(
            attachment_id=attachment.id,
            data=data,
            **actor.stamp(),
        )
    )
    audit.record(session, actor.user_id, "attachment.add", "attachment", attachment.id)
    return _view(attachment)


def stored_name(filename: str) -> str:
    """The name kept for a file: its last part only, without control or bidirectional characters
    (which could disguise "report\u202efdp.exe" as "reportexe.pdf" or drive a terminal), and short
    enough to save a copy under on any disk."""
    return limits.clean_file_name(PurePosixPath(filename.replace("\\", "/")).name) or "attachment"


def _view(a: Attachment) -> AttachmentView:
    # cleaned again as shown: a vault from before the names were cleaned may hold any name
    return AttachmentView(
        a.id, stored_name(a.filename), a.media_type, a.size, a.description, a.created_at
    )


def case_attachments(session: Session, actor: Actor, case_id: str) -> list[AttachmentView]:
    case = visible_case(session, actor, case_id)
    rows = session.execute(
        select(Attachment)
        .where(Attachment.case_id == case.id, Attachment.deleted_at.is_(None))
        .order_by(Attachment.created_at.desc())
    ).scalars()
    return [_view(a) for a in rows]


def _content(session: Session, actor: Actor, attachment_id: str) -> tuple[Attachment, bytes]:
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.deleted_at is not None:
        raise NotFound()
    visible_case(session, actor, attachment.case_id)
    data = session.execute(
        select(AttachmentContent.data).where(AttachmentContent.attachment_id == attachment.id)
    ).scalar_one()
    return attachment, bytes(data)


def open_attachment(
    session: Session, actor: Actor, attachment_id: str
) -> tuple[AttachmentView, bytes]:
    """The attachment's bytes for viewing in memory; the view is audited."""
    attachment, data = _content(session, actor, attachment_id)
    audit.record(session, actor.user_id, "attachment.view", "attachment", attachment.id)
    return _view(attachment), data


def export_attachment(session: Session, actor: Actor, attachment_id: str) -> tuple[str, bytes]:
    """The bytes to save a copy outside the vault: an explicit act, audited as such."""
    attachment, data = _content(session, actor, attachment_id)
    audit.record(session, actor.user_id, "attachment.export", "attachment", attachment.id)
    return stored_name(attachment.filename), data
