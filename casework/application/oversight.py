"""The desk areas of oversight: supervision, the audit trail, retention."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from casework.application.area import Area, reads, writes
from casework.model.vocab import (
    Role,
)
from casework.services import (
    audit_review,
    integrity,
    retention,
    supervision,
)


class Supervision(Area):
    """A supervisor's view: the dashboard, case reviews, reassigning, erasure requests."""

    def dashboard(self, no_contact_days: int) -> supervision.Dashboard:
        with self.vault.session() as session:
            return supervision.dashboard(session, self.actor, self.today(), no_contact_days)

    def record_review(
        self, case_id: str, reviewed_on: date, summary: str, next_review_on: date | None
    ) -> str:
        with self.vault.transaction() as session:
            return supervision.record_review(
                session, self.actor, case_id, reviewed_on, summary, next_review_on, self.today()
            )

    case_reviews = reads(supervision.case_reviews)

    open_cases_of = reads(supervision.open_cases_of)

    reassign_many = writes(supervision.reassign_many)

    request_erasure = writes(supervision.request_erasure)

    def decide_erasure(self, request_id: str, approve: bool, comment: str) -> None:
        with self.vault.transaction() as session:
            erased = supervision.decide_erasure(session, self.actor, request_id, approve, comment)
        if erased:
            self.desk.after_erasing()

    erasure_requests = reads(supervision.erasure_requests)


class AuditTrail(Area):
    """The audit trail read, and the vault and its chain checked."""

    trail = reads(audit_review.trail)

    actions = reads(audit_review.actions)

    users = reads(audit_review.users)

    def verify(
        self, progress: Callable[[int, int], None] | None = None
    ) -> integrity.IntegrityReport:
        return integrity.verify_vault(self.vault, self.actor, progress)


class Retention(Area):
    """Retention rules: previewed, set, run (the daily schedule too)."""

    rules = reads(retention.rules)

    def preview(self, action: str, years: int) -> retention.Preview:
        with self.vault.session() as session:
            return retention.preview(session, self.actor, action, years, self.today())

    add_rule = writes(retention.add_rule)

    remove_rule = writes(retention.remove_rule)

    def run_rule(self, rule_id: str) -> retention.Preview:
        self.actor.require(Role.ADMINISTRATOR)
        with self.vault.transaction() as session:
            done = retention.run_rule(session, self.actor, rule_id, self.today())
        self.desk.after_erasing()
        return done

    def run_due(self) -> list[retention.Preview]:
        """The daily schedule: rules not run for a day run now, from this session."""
        with self.vault.transaction() as session:
            done = retention.run_due(session, self.actor, self.today())
        if any(d.cases for d in done):
            self.desk.after_erasing()
        return done
