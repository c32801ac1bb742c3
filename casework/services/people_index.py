"""A trigram full-text index over who a case is about (names, aliases, reference, phone digits),
inside the encrypted file, so the search box finds any part of them without scanning every
survivor. Kept in step by the services that write people and cases."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Select, literal_column, select, text
from sqlalchemy.orm import Session


def content_for(
    first_name: str,
    middle_name: str,
    last_name: str,
    aliases: Iterable[str],
    reference: str,
    phone: str,
) -> str:
    names = " ".join(p for p in (first_name, middle_name, last_name) if p)
    return " | ".join((names, " ; ".join(aliases), reference, re.sub(r"\D", "", phone)))


def index_cases(session: Session, rows: Iterable[Mapping[str, Any]]) -> None:
    """Add index entries; each row has case_id, first_name, middle_name, last_name, aliases,
    reference and phone."""
    batch = [
        {
            "case_id": row["case_id"],
            "content": content_for(
                row["first_name"],
                row.get("middle_name", ""),
                row["last_name"],
                row.get("aliases", ()),
                row["reference"],
                row.get("phone", ""),
            ),
        }
        for row in rows
    ]
    if batch:
        session.execute(
            text("INSERT INTO people_fts(content, case_id) VALUES (:content, :case_id)"), batch
        )


def unindex_case(session: Session, case_id: str) -> None:
    session.execute(text("DELETE FROM people_fts WHERE case_id = :id"), {"id": case_id})


def match_phrase(query: str) -> str | None:
    """The query as an FTS5 phrase: with the trigram tokenizer it matches any substring of 3
    characters or more, folding case and accents ("hernandez" finds Hernández). Quotes inside
    are doubled, so nothing typed is taken as query syntax."""
    plain = query.strip()
    if len(plain) < 3:
        return None
    return '"' + plain.replace('"', '""') + '"'


def matching_cases(*phrases: str) -> Select[tuple[Any]]:
    """A subquery of the case ids whose names, aliases, reference or phone match any phrase."""
    condition = " OR ".join(f"people_fts MATCH :phrase{i}" for i in range(len(phrases)))
    return (
        select(literal_column("case_id"))
        .select_from(text("people_fts"))
        .where(text(condition).bindparams(**{f"phrase{i}": p for i, p in enumerate(phrases)}))
    )
