"""The signed-in user's desk: every service call the UI and safehold-admin make, each in its
own session, and the work running on them.

Nothing above this layer opens a database session; it holds a ``Desk`` and gets back frozen
dataclasses. Background work calls the same methods from a worker thread (each call opens its
own session, so threads never share one) and is tracked by the desk (``begin``/``end``, or
``working``): ``close`` cancels what runs, waits for it (bounded), and only then locks the
vault, so lock always wins and nothing is written after it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from casework.application.work import Work
from casework.errors import VaultLocked
from casework.importer import ImportReport, import_cases
from casework.model.actor import Actor
from casework.model.vocab import (
    Attendance,
    ClosureReason,
    Confidentiality,
    ConsentKind,
    DischargeReason,
    LegalMatterKind,
    LegalStatus,
    Modality,
    OrganisationType,
    ReferralStatus,
    ReleaseField,
    Role,
    ServiceCategory,
    SessionKind,
)
from casework.services import (
    accounts,
    attachments,
    audit,
    audit_review,
    cases,
    consent,
    counseling,
    integrity,
    legal,
    lifecycle,
    notes,
    referrals,
    retention,
    search,
    shelter,
    supervision,
    tasks,
    timeline,
)

if TYPE_CHECKING:  # the reporting modules (and ReportLab) load when first used, not at start-up
    from casework.reporting import profiles, quarterly, records
from casework.vault.backup import Progress
from casework.vault.vault import OpenVault

# How long closing the desk (lock, sign-out, quit) waits for running work to stop.
CLOSE_WAIT_SECONDS = 5.0


log = logging.getLogger(__name__)


class Desk:
    def __init__(self, vault: OpenVault, actor: Actor) -> None:
        self.vault = vault
        self.actor = actor
        self._running: set[Work] = set()
        self._guard = threading.Lock()
        self._closed = False

    # -- the work running on the desk --------------------------------------------------------

    def begin(self, work: Work) -> None:
        """Track ``work`` from now until ``end``; refused (VaultLocked) once the desk closes."""
        with self._guard:
            if self._closed:
                raise VaultLocked()
            self._running.add(work)

    def end(self, work: Work) -> None:
        with self._guard:
            self._running.discard(work)
        work._ended.set()

    @contextlib.contextmanager
    def working(self) -> Iterator[Work]:
        """Work done here and now (safehold-admin's, a test's), tracked like background work."""
        work = Work()
        self.begin(work)
        try:
            yield work
        finally:
            self.end(work)

    @property
    def running(self) -> int:
        with self._guard:
            return len(self._running)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self, wait_seconds: float = CLOSE_WAIT_SECONDS) -> list[Work]:
        """Lock, sign-out or quit: refuse new work, cancel what runs, wait for it to end (up to
        ``wait_seconds`` in all), then lock the vault (which stops a write still running, see
        OpenVault.lock). Returns the work that had not ended when the vault locked."""
        with self._guard:
            self._closed = True
            running = list(self._running)
        for work in running:
            work.cancel()
        deadline = time.monotonic() + wait_seconds
        for work in running:
            work.wait(max(0.0, deadline - time.monotonic()))
        self.vault.lock()
        left = [work for work in running if not work.ended]
        if left:
            log.warning("%d piece(s) of work had not stopped when the vault locked", len(left))
        return left

    @property
    def works_cases(self) -> bool:
        return self.actor.works_cases

    @property
    def is_admin(self) -> bool:
        return self.actor.has(Role.ADMINISTRATOR)

    def organisation(self) -> accounts.OrganisationInfo:
        return accounts.organisation_info(self.vault)

    def caseload_ids(
        self, sort: cases.CaseSort, descending: bool, where: cases.CaseFilter | None = None
    ) -> list[str]:
        with self.vault.session() as session:
            return cases.caseload_ids(session, self.actor, sort, descending, where)

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

    # -- consent ---------------------------------------------------------------------------

    def consents(self, case_id: str) -> list[consent.Consent]:
        with self.vault.session() as session:
            return consent.consents(session, self.actor, case_id)

    def record_consent(
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
                date.today(),
                expires_on,
                partner,
                purpose,
                release_fields,
            )

    def withdraw_consent(self, case_id: str, consent_id: str) -> None:
        with self.vault.transaction() as session:
            consent.withdraw_consent(session, self.actor, case_id, consent_id, date.today())

    # -- lifecycle -------------------------------------------------------------------------

    def set_follow_up(self, case_id: str, follow_up: bool, on: date | None = None) -> None:
        with self.vault.transaction() as session:
            lifecycle.set_follow_up(session, self.actor, case_id, follow_up, on)

    def request_closure(
        self, case_id: str, reason: ClosureReason, comment: str, referred: bool
    ) -> str:
        with self.vault.transaction() as session:
            return lifecycle.request_closure(
                session, self.actor, case_id, reason, comment, referred
            )

    def decide_closure(self, request_id: str, approve: bool, comment: str) -> None:
        with self.vault.transaction() as session:
            lifecycle.decide_closure(session, self.actor, request_id, approve, comment)

    def reopen(self, case_id: str, comment: str) -> None:
        with self.vault.transaction() as session:
            lifecycle.reopen(session, self.actor, case_id, comment)

    def reassign(self, case_id: str, caseworker_id: str, reason: str = "") -> None:
        with self.vault.transaction() as session:
            lifecycle.reassign(session, self.actor, case_id, caseworker_id, reason)

    # -- retention ------------------------------------------------------------------------------

    def retention_rules(self) -> list[retention.RuleView]:
        with self.vault.session() as session:
            return retention.rules(session, self.actor)

    def preview_retention(self, action: str, years: int) -> retention.Preview:
        with self.vault.session() as session:
            return retention.preview(session, self.actor, action, years, date.today())

    def add_retention_rule(self, action: str, years: int) -> retention.RuleView:
        with self.vault.transaction() as session:
            return retention.add_rule(session, self.actor, action, years)

    def remove_retention_rule(self, rule_id: str) -> None:
        with self.vault.transaction() as session:
            retention.remove_rule(session, self.actor, rule_id)

    def run_retention_rule(self, rule_id: str) -> retention.Preview:
        self.actor.require(Role.ADMINISTRATOR)
        with self.vault.transaction() as session:
            done = retention.run_rule(session, self.actor, rule_id, date.today())
        self._after_erasing()
        return done

    def run_due_retention(self) -> list[retention.Preview]:
        """The daily schedule: rules not run for a day run now, from this session."""
        with self.vault.transaction() as session:
            done = retention.run_due(session, self.actor, date.today())
        if any(d.cases for d in done):
            self._after_erasing()
        return done

    def _after_erasing(self) -> None:
        # Backups are marked first: it is quick, and a lock arriving meanwhile must not leave
        # a backup that still holds the erased person unmarked (the checkpoint can wait).
        self.vault.expire_backups("holds records since removed")
        self.vault.checkpoint()
        # The erasure ledger (in the audit anchor, which backups carry) at once, where this
        # session can sign it; a caseworker's session leaves it to the next supervisor's.
        self.vault.refresh_anchor()

    # -- backups -------------------------------------------------------------------------------

    def backup_folder(self) -> Path:
        return self.vault.backup_folder

    def set_backup_folder(self, folder: Path | None) -> None:
        accounts.set_backup_folder(self.vault, self.actor, folder)
        with self.vault.transaction() as session:
            audit.record(session, self.actor.user_id, "backup.folder", "user", self.actor.user_id)

    def backup_now(
        self,
        progress: Progress | None = None,
        check: Callable[[], None] | None = None,
        to: Path | None = None,
    ) -> Path:
        """A manual backup (administrators; audited): into the backup folder, or as the file
        ``to``, never over an existing one. ``progress(done, total)`` hears as the copy goes,
        ``check()`` raises to cancel it (nothing is kept)."""
        self.actor.require(Role.ADMINISTRATOR)
        with self.vault.transaction() as session:
            audit.record(session, self.actor.user_id, "backup.create", "user", self.actor.user_id)
        folder, name = (to.parent.resolve(), to.name) if to else (self.vault.backup_folder, None)
        return self.vault.backup("manual", folder, name, progress, check)

    def backup_is_tracked(self, written: Path) -> bool:
        """Whether an erasure can mark ``written`` expired: Safehold's own name, in a backup
        folder this vault has used."""
        folders = {p.resolve() for p in self.vault.folder.backup_folders_used()}
        return written.name.startswith("safehold-") and written.parent.resolve() in folders

    def daily_backup_if_due(self, check: Callable[[], None] | None = None) -> Path | None:
        """The automatic daily backup (any signed-in user's session takes it), with rotation;
        ``check()`` raises to cancel it (a lock)."""
        return self.vault.daily_backup(check) if self.vault.daily_backup_due() else None

    # -- the audit trail ------------------------------------------------------------------------

    def audit_trail(self, where: audit_review.AuditFilter) -> list[audit_review.AuditRow]:
        with self.vault.session() as session:
            return audit_review.trail(session, self.actor, where)

    def audit_actions(self) -> list[str]:
        with self.vault.session() as session:
            return audit_review.actions(session, self.actor)

    def audit_users(self) -> list[tuple[str, str]]:
        with self.vault.session() as session:
            return audit_review.users(session, self.actor)

    def verify_vault(
        self, progress: Callable[[int, int], None] | None = None
    ) -> integrity.IntegrityReport:
        return integrity.verify_vault(self.vault, self.actor, progress)

    # -- supervision -----------------------------------------------------------------------------

    def dashboard(self, no_contact_days: int) -> supervision.Dashboard:
        with self.vault.session() as session:
            return supervision.dashboard(session, self.actor, date.today(), no_contact_days)

    def record_review(
        self, case_id: str, reviewed_on: date, summary: str, next_review_on: date | None
    ) -> str:
        with self.vault.transaction() as session:
            return supervision.record_review(
                session, self.actor, case_id, reviewed_on, summary, next_review_on, date.today()
            )

    def case_reviews(self, case_id: str) -> list[supervision.ReviewView]:
        with self.vault.session() as session:
            return supervision.case_reviews(session, self.actor, case_id)

    def open_cases_of(self, caseworker_id: str) -> list[str]:
        with self.vault.session() as session:
            return supervision.open_cases_of(session, self.actor, caseworker_id)

    def reassign_many(self, case_ids: list[str], caseworker_id: str, reason: str) -> int:
        with self.vault.transaction() as session:
            return supervision.reassign_many(session, self.actor, case_ids, caseworker_id, reason)

    def request_erasure(self, case_id: str, reason: str) -> str:
        with self.vault.transaction() as session:
            return supervision.request_erasure(session, self.actor, case_id, reason)

    def decide_erasure(self, request_id: str, approve: bool, comment: str) -> None:
        with self.vault.transaction() as session:
            erased = supervision.decide_erasure(session, self.actor, request_id, approve, comment)
        if erased:
            self._after_erasing()

    def erasure_requests(
        self, pending_only: bool = True, case_id: str | None = None
    ) -> list[supervision.ErasureRequestView]:
        with self.vault.session() as session:
            return supervision.erasure_requests(session, self.actor, pending_only, case_id)

    def status_history(self, case_id: str) -> list[lifecycle.StatusEntry]:
        with self.vault.session() as session:
            return lifecycle.status_history(session, self.actor, case_id)

    def closure_requests(
        self, case_id: str | None = None, pending_only: bool = True
    ) -> list[lifecycle.ClosureRequestView]:
        with self.vault.session() as session:
            return lifecycle.closure_requests(session, self.actor, pending_only, case_id)

    # -- notes -----------------------------------------------------------------------------

    def case_notes(self, case_id: str) -> list[notes.Note]:
        with self.vault.session() as session:
            return notes.case_notes(session, self.actor, case_id, with_history=True)

    def add_note(
        self, case_id: str, body: str, noted_on: date, confidentiality: Confidentiality
    ) -> notes.Note:
        with self.vault.transaction() as session:
            return notes.add_note(
                session, self.actor, case_id, body, noted_on, date.today(), confidentiality
            )

    def amend_note(self, note_id: str, body: str) -> notes.Note:
        with self.vault.transaction() as session:
            return notes.amend_note(session, self.actor, note_id, body, date.today())

    # -- tasks -----------------------------------------------------------------------------

    def case_tasks(self, case_id: str) -> list[tasks.TaskView]:
        with self.vault.session() as session:
            return tasks.case_tasks(session, self.actor, case_id)

    def add_task(self, case_id: str, title: str, due_on: date) -> tasks.TaskView:
        with self.vault.transaction() as session:
            return tasks.add_task(session, self.actor, case_id, title, due_on)

    def complete_task(self, task_id: str) -> None:
        with self.vault.transaction() as session:
            tasks.complete_task(session, self.actor, task_id)

    def my_tasks(self) -> tasks.MyTasks:
        with self.vault.session() as session:
            return tasks.my_tasks(session, self.actor, date.today())

    def raise_reminders(self) -> int:
        with self.vault.transaction() as session:
            return tasks.raise_reminders(
                session, self.actor, date.today()
            ) + referrals.raise_follow_up_tasks(session, self.actor, date.today())

    # -- referrals -------------------------------------------------------------------------

    def partners(self) -> list[referrals.PartnerView]:
        with self.vault.session() as session:
            return referrals.partners(session, self.actor)

    def add_partner(
        self,
        name: str,
        org_type: OrganisationType,
        categories: tuple[ServiceCategory, ...],
        contact_person: str = "",
        phone: str = "",
        email: str = "",
        languages: tuple[str, ...] = (),
    ) -> referrals.PartnerView:
        with self.vault.transaction() as session:
            return referrals.add_partner(
                session,
                self.actor,
                name,
                org_type,
                categories,
                contact_person,
                phone,
                email,
                languages,
            )

    def case_referrals(self, case_id: str) -> list[referrals.ReferralView]:
        with self.vault.session() as session:
            return referrals.case_referrals(session, self.actor, case_id)

    def send_referral(
        self, case_id: str, partner_id: str, category: ServiceCategory, reason: str
    ) -> referrals.ReferralView:
        with self.vault.transaction() as session:
            return referrals.send_referral(
                session, self.actor, case_id, partner_id, category, reason, date.today()
            )

    def update_referral(self, referral_id: str, status: ReferralStatus, note: str = "") -> None:
        with self.vault.transaction() as session:
            referrals.update_referral(session, self.actor, referral_id, status, note)

    def referral_packet_pdf(self, referral_id: str) -> bytes:
        """The packet's PDF, in memory; the UI saves it where the user chooses."""
        from casework.reporting.referral_packet import referral_packet_pdf

        with self.vault.transaction() as session:
            packet = referrals.referral_packet(
                session, self.actor, referral_id, self.organisation().name, date.today()
            )
        return referral_packet_pdf(packet)

    # -- printed reports ---------------------------------------------------------------------------

    def case_summary_pdf(self, case_id: str, letter: bool = False) -> bytes:
        from casework.reporting import reports

        with self.vault.transaction() as session:
            return reports.case_summary_pdf(session, self.actor, case_id, letter)

    def caseload_pdf(
        self, caseworker_id: str | None, start: date, end: date, letter: bool = False
    ) -> bytes:
        from casework.reporting import reports

        with self.vault.transaction() as session:
            return reports.caseload_pdf(session, self.actor, caseworker_id, start, end, letter)

    def occupancy_pdf(self, year: int, month: int, letter: bool = False) -> bytes:
        from casework.reporting import reports

        with self.vault.transaction() as session:
            return reports.occupancy_pdf(session, self.actor, year, month, date.today(), letter)

    # -- search ----------------------------------------------------------------------------

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

    # -- shelter ---------------------------------------------------------------------------

    def occupancy(self, on: date | None = None) -> list[shelter.BedState]:
        with self.vault.session() as session:
            return shelter.occupancy(session, self.actor, on or date.today())

    def waiting_list(self) -> list[shelter.Waiting]:
        with self.vault.session() as session:
            return shelter.waiting_list(session, self.actor)

    def admit(self, reference: str, bed_id: str) -> str:
        with self.vault.transaction() as session:
            case_id = cases.case_id_for_reference(session, self.actor, reference)
            return shelter.admit(session, self.actor, case_id, bed_id, date.today(), date.today())

    def discharge(self, stay_id: str, reason: DischargeReason) -> None:
        with self.vault.transaction() as session:
            shelter.discharge(session, self.actor, stay_id, date.today(), reason, date.today())

    def add_to_waiting_list(self, reference: str, priority: int) -> None:
        with self.vault.transaction() as session:
            case_id = cases.case_id_for_reference(session, self.actor, reference)
            shelter.add_to_waiting_list(session, self.actor, case_id, date.today(), priority)

    def add_facility(self, name: str, rooms: dict[str, int]) -> str:
        with self.vault.transaction() as session:
            return shelter.add_facility(session, self.actor, name, rooms)

    # -- counseling, legal aid, timeline ---------------------------------------------------

    def counseling_sessions(self, case_id: str) -> list[counseling.SessionView]:
        with self.vault.transaction() as session:  # reading counseling notes is audited
            return counseling.case_sessions(session, self.actor, case_id)

    def record_session(
        self,
        case_id: str,
        held_on: date,
        minutes: int,
        kind: SessionKind,
        modality: Modality,
        attendance: Attendance,
        notes_text: str,
    ) -> counseling.SessionView:
        with self.vault.transaction() as session:
            return counseling.record_session(
                session,
                self.actor,
                case_id,
                held_on,
                minutes,
                kind,
                modality,
                attendance,
                notes_text,
                date.today(),
            )

    def legal_matters(self, case_id: str) -> list[legal.MatterView]:
        with self.vault.session() as session:
            return legal.case_matters(session, self.actor, case_id)

    def open_matter(self, case_id: str, kind: LegalMatterKind, lawyer: str) -> str:
        with self.vault.transaction() as session:
            return legal.open_matter(session, self.actor, case_id, kind, lawyer)

    def update_matter(self, matter_id: str, status: LegalStatus, outcome: str = "") -> None:
        with self.vault.transaction() as session:
            legal.update_matter(session, self.actor, matter_id, status, outcome)

    def schedule_hearing(
        self, matter_id: str, starts_at: datetime, place: str, purpose: str
    ) -> str:
        with self.vault.transaction() as session:
            return legal.schedule_hearing(session, self.actor, matter_id, starts_at, place, purpose)

    def hearings(self, start: datetime, end: datetime) -> list[legal.HearingView]:
        with self.vault.session() as session:
            return legal.calendar(session, self.actor, start, end)

    def timeline(
        self, case_id: str, kinds: frozenset[timeline.EventKind] | None = None
    ) -> list[timeline.Event]:
        with self.vault.transaction() as session:
            return timeline.case_timeline(session, self.actor, case_id, kinds)

    # -- attachments ---------------------------------------------------------------------------

    def case_attachments(self, case_id: str) -> list[attachments.AttachmentView]:
        with self.vault.session() as session:
            return attachments.case_attachments(session, self.actor, case_id)

    def attach_file(
        self, case_id: str, path: Path, description: str = ""
    ) -> attachments.AttachmentView:
        with self.vault.transaction() as session:
            data = attachments.read_upload(session, path)
            return attachments.add_attachment(
                session, self.actor, case_id, path.name, data, description
            )

    def open_attachment(self, attachment_id: str) -> tuple[attachments.AttachmentView, bytes]:
        with self.vault.transaction() as session:
            return attachments.open_attachment(session, self.actor, attachment_id)

    def export_attachment(self, attachment_id: str, target: Path) -> None:
        from casework.reporting.pdf import save

        with self.vault.transaction() as session:
            _name, data = attachments.export_attachment(session, self.actor, attachment_id)
        save(data, target)

    def set_attachment_limit(self, megabytes: int) -> None:
        with self.vault.transaction() as session:
            attachments.set_limit_mb(session, self.actor, megabytes)

    # -- de-identified reporting ---------------------------------------------------------------

    @property
    def reports(self) -> bool:
        """Data officers and administrators make de-identified exports."""
        return self.actor.has(Role.DATA_OFFICER) or self.actor.has(Role.ADMINISTRATOR)

    def reporting_profiles(self) -> list[profiles.Profile]:
        from casework.reporting import profiles

        with self.vault.session() as session:
            return profiles.list_profiles(session, self.actor)

    def add_reporting_profile(
        self,
        name: str,
        hub_id: str,
        recipient: str,
        threshold: int,
        rounding_base: int,
        records_enabled: bool,
        k: int,
        l_diversity: int,
    ) -> profiles.Profile:
        from casework.reporting import profiles

        with self.vault.transaction() as session:
            return profiles.add_profile(
                session,
                self.actor,
                name,
                hub_id,
                recipient,
                threshold,
                rounding_base,
                records_enabled,
                k,
                l_diversity,
            )

    def preview_export(
        self,
        kind: str,
        profile_name: str,
        period: str,
        progress: Callable[[int], None] | None = None,
    ) -> quarterly.Release | records.RecordRelease:
        """Compute a release (``kind`` "quarterly" or "records") without writing anything."""
        from casework.reporting import profiles, quarterly, records

        with self.vault.session() as session:
            profile = profiles.get_profile(session, self.actor, profile_name)
            if kind == "records":
                return records.build_records(
                    session, self.actor, profile, records.Year.parse(period), date.today(), progress
                )
            return quarterly.build_release(
                session, self.actor, profile, quarterly.Period.parse(period), date.today()
            )

    def export(
        self,
        kind: str,
        profile_name: str,
        period: str,
        out: Path,
        progress: Callable[[int], None] | None = None,
        check: Callable[[], None] | None = None,
    ) -> quarterly.Release | records.RecordRelease:
        """Write a release into ``out`` with the consent state of this moment; audited."""
        from casework.reporting import profiles, quarterly, records

        # Read in a plain session: only the audit row and the files are written, briefly, in
        # the writer's transaction, so a save from the window never waits for the reading.
        with self.vault.session() as session:
            profile = profiles.get_profile(session, self.actor, profile_name)
            if kind == "records":
                return records.export_records(
                    session,
                    self.actor,
                    profile,
                    records.Year.parse(period),
                    out,
                    date.today(),
                    progress,
                    check,
                    self.vault.transaction,
                )
            return quarterly.export_quarterly(
                session,
                self.actor,
                profile,
                quarterly.Period.parse(period),
                out,
                date.today(),
                progress,
                check,
                self.vault.transaction,
            )

    # -- import ----------------------------------------------------------------------------

    def import_cases(self, data: bytes, name: str, commit: bool) -> ImportReport:
        with self.vault.transaction() as session:
            return import_cases(session, self.actor, data, name, date.today(), commit)

    def caseworkers(self) -> list[tuple[str, str]]:
        with self.vault.session() as session:
            return cases.caseworkers(session, self.actor)

    def users(self) -> list[accounts.UserSummary]:
        return accounts.list_users(self.vault, self.actor)

    def add_user(
        self, username: str, password: str, roles: frozenset[Role], display_name: str = ""
    ) -> accounts.UserSummary:
        return accounts.add_user(self.vault, self.actor, username, password, roles, display_name)

    def reset_password(self, username: str, password: str) -> accounts.UserSummary:
        return accounts.reset_password(self.vault, self.actor, username, password)

    def disable_user(self, username: str) -> accounts.UserSummary:
        return accounts.disable_user(self.vault, self.actor, username)

    def change_own_password(self, current: str, new: str) -> None:
        accounts.change_own_password(self.vault, self.actor, current, new)

    def set_auto_lock_minutes(self, minutes: int) -> None:
        accounts.set_auto_lock_minutes(self.vault, self.actor, minutes)

    def lock(self) -> None:
        self.close()
