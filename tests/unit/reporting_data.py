"""Hand-built people for the reporting tests: inserted directly, so each test states exactly
the facts it counts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert

from casework.model import Case, ConsentRecord, Survivor
from casework.model.base import new_id, utcnow
from casework.model.vocab import CaseStatus, ConsentKind, Gender
from casework.vault.opened import OpenVault


def add_person(
    vault: OpenVault,
    *,
    intakes: list[date],
    types: list[str],
    consent: bool = True,
    consents: tuple[ConsentKind, ...] = (ConsentKind.AGGREGATE_REPORTING,),
    birth: date | None = date(1995, 1, 1),
    citizenship: str = "UA",
    gender: Gender = Gender.FEMININE,
    closed: date | None = None,
    survivor: dict[str, object] | None = None,
    case: dict[str, object] | None = None,
) -> str:
    now = utcnow()
    stamp = {"created_at": now, "updated_at": now}
    survivor_id = new_id()
    with vault.transaction() as session:
        session.execute(
            insert(Survivor),
            [
                {
                    "id": survivor_id,
                    **stamp,
                    "first_name": "Canary",
                    "last_name": "Quillfeather",
                    "birth_date": birth,
                    "gender": gender,
                    "citizenship": [citizenship],
                    "exploitation_types": types,
                    "aliases": [],
                    "languages": [],
                    **(survivor or {}),
                }
            ],
        )
        for intake in intakes:
            session.execute(
                insert(Case),
                [
                    {
                        "id": new_id(),
                        **stamp,
                        "reference": f"R-{new_id()[:8]}",
                        "survivor_id": survivor_id,
                        "intake_date": intake,
                        "status": CaseStatus.CLOSED if closed else CaseStatus.ACTIVE,
                        "closed_date": closed,
                        **(case or {}),
                    }
                ],
            )
        for kind in consents if consent else ():
            session.execute(
                insert(ConsentRecord),
                [
                    {
                        "id": new_id(),
                        **stamp,
                        "survivor_id": survivor_id,
                        "kind": kind,
                        "given_on": intakes[0],
                    }
                ],
            )
    return survivor_id
