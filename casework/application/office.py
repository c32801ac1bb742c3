"""The desk areas of the office: accounts, backups, printing, reporting, imports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from casework.application.area import Area
from casework.importer import ImportReport, import_cases
from casework.model.vocab import (
    Role,
)
from casework.services import (
    accounts,
    audit,
    referrals,
)
from casework.vault.backup import Progress

if TYPE_CHECKING:  # the reporting modules (and ReportLab) load when first used, not at start-up
    from casework.reporting import profiles as profile_service
    from casework.reporting import quarterly, records
    from casework.reporting.release_files import PastExport


class Accounts(Area):
    """The organisation's settings and staff accounts, the user's own password too."""

    def organisation(self) -> accounts.OrganisationInfo:
        return accounts.organisation_info(self.vault)

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


class Backups(Area):
    """Backups: where they go, one now, the daily one."""

    def folder(self) -> Path:
        return self.vault.backup_folder

    def on_the_vaults_disk(self) -> bool:
        """Whether backups go to the disk the vault is on (the default, inside the vault's
        folder): a failed or stolen disk then takes the backups with the vault."""
        try:
            return self.vault.backup_folder.stat().st_dev == self.vault.folder.folder.stat().st_dev
        except OSError:  # not made yet: it will be made under the vault's folder's disk
            return self.vault.backup_folder.is_relative_to(self.vault.folder.folder)

    def set_folder(self, folder: Path | None) -> None:
        accounts.set_backup_folder(self.vault, self.actor, folder)
        with self.vault.transaction() as session:
            audit.record(session, self.actor.user_id, "backup.folder", "user", self.actor.user_id)

    def now(
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

    def is_tracked(self, written: Path) -> bool:
        """Whether an erasure can mark ``written`` expired: Safehold's own name, in a backup
        folder this vault has used."""
        folders = {p.resolve() for p in self.vault.folder.backup_folders_used()}
        return written.name.startswith("safehold-") and written.parent.resolve() in folders

    def daily_if_due(self, check: Callable[[], None] | None = None) -> Path | None:
        """The automatic daily backup (any signed-in user's session takes it), with rotation;
        ``check()`` raises to cancel it (a lock)."""
        return self.vault.daily_backup(check) if self.vault.daily_backup_due() else None


class Printing(Area):
    """The PDFs a user prints: a case file, a caseload, a month's occupancy, a referral
    packet."""

    def referral_packet(self, referral_id: str) -> bytes:
        """The packet's PDF, in memory; the UI saves it where the user chooses."""
        from casework.reporting.referral_packet import referral_packet_pdf

        with self.vault.transaction() as session:
            packet = referrals.referral_packet(
                session,
                self.actor,
                referral_id,
                self.desk.accounts.organisation().name,
                self.today(),
            )
        return referral_packet_pdf(packet)

    def case_summary(self, case_id: str, letter: bool = False) -> bytes:
        from casework.reporting import printouts

        with self.vault.transaction() as session:
            return printouts.case_summary_pdf(session, self.actor, case_id, letter, self.today())

    def caseload(
        self, caseworker_id: str | None, start: date, end: date, letter: bool = False
    ) -> bytes:
        from casework.reporting import printouts

        with self.vault.transaction() as session:
            return printouts.caseload_pdf(
                session, self.actor, caseworker_id, start, end, letter, self.today()
            )

    def occupancy(self, year: int, month: int, letter: bool = False) -> bytes:
        from casework.reporting import printouts

        with self.vault.transaction() as session:
            return printouts.occupancy_pdf(session, self.actor, year, month, self.today(), letter)


class Reporting(Area):
    """De-identified national reporting: profiles, previews and exports."""

    @property
    def allowed(self) -> bool:
        """Data officers and administrators make de-identified exports."""
        return self.actor.has(Role.DATA_OFFICER) or self.actor.has(Role.ADMINISTRATOR)

    def profiles(self) -> list[profile_service.Profile]:
        from casework.reporting import profiles

        with self.vault.session() as session:
            return profiles.list_profiles(session, self.actor)

    def past_exports(self) -> list[PastExport]:
        """The exports made, newest first, with each file's SHA-256 (from the audit trail)."""
        from casework.reporting import release_files

        with self.vault.session() as session:
            return release_files.past_exports(session, self.actor)

    def add_profile(
        self,
        name: str,
        hub_id: str,
        recipient: str,
        threshold: int,
        rounding_base: int,
        records_enabled: bool,
        k: int,
        l_diversity: int,
    ) -> profile_service.Profile:
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

    def preview(
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
                    session, self.actor, profile, records.Year.parse(period), self.today(), progress
                )
            return quarterly.build_release(
                session, self.actor, profile, quarterly.Period.parse(period), self.today()
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
                    self.today(),
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
                self.today(),
                progress,
                check,
                self.vault.transaction,
            )


class Imports(Area):
    """Importing people and cases from a file."""

    def cases(self, data: bytes, name: str, commit: bool) -> ImportReport:
        with self.vault.transaction() as session:
            return import_cases(session, self.actor, data, name, self.today(), commit)
