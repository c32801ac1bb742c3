"""Partner organisations and outgoing referrals.

A referral leaves the vault only under a valid release of information to that partner: without
one it is refused with an explanation, and the packet sent with it carries only what the
release covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework import limits, places
from casework.errors import NotFound, ValidationError
from casework.model import Case, Partner, Referral, Survivor, Task, User
from casework.model.actor import Actor
from casework.model.vocab import (
    Exploitation,
    OrganisationType,
    ReferralStatus,
    ReleaseField,
    Role,
    ServiceCategory,
    TaskSource,
)
from casework.services import audit
from casework.services.cases import require_case_role, visible_case
from casework.services.consent import ConsentMissing, valid_release

FOLLOW_UP_DAYS = 14


@dataclass(frozen=True)
class PartnerView:
    partner_id: str
    name: str
    org_type: OrganisationType
    service_categories: tuple[ServiceCategory, ...]
    contact_person: str
    phone: str
    email: str
    languages: tuple[str, ...]


@dataclass(frozen=True)
class ReferralView:
    referral_id: str
    case_id: str
    partner: str
    category: ServiceCategory
    status: ReferralStatus
    referred_on: date
    follow_up_on: date | None
    reason: str
    declined_reason: str


@dataclass(frozen=True)
class ReferralPacket:
    """What may be sent with a referral: only the fields its release covers."""

    organisation: str
    partner: str
    category: ServiceCategory
    referred_on: date
    reason: str
    release_purpose: str
    release_expires: date | None
    fields: dict[ReleaseField, list[tuple[str, str]]]
    contact: str = ""  # who at the organisation made the referral: whom the partner calls


def _partner_view(partner: Partner) -> PartnerView:
    return PartnerView(
        partner.id,
        partner.name,
        partner.org_type,
        tuple(ServiceCategory(c) for c in partner.service_categories),
        partner.contact_person,
        partner.phone,
        partner.email,
        tuple(partner.languages),
    )


def add_partner(
    session: Session,
    actor: Actor,
    name: str,
    org_type: OrganisationType,
    categories: tuple[ServiceCategory, ...],
    contact_person: str = "",
    phone: str = "",
    email: str = "",
    languages: tuple[str, ...] = (),
) -> PartnerView:
    """Add a partner to the directory (supervisors and administrators)."""
    actor.require(Role.SUPERVISOR, Role.ADMINISTRATOR)
    if not name.strip():
        raise ValidationError("Name the organisation.", field="name")
    limits.check_text(name.strip(), limits.ORGANISATION, "the organisation's name", "name")
    taken = session.execute(
        select(Partner.id).where(func.lower(Partner.name) == name.strip().lower())
    ).first()
    if taken:
        raise ValidationError("That organisation is already in the directory.", field="name")
    partner = Partner(
        name=name.strip(),
        org_type=org_type,
        service_categories=[c.value for c in categories],
        contact_person=contact_person.strip(),
        phone=phone.strip(),
        email=email.strip(),
        languages=[code.strip().lower() for code in languages if code.strip()],
        **actor.stamp(),
    )
    session.add(partner)
    session.flush()
    audit.record(session, actor.user_id, "partner.add", "partner", partner.id)
    return _partner_view(partner)


def partners(session: Session, actor: Actor) -> list[PartnerView]:
    actor.require(Role.CASEWORKER, Role.SUPERVISOR, Role.ADMINISTRATOR)
    rows = session.execute(
        select(Partner).where(Partner.deleted_at.is_(None)).order_by(Partner.name)
    ).scalars()
    return [_partner_view(p) for p in rows]


def send_referral(
    session: Session,
    actor: Actor,
    case_id: str,
    partner_id: str,
    category: ServiceCategory,
    reason: str,
    today: date,
    follow_up_on: date | None = None,
) -> ReferralView:
    """Refer the survivor to a partner. Refused (ConsentMissing) without a valid release of
    information to that partner today."""
    case = visible_case(session, actor, case_id)
    partner = session.get(Partner, partner_id)
    if partner is None or partner.deleted_at is not None:
        raise NotFound("That organisation is not in the directory.")
    release = valid_release(session, case.survivor_id, today, partner.name)
    if release is None:
        raise ConsentMissing(
            f"There is no valid release of information to {partner.name}, so nothing can be "
            "sent to them. Record the survivor's consent to this release on the Consent tab "
            "first (what it covers, its purpose and how long it lasts)."
        )
    referral = Referral(
        case_id=case.id,
        partner_id=partner.id,
        category=category,
        reason=reason.strip(),
        referred_on=today,
        follow_up_on=follow_up_on or today + timedelta(days=FOLLOW_UP_DAYS),
        consent_id=release.consent_id,
        **actor.stamp(),
    )
    session.add(referral)
    session.flush()
    audit.record(session, actor.user_id, "referral.send", "referral", referral.id)
    return _view(referral, partner.name)


def _view(referral: Referral, partner: str) -> ReferralView:
    return ReferralView(
        referral.id,
        referral.case_id,
        partner,
        referral.category,
        referral.status,
        referral.referred_on,
        referral.follow_up_on,
        referral.reason,
        referral.declined_reason,
    )


def update_referral(
    session: Session, actor: Actor, referral_id: str, status: ReferralStatus, note: str = ""
) -> None:
    """Record the partner's answer: accepted, declined (say why), completed."""
    referral = session.get(Referral, referral_id)
    if referral is None or referral.deleted_at is not None:
        raise NotFound()
    visible_case(session, actor, referral.case_id)
    allowed = {
        ReferralStatus.PENDING: {ReferralStatus.ACCEPTED, ReferralStatus.DECLINED},
        ReferralStatus.ACCEPTED: {ReferralStatus.COMPLETED, ReferralStatus.DECLINED},
    }
    if status not in allowed.get(referral.status, set()):
        raise ValidationError(
            f"A {referral.status.value} referral cannot become {status.value}.", field="status"
        )
    if status == ReferralStatus.DECLINED:
        if not note.strip():
            raise ValidationError("Record why the referral was declined.", field="note")
        referral.declined_reason = note.strip()
    elif note.strip():
        referral.outcome_note = note.strip()
    referral.status = status
    if status in (ReferralStatus.DECLINED, ReferralStatus.COMPLETED):
        referral.follow_up_on = None
    referral.updated_by = actor.user_id
    audit.record(session, actor.user_id, f"referral.{status.value}", "referral", referral.id)


