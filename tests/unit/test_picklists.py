"""The HTCDS fields as picklists: what the intake stores is what the record-level export uses;
what was typed in words before the picklists is kept (in other details), never dropped; an
import takes the value names (or their labels) and refuses anything else; countries and
languages have names from CLDR, in the reader's language."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import select, text

from casework import places
from casework.importer import import_cases
from casework.model import Survivor
from casework.model.vocab import (
    ConsentKind,
    Control,
    Education,
    Gender,
    Industry,
    Recruitment,
    Relationship,
)
from casework.reporting import profiles, records
from casework.services import cases
from casework.vault import schema
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import WORKER_PASSWORD
from tests.factories import actor_of, unlock
from tests.unit.reporting_data import add_person

TODAY = date(2026, 11, 23)


def picked(**chosen: object) -> dict[str, object]:
    """The survivor's columns as the intake form stores these choices."""
    data = cases.SurvivorInput(first_name="P", intake_date=TODAY, **chosen)  # type: ignore[arg-type]
    values = cases.stored_values(data)
    return {name: values[name] for name in chosen}


def test_what_the_intake_stores_fills_the_record_export_columns(officer: OpenVault) -> None:
    chosen = picked(
        recruitment_methods=(Recruitment.ONLINE_ADVERTISEMENT, Recruitment.FRIENDS),
        methods_of_control=(Control.DEBT_BONDAGE, Control.WITHHOLDS_DOCUMENTS),
        relationship_to_trafficker=Relationship.ACQUAINTED,
        forced_labour_industry=Industry.CONSTRUCTION,
        education_level=Education.UPPER_SECONDARY,
        number_of_children=4,
    )
    for i in range(30):  # enough people alike for the export's k-anonymity
        add_person(
            officer,
            intakes=[date(2026, 1 + i % 9, 3)],
            types=[["ForcedLabour"], ["ForcedLabour", "SexualExploitation"]][i % 2],
            consents=(ConsentKind.RECORD_SHARING,),
            birth=date(1990, 5, 1),
            gender=Gender.FEMININE,
            survivor=chosen,
        )
    with officer.transaction() as session:
        profile = profiles.get_profile(session, actor_of(officer), "National")
        release = records.build_records(
            session, actor_of(officer), profile, records.Year.parse("2026"), TODAY
        )
    rows = list(csv.DictReader(io.StringIO(release.csv_bytes.decode())))
    assert len(rows) == 30
    row = rows[0]
    assert row["vic_MethodOfRecruitment_ThroughAnOnlineAdvertisement"] == "1"
    assert row["vic_MethodOfRecruitment_ThroughFriendsOrSocialEvents"] == "1"
    assert row["vic_MethodOfRecruitment_AtWork"] == "0"
    assert row["vic_MethodsOfControl_DebtBondage"] == "1"
    assert row["vic_MethodsOfControl_WithholdsDocuments"] == "1"
    assert row["vic_MethodsOfControl_PhysicalThreats"] == "0"
    assert row["vic_RelationshipToTrafficker"] == "Acquainted"
    assert row["vic_ForcedLabourIndustry"] == "F"
    assert row["prs_HighestLevelOfEducation"] == "Secondary"
    assert row["prs_NumberOfChildren"] == "3+"


