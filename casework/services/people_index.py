"""A trigram full-text index over who a case is about (names, aliases, reference, phone digits),
inside the encrypted file, so the search box finds any part of them without scanning every
survivor. Kept in step by the services that write people and cases."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import text
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


def matching_case_ids(session: Session, query: str, digits: str) -> list[str]:
    """Case ids whose names, aliases, reference or phone contain the query (3 characters at
    least, the trigram's width)."""
    patterns = [query] + ([digits] if len(digits) >= 4 else [])
    found: list[str] = []
    for pattern in patterns:
        plain = pattern.strip()
        if len(plain) < 3:
            continue
        # A quoted phrase: with the trigram tokenizer it matches any substring, folding case and
        # accents ("hernandez" finds Hernández). Quotes inside are doubled, so nothing typed is
        # taken as query syntax.
        phrase = '"' + plain.replace('"', '""') + '"'
        found.extend(
            session.execute(
                text("SELECT case_id FROM people_fts WHERE people_fts MATCH :phrase"),
                {"phrase": phrase},
            ).scalars()
        )
    return list(dict.fromkeys(found))
