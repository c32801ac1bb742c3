"""Case notes: dated, authored, append-only, searchable inside the encrypted file.

An amendment is a new version of the note; earlier versions stay, visible to supervisors.
A sensitive note is seen by its author, the case's caseworker and supervisors.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, literal_column, or_, select, text, true
from sqlalchemy.orm import Session

from casework import limits
from casework.errors import NotFound, PermissionDenied, ValidationError
from casework.folding import fold
from casework.model import Case, CaseNote, Survivor, User
from casework.model.actor import Actor
from casework.model.vocab import Confidentiality, Role
from casework.services import audit
from casework.services.cases import require_case_role, visible_case, visible_to

MAX_NOTE_CHARS = 100_000


@dataclass(frozen=True)
class Note:
    note_id: str
    thread_id: str
    version: int
    is_current: bool
    noted_on: date
    written_at: datetime
    author: str
    confidentiality: Confidentiality
    body: str


@dataclass(frozen=True)
class NoteHit:
    note_id: str
    case_id: str
    case_reference: str
    survivor_name: str
    noted_on: date
    snippet: str


def fts_rowid(note_id: str) -> int:
    """A stable 63-bit rowid for the index, derived from the note's UUID (rowids of ordinary
    tables may change on VACUUM; this never does)."""
    return uuid.UUID(note_id).int & ((1 << 63) - 1)


def _index(session: Session, note: CaseNote) -> None:
    session.execute(
        text("INSERT INTO notes_fts(rowid, body, note_id) VALUES (:rowid, :body, :id)"),
        {"rowid": fts_rowid(note.id), "body": note.body, "id": note.id},
    )


def unindex(session: Session, note_id: str) -> None:
    session.execute(
        text("DELETE FROM notes_fts WHERE rowid = :rowid"), {"rowid": fts_rowid(note_id)}
    )


def _check(body: str, noted_on: date, today: date) -> str:
    body = body.strip()
    if not body:
        raise ValidationError("The note is empty.", field="body")
    if len(body) > MAX_NOTE_CHARS:
        raise ValidationError("The note is too long; split it into several notes.", field="body")
    limits.check_text(body, MAX_NOTE_CHARS, "the note", "body", multiline=True)
    if noted_on > today:
        raise ValidationError("A note cannot be dated in the future.", field="noted_on")
    return body


def add_note(
    session: Session,
    actor: Actor,
    case_id: str,
    body: str,
    noted_on: date,
    today: date,
    confidentiality: Confidentiality = Confidentiality.ORDINARY,
) -> Note:
    case = visible_case(session, actor, case_id)
    body = _check(body, noted_on, today)
    note_id = str(uuid.uuid4())
    note = CaseNote(
        id=note_id,
        case_id=case.id,
        thread_id=note_id,
        version=1,
        is_current=True,
        noted_on=noted_on,
        confidentiality=confidentiality,
        body=body,
        **actor.stamp(),
    )
    session.add(note)
    session.flush()
    _index(session, note)
    if case.last_contact_date is None or noted_on > case.last_contact_date:
        case.last_contact_date = noted_on
    audit.record(session, actor.user_id, "note.add", "note", note.id)
    return _view(note, actor.display_name)


def amend_note(
    session: Session,
    actor: Actor,
    note_id: str,
    body: str,
    today: date,
    confidentiality: Confidentiality | None = None,
) -> Note:
    """Write a new version of a note (its author or a supervisor); the old one is kept."""
    old = session.get(CaseNote, note_id)
    if old is None or old.deleted_at is not None:
        raise NotFound()
    visible_case(session, actor, old.case_id)
    if not old.is_current:
        raise ValidationError("Only the latest version of a note can be amended.")
    if old.created_by != actor.user_id and not actor.has(Role.SUPERVISOR):
        raise PermissionDenied("Only the note's author or a supervisor can amend it.")
    body = _check(body, old.noted_on, today)
    old.is_current = False
    old.updated_by = actor.user_id
    new = CaseNote(
        case_id=old.case_id,
        thread_id=old.thread_id,
        version=old.version + 1,
        is_current=True,
        noted_on=old.noted_on,
        confidentiality=confidentiality or old.confidentiality,
        body=body,
        **actor.stamp(),
    )
    session.add(new)
    session.flush()
    unindex(session, old.id)
    _index(session, new)
    audit.record(session, actor.user_id, "note.amend", "note", new.id)
    return _view(new, actor.display_name)


def _may_read(actor: Actor, note: CaseNote, case: Case) -> bool:
    if note.confidentiality == Confidentiality.ORDINARY or actor.has(Role.SUPERVISOR):
        return True
    return actor.user_id in (note.created_by, case.assigned_caseworker_id)


def _view(note: CaseNote, author: str) -> Note:
    return Note(
        note.id,
        note.thread_id,
        note.version,
        note.is_current,
        note.noted_on,
        note.created_at,
        author,
        note.confidentiality,
        note.body,
    )


def case_notes(
    session: Session, actor: Actor, case_id: str, with_history: bool = False
) -> list[Note]:
    """A case's notes, newest first. Earlier versions only for supervisors who ask for them."""
    case = visible_case(session, actor, case_id)
    query = (
        select(CaseNote, User.display_name)
        .outerjoin(User, User.id == CaseNote.created_by)
        .where(CaseNote.case_id == case.id, CaseNote.deleted_at.is_(None))
        .order_by(CaseNote.noted_on.desc(), CaseNote.created_at.desc())
    )
    if not (with_history and actor.has(Role.SUPERVISOR)):
        query = query.where(CaseNote.is_current.is_(True))
    return [
        _view(note, author or "")
        for note, author in session.execute(query).all()
        if _may_read(actor, note, case)
    ]


