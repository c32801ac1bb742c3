"""Documents and photos kept inside the encrypted database. The content lives in its own table
so that listing a case's attachments never reads the files themselves."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.model.base import Base, Replicated


class Attachment(Replicated, Base):
    __tablename__ = "attachments"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")


class AttachmentContent(Replicated, Base):
    __tablename__ = "attachment_contents"

    attachment_id: Mapped[str] = mapped_column(ForeignKey("attachments.id"), unique=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
