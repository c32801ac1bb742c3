"""Declarative base: every row replicable (UUID key, who and when, tombstone)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import DateTime, MetaData, String, TypeDecorator
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from casework.errors import VaultDamaged

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


ALTERED_TIME = (
    "A record in the vault holds a time that is not a time: it was changed outside Safehold. "
    "Check the vault (safehold-admin verify, or the audit screen's check) and restore the "
    "newest good backup."
)


class UTCDateTime(TypeDecorator[datetime]):
    """Instants are stored as naive UTC and always come back timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC instant is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        """A time that is not a time (a row altered outside the app) becomes VaultDamaged with
        a sentence, not a ValueError that ends the screen reading it (the audit trail was
        unreadable from one altered row)."""
        inner = super().result_processor(dialect, coltype)
        if inner is None:
            return None

        def process(value: Any) -> datetime | None:
            try:
                result: datetime | None = inner(value)
            except (ValueError, TypeError, AssertionError):
                raise VaultDamaged(ALTERED_TIME) from None
            return result

        return process

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


class _TextEnum(SqlEnum):
    """An enum column whose stored text this version does not know reads as damage (one
    sentence: someone with the database key wrote it, or a newer version did), not as
    SQLAlchemy's LookupError and a traceback."""

    cache_ok = True

    def _object_value_for_elem(self, elem: str) -> str | Enum:
        try:
            return super()._object_value_for_elem(elem)
        except LookupError:
            from casework.errors import VaultDamaged

            raise VaultDamaged(
                "A value in the vault's database is not one this version of Safehold knows: it "
                "was changed outside Safehold, or written by a newer version. Nothing was "
                "changed; run safehold-admin verify, and restore from a backup if it was not "
                "a newer version."
            ) from None


def text_enum(enum: type[Enum], length: int = 40) -> SqlEnum:
    """A controlled vocabulary stored as its value text, without a CHECK constraint, so that
    adding a value later needs no table rebuild (and sync peers on older versions still load)."""
    return _TextEnum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Replicated:
    """Columns every table carries so that rows can later be replicated between laptops."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(36))
    updated_by: Mapped[str | None] = mapped_column(String(36))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