def fts_query(text_: str) -> str:
    """Words typed by a person, as an FTS5 query: each word a quoted prefix, all required.
    Nothing the user types is taken as FTS syntax."""
    words = re.findall(r"\w+", text_, flags=re.UNICODE)
    return " ".join(f'"{w}"*' for w in words[:12])


NOTE_HITS = 50  # a search shows at most this many notes
RANKED_MATCHES = 2000
OWN_NOTES_LIMIT = 5000
WORD = re.compile(r"\w+", re.UNICODE)


# What a hit shows of its note, its case and its person (the snippet or body comes after).
_HIT_COLUMNS = (
    CaseNote.id,
    Case.id,
    Case.reference,
    Survivor.first_name,
    Survivor.last_name,
    CaseNote.noted_on,
)


def _search_own(
    session: Session, query_text: str, readable: ColumnElement[bool], limit: int
) -> list[NoteHit] | None:
    """A caseworker's search: their own notes are a few hundred among a million, so they are
    read and matched here (newest first) rather than by walking every match in the
    organisation's index. The same rules as the index: every word typed must begin a word of
    the note, ignoring case and accents. None when the reader has too many notes for this."""
    words = [fold(w) for w in WORD.findall(query_text)][:12]
    count = session.execute(
        select(func.count()).select_from(
            select(CaseNote.id)
            .join(Case, Case.id == CaseNote.case_id)
            .where(readable)
            .limit(OWN_NOTES_LIMIT + 1)
            .subquery()
        )
    ).scalar_one()
    if count > OWN_NOTES_LIMIT:
        return None
    rows = session.execute(
        select(*_HIT_COLUMNS, CaseNote.body)
        .join(Case, Case.id == CaseNote.case_id)
        .join(Survivor, Survivor.id == Case.survivor_id)
        .where(readable)
        .order_by(CaseNote.noted_on.desc(), CaseNote.id)
    ).all()
    hits = []
    for note_id, case_id, reference, first, last, noted_on, body in rows:
        tokens = [fold(t) for t in WORD.findall(body)]
        if all(any(t.startswith(w) for t in tokens) for w in words):
            name = f"{first} {last}".strip()
            hits.append(NoteHit(note_id, case_id, reference, name, noted_on, _snippet(body, words)))
            if len(hits) == limit:
                break
    return hits


def _snippet(body: str, words: list[str], size: int = 12) -> str:
    """Up to ``size`` words around the first match, matches in [brackets], cuts marked "…"
    (as the index's snippet() does for the organisation-wide search)."""
    spans = [(m.start(), m.end(), fold(m.group())) for m in WORD.finditer(body)]
    first = next(
        (i for i, (_s, _e, token) in enumerate(spans) if any(token.startswith(w) for w in words)),
        0,
    )
    start = max(0, min(first - 2, len(spans) - size))
    shown = spans[start : start + size]
    if not shown:
        return ""
    parts = []
    for index, (begin, end, token) in enumerate(shown):
        text_ = body[begin:end]
        if any(token.startswith(w) for w in words):
            text_ = f"[{text_}]"
        if index:
            parts.append(body[shown[index - 1][1] : begin])
        parts.append(text_)
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + size < len(spans) else body[shown[-1][1] :]
    return prefix + "".join(parts) + suffix


def search_notes(
    session: Session, actor: Actor, query_text: str, limit: int = NOTE_HITS
) -> list[NoteHit]:
    """Full-text search over the notes the actor may read, best matches first."""
    require_case_role(actor)
    match = fts_query(query_text)
    if not match:
        return []
    sensitive_ok = or_(
        CaseNote.confidentiality == Confidentiality.ORDINARY,
        CaseNote.created_by == actor.user_id,
        Case.assigned_caseworker_id == actor.user_id,
    )
    readable = and_(
        CaseNote.is_current.is_(True),
        CaseNote.deleted_at.is_(None),
        Case.deleted_at.is_(None),
        visible_to(actor),
        true() if actor.has(Role.SUPERVISOR) else sensitive_ok,
    )
    if not actor.sees_all_cases:
        own = _search_own(session, query_text, readable, limit)
        if own is not None:
            return own
    # Ranking costs a score per matching note: cheap for a precise search, a third of a second
    # when a common phrase matches a hundred thousand notes. Past RANKED_MATCHES the notes are
    # taken as the index finds them (the search view says only the first ones are shown).
    matches = session.execute(
        text("SELECT count(*) FROM notes_fts WHERE notes_fts MATCH :match"), {"match": match}
    ).scalar_one()
    ranked = matches <= RANKED_MATCHES
    hits = (
        select(
            literal_column("notes_fts.note_id").label("note_id"),
            literal_column("snippet(notes_fts, 0, '[', ']', '…', 12)").label("snippet"),
            literal_column("notes_fts.rank" if ranked else "0").label("score"),
        )
        .select_from(text("notes_fts"))
        .where(text("notes_fts MATCH :match"))
        .subquery("hits")
    )
    query = (
        select(*_HIT_COLUMNS, hits.c.snippet)
        .join(hits, hits.c.note_id == CaseNote.id)
        .join(Case, Case.id == CaseNote.case_id)
        .join(Survivor, Survivor.id == Case.survivor_id)
        .where(readable)
        .order_by(hits.c.score if ranked else None)
        .limit(limit)
    )
    rows = session.execute(query, {"match": match}).all()
    return [NoteHit(r[0], r[1], r[2], f"{r[3]} {r[4]}".strip(), r[5], r[6]) for r in rows]