def case_referrals(session: Session, actor: Actor, case_id: str) -> list[ReferralView]:
    case = visible_case(session, actor, case_id)
    rows = session.execute(
        select(Referral, Partner.name)
        .join(Partner, Partner.id == Referral.partner_id)
        .where(Referral.case_id == case.id, Referral.deleted_at.is_(None))
        .order_by(Referral.referred_on.desc())
    ).all()
    return [_view(r, name) for r, name in rows]


def raise_follow_up_tasks(session: Session, actor: Actor, today: date) -> int:
    """A task for each open referral whose follow-up date has passed (once per date)."""
    require_case_role(actor)
    existing = set(
        session.execute(select(Task.source_key).where(Task.source_key.like("referral:%"))).scalars()
    )
    rows = session.execute(
        select(Referral, Case.assigned_caseworker_id, Partner.name)
        .join(Case, Case.id == Referral.case_id)
        .join(Partner, Partner.id == Referral.partner_id)
        .where(
            Referral.status.in_((ReferralStatus.PENDING, ReferralStatus.ACCEPTED)),
            Referral.follow_up_on.is_not(None),
            Referral.follow_up_on <= today,
            Case.assigned_caseworker_id.is_not(None),
        )
    ).all()
    created = 0
    for referral, worker, partner in rows:
        key = f"referral:{referral.id}:{referral.follow_up_on}"
        if key in existing or worker is None or referral.follow_up_on is None:
            continue
        session.add(
            Task(
                case_id=referral.case_id,
                assignee_id=worker,
                due_on=referral.follow_up_on,
                title=f"Follow up the referral to {partner}",
                source=TaskSource.FOLLOW_UP,
                source_key=key,
                **actor.stamp(),
            )
        )
        created += 1
    session.flush()
    return created


def referral_packet(
    session: Session, actor: Actor, referral_id: str, organisation: str, today: date
) -> ReferralPacket:
    """The content of the packet for a referral, limited to what its release covers, and only
    while that release is still valid."""
    referral = session.get(Referral, referral_id)
    if referral is None or referral.deleted_at is not None:
        raise NotFound()
    case = visible_case(session, actor, referral.case_id)
    partner = session.get(Partner, referral.partner_id)
    assert partner is not None
    release = valid_release(session, case.survivor_id, today, partner.name)
    if release is None:
        raise ConsentMissing(
            f"The release of information to {partner.name} is no longer valid: the packet "
            "cannot be produced."
        )
    survivor = session.get(Survivor, case.survivor_id)
    assert survivor is not None
    fields: dict[ReleaseField, list[tuple[str, str]]] = {}
    for item in release.release_fields:
        if item == ReleaseField.IDENTITY:
            name = " ".join(
                p for p in (survivor.first_name, survivor.middle_name, survivor.last_name) if p
            )
            fields[item] = [("Name", name), ("Case reference", case.reference)]
        elif item == ReleaseField.BIRTH:
            birth = (
                survivor.birth_date.isoformat()
                if survivor.birth_date
                else (
                    f"about {survivor.estimated_age}"
                    if survivor.estimated_age is not None
                    else "not recorded"
                )
            )
            fields[item] = [("Birth date or age", birth), ("Gender", survivor.gender.label)]
        elif item == ReleaseField.CONTACT:
            fields[item] = [
                ("Phone", survivor.phone or "not recorded"),
                ("Email", survivor.email or "not recorded"),
                ("Safe to contact", survivor.safe_contact_note or "not recorded"),
            ]
        elif item == ReleaseField.ORIGIN:
            fields[item] = [
                (
                    "Citizenship",
                    ", ".join(places.country_name(c) for c in survivor.citizenship)
                    or "not recorded",
                ),
                (
                    "Languages",
                    ", ".join(places.language_name(c) for c in survivor.languages)
                    or "not recorded",
                ),
            ]
        elif item == ReleaseField.SITUATION:
            fields[item] = [
                ("Trafficking status", survivor.trafficking_status.label),
                (
                    "Exploitation",
                    ", ".join(Exploitation(e).label for e in survivor.exploitation_types)
                    or "not recorded",
                ),
            ]
    audit.record(session, actor.user_id, "referral.packet", "referral", referral.id)
    referrer = session.get(User, referral.created_by) if referral.created_by else None
    return ReferralPacket(
        organisation,
        partner.name,
        referral.category,
        referral.referred_on,
        referral.reason,
        release.purpose,
        release.expires_on,
        fields,
        referrer.display_name if referrer is not None else "",
    )
