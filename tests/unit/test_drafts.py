"""Drafts: what a user typed and has not saved, kept in the vault for that user alone, one per
kind and case, gone once the work is saved or thrown away, and purged after a month."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from casework.application.desk import Desk
from casework.application.types import SurvivorInput
from casework.errors import NotFound, ValidationError
from casework.model import Draft
from casework.model.vocab import Confidentiality
from casework.services.drafts import DRAFT_KEPT_DAYS, DraftKind
from casework.vault.vault import VaultFolder
from tests.conftest import ADMIN_PASSWORD, SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import actor_of, unlock


def desk_of(folder: VaultFolder, username: str, password: str) -> Desk:
    vault = unlock(folder, username, password)
    return Desk(vault, actor_of(vault))


def test_an_intake_draft_is_its_authors_alone_and_is_replaced_not_piled_up(
    staffed_vault: object, vault_folder: VaultFolder
) -> None:
    amina = desk_of(vault_folder, "amina", WORKER_PASSWORD)
    bruno = desk_of(vault_folder, "bruno", WORKER_PASSWORD)
    sara = desk_of(vault_folder, "sara", SUPERVISOR_PASSWORD)
    assert amina.drafts.kept(DraftKind.INTAKE) is None
    amina.drafts.keep(DraftKind.INTAKE, None, lambda: {"first_name": "Ol"})
    amina.drafts.keep(DraftKind.INTAKE, None, lambda: {"first_name": "Olena"})
    kept = amina.drafts.kept(DraftKind.INTAKE)
    assert kept is not None and kept.content == {"first_name": "Olena"}
    assert bruno.drafts.kept(DraftKind.INTAKE) is None
    assert sara.drafts.kept(DraftKind.INTAKE) is None
    with amina.vault.session() as session:
        assert session.query(Draft).count() == 1
    amina.drafts.keep(DraftKind.INTAKE, None, lambda: None)  # nothing left to keep
    assert amina.drafts.kept(DraftKind.INTAKE) is None


def test_recording_the_person_removes_the_intake_draft(
    staffed_vault: object, vault_folder: VaultFolder
) -> None:
    amina = desk_of(vault_folder, "amina", WORKER_PASSWORD)
    amina.drafts.keep(DraftKind.INTAKE, None, lambda: {"first_name": "Olena"})
    amina.cases.record_survivor(SurvivorInput(first_name="Olena", intake_date=date.today()))
    assert amina.drafts.kept(DraftKind.INTAKE) is None


def test_a_note_draft_belongs_to_a_case_the_author_may_see_and_goes_with_the_note(
    staffed_vault: object, vault_folder: VaultFolder
) -> None:
    amina = desk_of(vault_folder, "amina", WORKER_PASSWORD)
    bruno = desk_of(vault_folder, "bruno", WORKER_PASSWORD)
    case = amina.cases.record_survivor(SurvivorInput(first_name="Olena", intake_date=date.today()))
    other = amina.cases.record_survivor(SurvivorInput(first_name="Ines", intake_date=date.today()))
    amina.drafts.keep(DraftKind.NOTE, case.case_id, lambda: {"body": "She called at"})
    assert amina.drafts.kept(DraftKind.NOTE, other.case_id) is None
    with pytest.raises(NotFound):
        bruno.drafts.keep(DraftKind.NOTE, case.case_id, lambda: {"body": "not his case"})
    with pytest.raises(NotFound):
        bruno.drafts.kept(DraftKind.NOTE, case.case_id)
    amina.notes.add(case.case_id, "She called at noon.", date.today(), Confidentiality.ORDINARY)
    assert amina.drafts.kept(DraftKind.NOTE, case.case_id) is None


def test_an_administrator_keeps_no_drafts_and_a_huge_draft_is_refused(
    staffed_vault: object, vault_folder: VaultFolder
) -> None:
    admin = desk_of(vault_folder, "admin", ADMIN_PASSWORD)
    with pytest.raises(Exception, match="access to case records"):
        admin.drafts.keep(DraftKind.INTAKE, None, lambda: {"first_name": "x"})
    amina = desk_of(vault_folder, "amina", WORKER_PASSWORD)
    with pytest.raises(ValidationError):
        amina.drafts.keep(DraftKind.INTAKE, None, lambda: {"safe_contact": "x" * 300_000})
    assert amina.drafts.kept(DraftKind.INTAKE) is None


def test_drafts_older_than_a_month_are_purged_and_a_removed_user_leaves_none(
    staffed_vault: object, vault_folder: VaultFolder
) -> None:
    amina = desk_of(vault_folder, "amina", WORKER_PASSWORD)
    bruno = desk_of(vault_folder, "bruno", WORKER_PASSWORD)
    amina.drafts.keep(DraftKind.INTAKE, None, lambda: {"first_name": "Olena"})
    bruno.drafts.keep(DraftKind.INTAKE, None, lambda: {"first_name": "Ines"})
    assert amina.drafts.purge_stale(date.today() + timedelta(days=DRAFT_KEPT_DAYS - 1)) == 0
    assert amina.drafts.kept(DraftKind.INTAKE) is not None
    assert amina.drafts.purge_stale(date.today() + timedelta(days=DRAFT_KEPT_DAYS + 1)) == 2
    assert amina.drafts.kept(DraftKind.INTAKE) is None
    bruno.drafts.keep(DraftKind.INTAKE, None, lambda: {"first_name": "Ines"})
    admin = desk_of(vault_folder, "admin", ADMIN_PASSWORD)
    admin.accounts.disable_user("bruno")
    with admin.vault.session() as session:
        assert session.query(Draft).count() == 0
