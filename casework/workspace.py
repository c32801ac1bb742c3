"""The signed-in user's desk: every service call the UI makes, each in its own session.

The UI never opens a database session; it holds a ``Workspace`` and gets back frozen
dataclasses. Background jobs call the same methods from a worker thread (each call opens its
own session, so threads never share one).
"""

from __future__ import annotations

from datetime import date

from casework.model.vocab import Role
from casework.services import accounts, cases
from casework.services.actor import Actor
from casework.vault.vault import OpenVault


class Workspace:
    def __init__(self, vault: OpenVault) -> None:
        self.vault = vault

    @property
    def actor(self) -> Actor:
        return self.vault.actor

    @property
    def works_cases(self) -> bool:
        return self.actor.works_cases

    @property
    def is_admin(self) -> bool:
        return self.actor.has(Role.ADMINISTRATOR)

    def organisation(self) -> accounts.OrganisationInfo:
        return accounts.organisation_info(self.vault)

    def caseload_ids(self, sort: cases.CaseSort, descending: bool) -> list[str]:
        with self.vault.session() as session:
            return cases.caseload_ids(session, self.actor, sort, descending)

    def caseload_rows(self, case_ids: list[str]) -> list[cases.CaseRow]:
        with self.vault.session() as session:
            return cases.caseload_rows(session, self.actor, case_ids)

    def open_case(self, case_id: str) -> cases.CaseDetail:
        with self.vault.transaction() as session:
            return cases.open_case(session, self.actor, case_id)

    def record_survivor(
        self, data: cases.SurvivorInput, today: date | None = None
    ) -> cases.CaseDetail:
        with self.vault.transaction() as session:
            return cases.record_survivor(session, self.actor, data, today or date.today())

    def caseworkers(self) -> list[tuple[str, str]]:
        with self.vault.session() as session:
            return cases.caseworkers(session, self.actor)

    def users(self) -> list[accounts.UserSummary]:
        return accounts.list_users(self.vault)

    def add_user(
        self, username: str, password: str, roles: frozenset[Role], display_name: str = ""
    ) -> accounts.UserSummary:
        return accounts.add_user(self.vault, username, password, roles, display_name)

    def reset_password(self, username: str, password: str) -> accounts.UserSummary:
        return accounts.reset_password(self.vault, username, password)

    def disable_user(self, username: str) -> accounts.UserSummary:
        return accounts.disable_user(self.vault, username)

    def set_auto_lock_minutes(self, minutes: int) -> None:
        accounts.set_auto_lock_minutes(self.vault, minutes)

    def lock(self) -> None:
        self.vault.lock()
