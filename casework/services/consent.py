"""The consent registry. ``require_consent`` is the one check every feature that lets data
leave the vault (referrals, exports) calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.errors import CaseworkError, ValidationError
from casework.model import ConsentRecord
from casework.model.actor import Actor
from casework.model.vocab import ConsentKind, ReleaseField
from casework.services import audit
from casework.services.cases import visible_case

RELEASE_DEFAULT_DAYS = 90


class ConsentMissing(CaseworkError):
    code = "consent-missing"
    default_message = "There is no valid consent for this; record the survivor's consent first."


@dataclass(frozen=True)
class Consent:
    consent_id: str
    kind: ConsentKind
    partner_organisation: str
    purpose: str
    given_on: date
    expires_on: date | None
    withdrawn_on: date | None
    release_fields: tuple[ReleaseField, ...] = ()

    def valid_on(self, day: date) -> bool:
        return valid_on(self.given_on, self.expires_on, self.withdrawn_on, day)


def valid_on(given_on: date, expires_on: date | None, withdrawn_on: date | None, day: date) -> bool:
    """Consent given by ``day``, not withdrawn by it, and not expired before it."""
    if given_on > day:
        return False
    if withdrawn_on is not None and withdrawn_on <= day:
        return False
    return expires_on is None or day <= expires_on


def _view(record: ConsentRecord) -> Consent:
    return Consent(
        record.id,
        record.kind,
        record.partner_organisation,
        record.purpose,
        record.given_on,
        record.expires_on,
        record.withdrawn_on,
        tuple(ReleaseField(f) for f in record.release_fields),
    )


def record_consent(
    session: Session,
    actor: Actor,
    case_id: str,
    kind: ConsentKind,
    given_on: date,
    today: date,
    expires_on: date | None = None,
    partner_organisation: str = "",
    purpose: str = "",
    release_fields: tuple[ReleaseField, ...] = (ReleaseField.IDENTITY,),
) -> Consent:
    """Record consent given. A release of information names a partner, a purpose and what it
    covers (the name and case reference unless more is chosen) and, when no expiry is given,
    lasts 90 days."""
    case = visible_case(session, actor, case_id)
    if given_on > today:
        raise ValidationError("Consent cannot be given in the future.", field="given_on")
    if expires_on is not None and expires_on < given_on:
        raise ValidationError(
            "The expiry is before the date consent was given.", field="expires_on"
        )
    if kind == ConsentKind.RELEASE:
        if not partner_organisation.strip():
            raise ValidationError(
                "Name the organisation the information is released to.", field="partner"
            )
        if not purpose.strip():
            raise ValidationError("State the purpose of the release.", field="purpose")
        expires_on = expires_on or given_on + timedelta(days=RELEASE_DEFAULT_DAYS)
    record = ConsentRecord(
        survivor_id=case.survivor_id,
        kind=kind,
        partner_organisation=partner_organisation.strip(),
        purpose=purpose.strip(),
        given_on=given_on,
        expires_on=expires_on,
        release_fields=(
            [f.value for f in dict.fromkeys(release_fields)] if kind == ConsentKind.RELEASE else []
        ),
        **actor.stamp(),
    )
    session.add(record)
    session.flush()
    audit.record(session, actor.user_id, "consent.record", "consent", record.id)
    return _view(record)


def withdraw_consent(
    session: Session, actor: Actor, case_id: str, consent_id: str, on: date, note: str = ""
) -> None:
    case = visible_case(session, actor, case_id)
    record = session.get(ConsentRecord, consent_id)
    if record is None or record.survivor_id != case.survivor_id:
        raise ValidationError("That consent record is not on this case.")
    if record.withdrawn_on is not None:
        return
    record.withdrawn_on = on
    record.withdrawal_note = note.strip()
    record.updated_by = actor.user_id
    audit.record(session, actor.user_id, "consent.withdraw", "consent", record.id)


def consents(session: Session, actor: Actor, case_id: str) -> list[Consent]:
    case = visible_case(session, actor, case_id)
    rows = session.execute(
        select(ConsentRecord)
        .where(ConsentRecord.survivor_id == case.survivor_id, ConsentRecord.deleted_at.is_(None))
        .order_by(ConsentRecord.given_on.desc())
    ).scalars()
    return [_view(r) for r in rows]


def _newest_valid(
    session: Session, survivor_id: str, kind: ConsentKind, on: date, partner_organisation: str
) -> Consent | None:
    """The newest consent of this kind (for a release: to this partner) valid on ``on``."""
    records = session.execute(
        select(ConsentRecord)
        .where(
            ConsentRecord.survivor_id == survivor_id,
            ConsentRecord.kind == kind,
            ConsentRecord.deleted_at.is_(None),
        )
        .order_by(ConsentRecord.given_on.desc())
    ).scalars()
    partner = partner_organisation.strip().casefold()
    for record in records:
        if kind == ConsentKind.RELEASE and record.partner_organisation.casefold() != partner:
            continue
        view = _view(record)
        if view.valid_on(on):
            return view
    return None


def has_consent(
    session: Session, survivor_id: str, kind: ConsentKind, on: date, partner_organisation: str = ""
) -> bool:
    """Whether valid consent of this kind (for a release: to this partner) stands on ``on``."""
    return _newest_valid(session, survivor_id, kind, on, partner_organisation) is not None


def valid_release(
    session: Session, survivor_id: str, on: date, partner_organisation: str
) -> Consent | None:
    """The newest valid release of information to this partner, if any."""
    return _newest_valid(session, survivor_id, ConsentKind.RELEASE, on, partner_organisation)


def require_consent(
    session: Session, survivor_id: str, kind: ConsentKind, on: date, partner_organisation: str = ""
) -> None:
    if not has_consent(session, survivor_id, kind, on, partner_organisation):
        if kind == ConsentKind.RELEASE:
            raise ConsentMissing(
                f"There is no valid release of information to {partner_organisation.strip()}. "
                "Record the survivor's consent to this release first."
            )
        raise ConsentMissing()
