"""Records the tests make, written once: a survivor recorded through the services as the app
records one (the acting user's own vault, one write transaction)."""

from __future__ import annotations

from datetime import date
from typing import Any

from casework.services import cases
from casework.vault.vault import OpenVault


def record_survivor(vault: OpenVault, today: date, **fields: Any) -> cases.CaseDetail:
    """A new case recorded by ``vault``'s user at ``today``; ``fields`` are SurvivorInput's
    (a first name is filled in when none is given, the intake date defaults to ``today``)."""
    fields.setdefault("first_name", "Olena")
    fields.setdefault("intake_date", today)
    with vault.transaction() as session:
        return cases.record_survivor(session, vault.actor, cases.SurvivorInput(**fields), today)
