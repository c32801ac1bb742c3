"""Finding people: the search box (name, alias, reference, phone) and the duplicate check
that runs before a new survivor is recorded."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher

from sqlalchemy import Row, SQLColumnExpression, String, cast, func, or_, select
from sqlalchemy.orm import Session

from casework import limits
from casework.folding import fold
from casework.model import Case, Survivor, User
from casework.model.actor import Actor
from casework.services import people_index
from casework.services.cases import require_case_role, visible_to

SIMILAR_NAME = 0.85


@dataclass(frozen=True)
class PersonHit:
    case_id: str
    reference: str
    name: str
    matched_on: str  # "name", "alias", "reference" or "phone"


@dataclass(frozen=True)
class PossibleDuplicate:
    """A likely match. For a case the actor cannot see, only who to ask is given."""

    case_id: str | None
    reference: str | None
    name: str | None
    caseworker: str
    reasons: tuple[str, ...]


def digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


PHONE_TYPED = re.compile(r"[\d\s+().-]+")


def phone_digits(text: str) -> str:
    """The digits of ``text`` when it is written as a phone number is ("+254 711-000"), else
    nothing: the year inside a case reference ("SH-2026-K4QX") is not a phone number to find."""
    return digits(text) if PHONE_TYPED.fullmatch(text) else ""


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _phone_sql() -> SQLColumnExpression[str]:
    column: SQLColumnExpression[str] = Survivor.phone
    for sign in (" ", "-", "+", "(", ")", "."):
        column = func.replace(column, sign, "")
    return column


def search_people(session: Session, actor: Actor, query: str, limit: int = 50) -> list[PersonHit]:
    require_case_role(actor)
    text = query.strip()
    if len(text) < 2 or len(text) > limits.SEARCH or not limits.storable(text):
        # Nothing stored is longer, or holds a NUL or a broken character: nothing to find (and
        # such text would upset the full-text query or the encoder, not match).
        return []
    pattern = _like(text)
    number = phone_digits(text)
    # Two narrow queries instead of one OR across a join: the person fields are matched by a scan
    # of survivors alone, the reference by the cases' reference index.
    person = [
        (Survivor.first_name + " " + Survivor.last_name).ilike(pattern, escape="\\"),
        Survivor.last_name.ilike(pattern, escape="\\"),
        cast(Survivor.aliases, String).ilike(pattern, escape="\\"),
    ]
    if len(number) >= 4:
        person.append(_phone_sql().like(_like(number), escape="\\"))
    columns = (Case.id, Case.reference, Survivor.first_name, Survivor.last_name, Survivor.aliases)
    visible = (Case.deleted_at.is_(None), visible_to(actor))
    wanted = [text, number] if len(number) >= 4 else [text]
    phrases = [p for p in map(people_index.match_phrase, wanted) if p is not None]
    if len(text) >= 3 and phrases:
        # The trigram index finds names, aliases, references and phones without a scan; the
        # permission filter and the limit apply in the same query.
        by_person = session.execute(
            select(*columns)
            .join(Survivor, Survivor.id == Case.survivor_id)
            .where(Case.id.in_(people_index.matching_cases(*phrases)), *visible)
            .limit(limit)
        ).all()
        by_reference: Sequence[Row[str, str, str, str, list[str]]] = ()
    else:
        matching_people = select(Survivor.id).where(or_(*person)).scalar_subquery()
        by_person = session.execute(
            select(*columns)
            .join(Survivor, Survivor.id == Case.survivor_id)
            .where(Case.survivor_id.in_(matching_people), *visible)
            .limit(limit)
        ).all()
        by_reference = session.execute(
            select(*columns)
            .join(Survivor, Survivor.id == Case.survivor_id)
            .where(Case.reference.ilike(pattern, escape="\\"), *visible)
            .limit(limit)
        ).all()
    seen: set[str] = set()
    rows = []
    for row in sorted([*by_person, *by_reference], key=lambda r: (fold(r[3]), fold(r[2]))):
        if row[0] not in seen:
            seen.add(row[0])
            rows.append(row)
    rows = rows[:limit]
    needle = fold(text)
    hits = []
    for case_id, reference, first, last, aliases in rows:
        name = f"{first} {last}".strip()
        if needle in fold(name):
            matched = "name"
        elif needle in fold(reference):
            matched = "reference"
        elif any(needle in fold(a) for a in aliases):
            matched = "alias"
        else:
            matched = "phone"
        hits.append(PersonHit(case_id, reference, name, matched))
    return hits


def possible_duplicates(
    session: Session,
    actor: Actor,
    first_name: str,
    last_name: str = "",
    aliases: tuple[str, ...] = (),
    birth_date: date | None = None,
    phone: str = "",
) -> list[PossibleDuplicate]:
    """Likely matches across the whole organisation, so that a person is not entered twice.
    Text the intake would refuse (too long, or not storable) is refused here in the same words."""
    require_case_role(actor)
    limits.check_text(first_name.strip(), limits.NAME, "the first name", "first_name")
    limits.check_text(last_name.strip(), limits.NAME, "the last name", "last_name")
    limits.check_text(phone.strip(), limits.PHONE, "the phone number", "phone")
    limits.check_aliases(aliases)
    full = fold(f"{first_name} {last_name}")
    names = {full, *(fold(a) for a in aliases if a.strip())} - {""}
    number = digits(phone)
    candidates = [
        func.lower(Survivor.first_name) == first_name.strip().lower(),
    ]
    if last_name.strip():
        candidates.append(
            func.substr(func.lower(Survivor.last_name), 1, 3) == last_name.strip().lower()[:3]
        )
    if birth_date is not None:
        candidates.append(Survivor.birth_date == birth_date)
    if len(number) >= 7:
        candidates.append(_phone_sql().like(_like(number[-9:]), escape="\\"))
    for alias in aliases:
        if alias.strip():
            candidates.append(
                cast(Survivor.aliases, String).ilike(_like(alias.strip()), escape="\\")
            )
            candidates.append(func.lower(Survivor.first_name) == alias.strip().lower())
    rows = session.execute(
        select(Case.id, Case.reference, Case.assigned_caseworker_id, User.display_name, Survivor)
        .join(Survivor, Survivor.id == Case.survivor_id)
        .outerjoin(User, User.id == Case.assigned_caseworker_id)
        .where(Case.deleted_at.is_(None), or_(*candidates))
        .limit(500)
    ).all()
    visible = set(
        session.execute(
            select(Case.id).where(Case.id.in_([r[0] for r in rows]), visible_to(actor))
        ).scalars()
    )
    matches = []
    for case_id, reference, _worker_id, worker, survivor in rows:
        theirs = fold(f"{survivor.first_name} {survivor.last_name}")
        their_names = {theirs, *(fold(a) for a in survivor.aliases)}
        reasons = []
        if full and full == theirs:
            reasons.append("same name")
        elif any(
            SequenceMatcher(None, n, t).ratio() >= SIMILAR_NAME for n in names for t in their_names
        ):
            reasons.append("similar name")
        if names & {fold(a) for a in survivor.aliases} or full in {
            fold(a) for a in survivor.aliases
        }:
            reasons.append("alias")
        if birth_date is not None and survivor.birth_date == birth_date:
            reasons.append("same birth date")
        their_number = digits(survivor.phone)
        if len(number) >= 7 and their_number and their_number[-9:] == number[-9:]:
            reasons.append("same phone")
        name_match = any(r in reasons for r in ("same name", "similar name", "alias"))
        if not (name_match or "same phone" in reasons):
            continue
        seen = case_id in visible
        matches.append(
            PossibleDuplicate(
                case_id if seen else None,
                reference if seen else None,
                f"{survivor.first_name} {survivor.last_name}".strip() if seen else None,
                worker or "",
                tuple(dict.fromkeys(reasons)),
            )
        )
    matches.sort(key=lambda m: -len(m.reasons))
    return matches[:20]