def test_words_typed_before_the_picklists_move_to_other_details(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    with amina.transaction() as session:
        typed = cases.record_survivor(
            session, actor_of(amina), cases.SurvivorInput(first_name="T", intake_date=TODAY), TODAY
        )
        coded = cases.record_survivor(
            session, actor_of(amina), cases.SurvivorInput(first_name="C", intake_date=TODAY), TODAY
        )
    amina.lock()
    schema.downgrade_to(staffed_vault.engine, "0024")
    with staffed_vault.engine.begin() as connection:
        update = (
            "UPDATE survivors SET recruitment_method = :r, relationship_to_trafficker = :rel, "
            "forced_labour_industry = :i, education_level = :e WHERE id = :id"
        )
        connection.execute(
            text(update),
            {
                "id": typed.survivor_id,
                "r": " false job offer ",
                "rel": "employer",
                "i": "construction",
                "e": "secondary school",
            },
        )
        connection.execute(
            text(update),
            {
                "id": coded.survivor_id,
                "r": "AtWork",
                "rel": "Familial",
                "i": "C_Manufacturing",
                "e": "PrimaryEducation",
            },
        )
    schema.upgrade_to_head(staffed_vault.engine)
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    with amina.session() as session:
        words = cases.open_case(session, actor_of(amina), typed.case_id)
        codes = cases.open_case(session, actor_of(amina), coded.case_id)
    assert words.other_details.splitlines() == [
        "Method of recruitment: false job offer",
        "Relationship to trafficker: employer",
        "Forced labour industry: construction",
        "Education: secondary school",
    ]
    assert words.recruitment_methods == () and words.relationship_to_trafficker is None
    assert words.forced_labour_industry is None and words.education_level is None
    assert codes.other_details == ""
    assert codes.recruitment_methods == (Recruitment.AT_WORK,)
    assert codes.relationship_to_trafficker is Relationship.FAMILIAL
    assert codes.forced_labour_industry is Industry.MANUFACTURING
    assert codes.education_level is Education.PRIMARY


def test_an_import_takes_value_names_or_labels_and_refuses_the_rest(
    staffed_vault: OpenVault,
) -> None:
    header = (
        "prs_FirstName,ext_IntakeDate,ext_CaseReference,vic_MethodOfRecruitment,"
        "vic_MethodsOfControl,vic_RelationshipToTrafficker,vic_ForcedLabourIndustry,"
        "prs_HighestLevelOfEducation"
    )
    good = (
        "Ana,2026-03-01,R-1,AtWork; through friends or social events,DebtBondage,"
        "A stranger,C_Manufacturing_Textiles,Primary school"
    )
    bad = "Bo,2026-03-01,R-2,false job offer,DebtBondage;lies,uncle,building,some"
    data = "\n".join((header, good, bad)).encode()
    with staffed_vault.transaction() as session:
        report = import_cases(session, actor_of(staffed_vault), data, "c.csv", TODAY, True)
    assert report.imported == 1
    refused = {problem.column for problem in report.problems if problem.row == 3}
    assert refused == {
        "vic_MethodOfRecruitment",
        "vic_MethodsOfControl",
        "vic_RelationshipToTrafficker",
        "vic_ForcedLabourIndustry",
        "prs_HighestLevelOfEducation",
    }
    with staffed_vault.session() as session:
        ana = session.execute(select(Survivor)).scalar_one()
    assert ana.recruitment_methods == ["AtWork", "ThroughFriendsOrSocialEvents"]
    assert ana.methods_of_control == ["DebtBondage"]
    assert ana.relationship_to_trafficker == "Unaquainted"
    assert ana.forced_labour_industry == "C_Manufacturing"
    assert ana.education_level == "PrimaryEducation"


def test_countries_and_languages_are_named_in_the_readers_language() -> None:
    english, french = dict(places.countries("en")), dict(places.countries("fr_CA"))
    assert english["GB"] == "United Kingdom" and english["UA"] == "Ukraine"
    assert french["GB"] == "Royaume-Uni" and french["DE"] == "Allemagne"
    assert set(english) == set(french) == places.COUNTRY_CODES
    assert places.language_name("uk") == "Ukrainian"  # "uk" is a language, never a country
    assert "UK" not in english
    assert places.language_name("uk", "fr_CA") == "ukrainien"
    names = [name for _, name in places.countries("fr_CA")]
    assert names.index("Égypte") < names.index("Espagne")  # accents sort with their letter
    assert places.country_name("QQ") == "QQ"  # a code no list knows is shown as it is
