"""The organisation and its staff accounts."""

from __future__ import annotations

import os
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.model.base import Base, Replicated, UTCDateTime, text_enum
from casework.model.vocab import Role


class Organisation(Replicated, Base):
    __tablename__ = "organisation"

    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    province: Mapped[str] = mapped_column(String(100), default="")
    auto_lock_minutes: Mapped[int] = mapped_column(Integer, default=5)
    attachment_limit_mb: Mapped[int] = mapped_column(Integer, default=25)
    # Random, made with the vault, never leaving the encrypted database: it keys the
    # pseudonymous ids and the rounding draws of de-identified exports (docs/reporting.md).
    reporting_secret: Mapped[bytes] = mapped_column(LargeBinary(32), default=lambda: os.urandom(32))


class User(Replicated, Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def role_set(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.roles if r.deleted_at is None)


class UserRole(Replicated, Base):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role", name="uq_user_roles_user_role"),)

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[Role] = mapped_column(text_enum(Role))
    user: Mapped[User] = relationship(back_populates="roles")
