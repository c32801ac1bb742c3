"""The organisation a vault belongs to (a vault holds one)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.model import Organisation


def the_organisation(session: Session) -> Organisation:
    """The vault's organisation row: its name, settings and reporting secret."""
    return session.execute(
        select(Organisation).where(Organisation.deleted_at.is_(None))
    ).scalar_one()
