"""The desk areas of a case: the caseload, consent, notes, tasks, attachments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from casework.application.area import Area, reads, writes
from casework.model.vocab import (
    Confidentiality,
    ConsentKind,
    ReleaseField,
)
from casework.services import (
    attachments,
    cases,
    consent,
    corrections,
    drafts,
    lifecycle,
    notes,
    referrals,
    search,
    tasks,
    timeline,
)


class Cases(Area):
    """The caseload, a case opened and recorded, and its course: follow-up, closure,
    reopening, reassignment; search and the duplicate check."""

    caseload_ids = reads(cases.caseload_ids)

    def caseload_window(
        self,
        sort: cases.CaseSort,
        descending: bool,
        where: cases.CaseFilter | None = None,
        offset: int = 0,
        limit: int = 100,
        locate: str | None = None,
    ) -> cases.CaseloadWindow:
        """The count and one page of the caseload, read together; with ``locate``, the page
        that holds that case (the first page if it is not in the caseload)."""
        with self.vault.session() as session:
            total = cases.caseload_count(session, self.actor, where)
            if locate is not None:
                position = cases.caseload_position(
                    session, self.actor, sort, descending, where, locate
                )
                offset = position - position % limit if position is not None else 0
            rows = cases.caseload_page(session, self.actor, sort, descending, where, offset, limit)
            return cases.CaseloadWindow(total, offset, rows)

    caseload_rows = reads(cases.caseload_rows)

    open = writes(cases.open_case)

    def record_survivor(
        self, data: cases.SurvivorInput, today: date | None = None
    ) -> cases.CaseDetail:
        """Record the person and their case; the user's intake draft goes with it."""
        with self.vault.transaction() as session:
            detail = cases.record_survivor(session, self.actor, data, today or self.today())
            drafts.discard_draft(session, self.actor, drafts.DraftKind.INTAKE)
            return detail

    def correct_record(
        self, case_id: str, before: cases.SurvivorInput, after: cases.SurvivorInput
    ) -> cases.CaseDetail:
        """The fields changed from ``before`` (what the form showed) to ``after`` stored,
        each kept in the record's history."""
        with self.vault.transaction() as session:
            return corrections.correct_record(
                session, self.actor, case_id, before, after, self.today()
            )

    record_changes = reads(corrections.record_changes)

    caseworkers = reads(cases.caseworkers)

    people = reads(search.search_people)

    def find(self, text: str) -> tuple[list[search.PersonHit], list[notes.NoteHit]]:
        with self.vault.session() as session:
            return (
                search.search_people(session, self.actor, text),
                notes.search_notes(session, self.actor, text),
            )

    def possible_duplicates(self, data: cases.SurvivorInput) -> list[search.PossibleDuplicate]:
        with self.vault.session() as session:
            return search.possible_duplicates(
                session,
                self.actor,
                data.first_name,
                data.last_name,
                data.aliases,
                data.birth_date,
                data.phone,
            )

    timeline = writes(timeline.case_timeline)

    set_follow_up = writes(lifecycle.set_follow_up)

    request_closure = writes(lifecycle.request_closure)

    def decide_closure(
        self, request_id: str, approve: bool, comment: str = "", tidy: bool = False
    ) -> None:
        with self.vault.transaction() as session:
            lifecycle.decide_closure(
                session, self.actor, request_id, approve, comment, self.today(), tidy
            )

    withdraw_closure = writes(lifecycle.withdraw_closure)

    open_work = reads(lifecycle.open_work)

    reopen = writes(lifecycle.reopen)

    reassign = writes(lifecycle.reassign)

    status_history = reads(lifecycle.status_history)

    def closure_requests(
        self, case_id: str | None = None, pending_only: bool = True
    ) -> list[lifecycle.ClosureRequestView]:
        with self.vault.session() as session:
            return lifecycle.closure_requests(session, self.actor, pending_only, case_id)


