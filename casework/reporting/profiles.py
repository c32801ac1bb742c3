"""Reporting profiles, with the floors docs/reporting.md sets: a suppression threshold never
below 5, k never below 5. Data officers and administrators manage them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.errors import NotFound, ValidationError
from casework.model import ReportingProfile
from casework.model.actor import Actor
from casework.model.vocab import Role
from casework.services import audit

MIN_THRESHOLD = 5
MIN_K = 5
HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


@dataclass(frozen=True)
class Profile:
    profile_id: str
    name: str
    recipient: str
    hub_id: str
    threshold: int
    rounding_base: int
    records_enabled: bool
    k: int
    l_diversity: int
    max_dropped_percent: int


def _view(p: ReportingProfile) -> Profile:
    return Profile(
        p.id,
        p.name,
        p.recipient,
        p.hub_id,
        p.threshold,
        p.rounding_base,
        p.records_enabled,
        p.k,
        p.l_diversity,
        p.max_dropped_percent,
    )


def add_profile(
    session: Session,
    actor: Actor,
    name: str,
    hub_id: str,
    recipient: str = "",
    threshold: int = 10,
    rounding_base: int = 5,
    records_enabled: bool = False,
    k: int = 11,
    l_diversity: int = 2,
) -> Profile:
    actor.require(Role.DATA_OFFICER, Role.ADMINISTRATOR)
    if not name.strip():
        raise ValidationError(
            "Name the profile, for example “National quarterly return”.", field="name"
        )
    if not HUB_ID.match(hub_id.strip()):
        raise ValidationError(
            "The hub id is a short code of letters, digits, dots, dashes or underscores.",
            field="hub_id",
        )
    if threshold < MIN_THRESHOLD:
        raise ValidationError(
            f"The suppression threshold cannot be below {MIN_THRESHOLD}: smaller counts could "
            "identify people.",
            field="threshold",
        )
    if rounding_base < 1:
        raise ValidationError("The rounding base is 1 (no rounding) or more.", field="rounding")
    if k < MIN_K:
        raise ValidationError(
            f"k cannot be below {MIN_K}: smaller groups could identify people.", field="k"
        )
    if not 1 <= l_diversity <= k:
        raise ValidationError("l is at least 1 and at most k.", field="l")
    taken = session.execute(
        select(ReportingProfile.id).where(func.lower(ReportingProfile.name) == name.strip().lower())
    ).first()
    if taken:
        raise ValidationError("A profile with that name already exists.", field="name")
    profile = ReportingProfile(
        name=name.strip(),
        recipient=recipient.strip(),
        hub_id=hub_id.strip(),
        threshold=threshold,
        rounding_base=rounding_base,
        records_enabled=records_enabled,
        k=k,
        l_diversity=l_diversity,
        **actor.stamp(),
    )
    session.add(profile)
    session.flush()
    audit.record(session, actor.user_id, "reporting.profile.add", "profile", profile.id)
    return _view(profile)


def list_profiles(session: Session, actor: Actor) -> list[Profile]:
    actor.require(Role.DATA_OFFICER, Role.ADMINISTRATOR)
    rows = session.execute(
        select(ReportingProfile)
        .where(ReportingProfile.deleted_at.is_(None))
        .order_by(ReportingProfile.name)
    ).scalars()
    return [_view(p) for p in rows]


def get_profile(session: Session, actor: Actor, name: str) -> Profile:
    for profile in list_profiles(session, actor):
        if profile.name.casefold() == name.strip().casefold():
            return profile
    raise NotFound(f"There is no reporting profile named “{name.strip()}”.")