class Consent(Area):
    """A survivor's consents: what they allow, to whom, until when."""

    of_case = reads(consent.consents)

    def record(
        self,
        case_id: str,
        kind: ConsentKind,
        given_on: date,
        expires_on: date | None = None,
        partner: str = "",
        purpose: str = "",
        release_fields: tuple[ReleaseField, ...] = (ReleaseField.IDENTITY,),
    ) -> consent.Consent:
        with self.vault.transaction() as session:
            return consent.record_consent(
                session,
                self.actor,
                case_id,
                kind,
                given_on,
                self.today(),
                expires_on,
                partner,
                purpose,
                release_fields,
            )

    def withdraw(self, case_id: str, consent_id: str) -> None:
        with self.vault.transaction() as session:
            consent.withdraw_consent(session, self.actor, case_id, consent_id, self.today())


class Notes(Area):
    """Case notes: written, amended (the earlier text kept), read with their history."""

    def of_case(self, case_id: str) -> list[notes.Note]:
        with self.vault.session() as session:
            return notes.case_notes(session, self.actor, case_id, with_history=True)

    def add(
        self, case_id: str, body: str, noted_on: date, confidentiality: Confidentiality
    ) -> notes.Note:
        """Add the note; the user's draft of it goes with it."""
        with self.vault.transaction() as session:
            note = notes.add_note(
                session, self.actor, case_id, body, noted_on, self.today(), confidentiality
            )
            drafts.discard_draft(session, self.actor, drafts.DraftKind.NOTE, case_id)
            return note

    def amend(self, note_id: str, body: str) -> notes.Note:
        with self.vault.transaction() as session:
            return notes.amend_note(session, self.actor, note_id, body, self.today())


class Drafts(Area):
    """What the user typed and has not saved yet, kept in the vault for them alone."""

    def keep(
        self,
        kind: drafts.DraftKind,
        case_id: str | None,
        latest: Callable[[], dict[str, object] | None],
    ) -> None:
        """Keep ``latest()`` as the user's draft (None: remove it). ``latest`` is read once the
        vault's writer is held, so of two keeps, the one that commits last holds the latest
        state, whichever started first."""
        with self.vault.transaction() as session:
            content = latest()
            if content is None:
                drafts.discard_draft(session, self.actor, kind, case_id)
            else:
                drafts.keep_draft(session, self.actor, kind, case_id, content)

    kept = reads(drafts.kept_draft)

    discard = writes(drafts.discard_draft)

    def purge_stale(self, today: date | None = None) -> int:
        with self.vault.transaction() as session:
            return drafts.purge_stale(session, today or self.today())


class Tasks(Area):
    """Tasks on a case and the user's own list; reminders raised from follow-up dates."""

    of_case = reads(tasks.case_tasks)

    add = writes(tasks.add_task)

    complete = writes(tasks.complete_task)

    def mine(self) -> tasks.MyTasks:
        with self.vault.session() as session:
            return tasks.my_tasks(session, self.actor, self.today())

    def raise_reminders(self) -> int:
        with self.vault.transaction() as session:
            return tasks.raise_reminders(
                session, self.actor, self.today()
            ) + referrals.raise_follow_up_tasks(session, self.actor, self.today())


class Attachments(Area):
    """Files attached to a case, kept encrypted in the vault."""

    of_case = reads(attachments.case_attachments)

    def attach(self, case_id: str, path: Path, description: str = "") -> attachments.AttachmentView:
        with self.vault.transaction() as session:
            data = attachments.read_upload(session, path)
            return attachments.add_attachment(
                session, self.actor, case_id, path.name, data, description
            )

    open = writes(attachments.open_attachment)

    def export(self, attachment_id: str, target: Path) -> None:
        from casework.reporting.pdf import save

        with self.vault.transaction() as session:
            _name, data = attachments.export_attachment(session, self.actor, attachment_id)
        save(data, target)

    set_limit = writes(attachments.set_limit_mb)
