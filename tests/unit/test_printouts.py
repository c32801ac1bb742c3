"""Printed reports: the right figures, nothing the reader may not see, house style, clean
metadata, A4 or Letter."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import update

from casework.errors import ValidationError
from casework.model import (
    Case,
    ConsentRecord,
    Facility,
    Organisation,
    Partner,
    Referral,
    Survivor,
    User,
)
from casework.model.vocab import (
    Attendance,
    Confidentiality,
    ConsentKind,
    DischargeReason,
    Exploitation,
    Modality,
    OrganisationType,
    ReleaseField,
    ServiceCategory,
    SessionKind,
)
from casework.reporting import printouts
from casework.services import cases, consent, counseling, notes, referrals, shelter
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import actor_of, unlock


def text_of(pdf: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(page.extract_text() for page in reader.pages), reader


def new_case(vault: OpenVault, name: str, today: date, intake: date | None = None) -> str:
    with vault.transaction() as session:
        return cases.record_survivor(
            session,
            actor_of(vault),
            cases.SurvivorInput(first_name=name, last_name="Mwangi", intake_date=intake or today),
            today,
        ).case_id


def test_the_case_file_shows_what_the_reader_may_see(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    case_id = new_case(amina, "Wanjiru", today)
    with amina.transaction() as session:
        notes.add_note(
            session, actor_of(amina), case_id, "Found a room near the market.", today, today
        )
        notes.add_note(
            session,
            actor_of(amina),
            case_id,
            "Disclosed the trafficker's threats.",
            today,
            today,
            Confidentiality.SENSITIVE,
        )
    with sara.transaction() as session:
        counseling.record_session(
            session,
            actor_of(sara),
            case_id,
            today,
            50,
            SessionKind.INDIVIDUAL,
            Modality.IN_PERSON,
            Attendance.ATTENDED,
            "Nightmares easing; grounding exercises help.",
            today,
        )
    with amina.transaction() as session:
        as_worker, reader = text_of(printouts.case_summary_pdf(session, actor_of(amina), case_id))
    with sara.transaction() as session:
        as_supervisor, _ = text_of(
            printouts.case_summary_pdf(session, actor_of(sara), case_id, letter=True)
        )
    for text in (as_worker, as_supervisor):
        assert "Wanjiru Mwangi" in text and "Found a room near the market." in text
        assert "Harbour Light" in text and "Page 1" in text and "CONFIDENTIAL" in text
    assert "Disclosed the trafficker" in as_worker  # she wrote it
    assert "Nightmares easing" not in as_worker  # counseling notes are the counselor's
    assert "Nightmares easing" in as_supervisor
    metadata: Mapping[str, object] = reader.metadata or {}
    assert not metadata.get("/Author") and "Amina" not in str(metadata)
    assert round(float(reader.pages[0].mediabox.width)) == 595  # A4
    _, letter = text_of(printouts.case_summary_pdf(sara.session(), actor_of(sara), case_id, True))
    assert round(float(letter.pages[0].mediabox.width)) == 612  # Letter
    amina.lock()
    sara.lock()


def test_the_caseload_report_counts_the_period(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    bruno = unlock(vault_folder, "bruno", WORKER_PASSWORD)
    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    start, end = today - timedelta(days=30), today
    new_case(amina, "Achieng", today, today - timedelta(days=5))
    new_case(amina, "Akinyi", today, today - timedelta(days=90))
    new_case(amina, "Later", today, today)  # opened on the last day: in
    new_case(bruno, "Baraka", today, today - timedelta(days=3))
    with sara.transaction() as session:
        whole = printouts.caseload_lines(session, actor_of(sara), None, start, end)
        mine = printouts.caseload_lines(
            session, actor_of(sara), actor_of(amina).user_id, start, end
        )
        text, _ = text_of(
            printouts.caseload_pdf(session, actor_of(sara), actor_of(amina).user_id, start, end)
        )
        with pytest.raises(ValidationError):
            printouts.caseload_lines(session, actor_of(sara), None, end, start)
    assert len(whole) == 4 and len(mine) == 3
    assert {x.caseworker for x in mine} == {"Amina K."}
    assert "Caseload report: Amina K." in text and "Baraka" not in text
    assert "Opened in the period 2" in text.replace("\n", " ")
    with bruno.transaction() as session:  # a caseworker prints only their own
        own = printouts.caseload_lines(session, actor_of(bruno), None, start, end)
    assert [x.name for x in own] == ["Baraka Mwangi"]
    for vault in (amina, bruno, sara):
        vault.lock()


def test_the_occupancy_report_counts_bed_nights(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    today = date(2026, 11, 23)
    with staffed_vault.transaction() as session:
        shelter.add_facility(session, actor_of(staffed_vault), "Harbour House", {"Room A": 2})
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    case_id = new_case(amina, "Neema", today, date(2026, 9, 1))
    with amina.transaction() as session:
        bed = shelter.occupancy(session, actor_of(amina), today)[0].bed_id
        stay = shelter.admit(session, actor_of(amina), case_id, bed, date(2026, 10, 3), today)
        shelter.discharge(
            session, actor_of(amina), stay, date(2026, 10, 13), DischargeReason.MOVED_ON, today
        )
        text, _ = text_of(printouts.occupancy_pdf(session, actor_of(amina), 2026, 10, today))
        with pytest.raises(ValidationError, match="not started"):
            printouts.occupancy_pdf(session, actor_of(amina), 2027, 1, today)
    flat = " ".join(text.split())
    assert "Shelter occupancy, October 2026" in flat
    assert "Harbour House 2 10 / 62 16%" in flat  # 2 beds x 31 nights; 10 nights held
    assert "Neema" not in flat  # stays are named by case reference only
    amina.lock()


# -- no value can make a report fail (issue 15) ------------------------------------------------

HUGE = ("Nyokabi" * 15_000)[:100_000]  # one unbroken word, as an old vault or an import may hold


def flat_text(pdf: bytes) -> tuple[str, int]:
    text, reader = text_of(pdf)
    return " ".join(text.split()), len(reader.pages)


def test_a_huge_name_or_note_still_prints_the_case_file(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    case_id = new_case(amina, "Wanjiru", today)
    long_note = "Q" * 20_000  # a legitimate note, taller than a page in one table row
    with amina.transaction() as session:
        notes.add_note(session, actor_of(amina), case_id, long_note, today, today)
        survivor_id = session.get(Case, case_id).survivor_id  # type: ignore[union-attr]
        session.execute(
            update(Survivor)
            .where(Survivor.id == survivor_id)
            .values(first_name=HUGE, aliases=[HUGE], phone=HUGE)
        )
    with amina.transaction() as session:
        text, pages = flat_text(printouts.case_summary_pdf(session, actor_of(amina), case_id))
    assert "Nyokabi" in text and "not printed" in text  # cut, and the cut says so
    assert text.replace(" ", "").count("Q") >= 20_000  # the note is printed whole
    assert pages < 40
    amina.lock()


def test_a_huge_name_still_prints_the_caseload_report(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    case_id = new_case(amina, "Wanjiru", today)
    new_case(amina, "Achieng", today)
    with sara.transaction() as session:
        survivor_id = session.get(Case, case_id).survivor_id  # type: ignore[union-attr]
        session.execute(update(Survivor).where(Survivor.id == survivor_id).values(last_name=HUGE))
        session.execute(
            update(User).where(User.id == actor_of(amina).user_id).values(display_name=HUGE)
        )
    with sara.transaction() as session:
        for worker in (None, actor_of(amina).user_id):  # the whole organisation, and one caseworker
            pdf = printouts.caseload_pdf(
                session, actor_of(sara), worker, today - timedelta(days=7), today
            )
            text, pages = flat_text(pdf)
            assert "Achieng" in text and "Nyokabi" in text and "not printed" in text
            assert pages < 10
    amina.lock()
    sara.lock()


def test_a_huge_facility_name_still_prints_the_occupancy_report(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    today = date(2026, 11, 23)
    with staffed_vault.transaction() as session:
        shelter.add_facility(session, actor_of(staffed_vault), "Harbour House", {"Room A": 2})
        session.execute(update(Facility).values(name=HUGE))
        session.execute(update(Organisation).values(name=HUGE))  # printed on every page
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    case_id = new_case(amina, "Neema", today, date(2026, 9, 1))
    with amina.transaction() as session:
        bed = shelter.occupancy(session, actor_of(amina), today)[0].bed_id
        shelter.admit(session, actor_of(amina), case_id, bed, date(2026, 10, 3), today)
    with amina.transaction() as session:
        text, pages = flat_text(printouts.occupancy_pdf(session, actor_of(amina), 2026, 10, today))
    assert "Shelter occupancy, October 2026" in text and "Nyokabi" in text
    assert "not printed" in text and pages < 10
    amina.lock()


def referred_to_clinic(
    staffed_vault: OpenVault,
    amina: OpenVault,
    case_id: str,
    today: date,
    covers: tuple[ReleaseField, ...],
) -> str:
    """A clinic in the directory, a release to it covering ``covers``, and a referral sent to
    it for the case; the referral's id."""
    with staffed_vault.transaction() as session:
        clinic = referrals.add_partner(
            session,
            actor_of(staffed_vault),
            "Clinic",
            OrganisationType.HEALTH,
            (ServiceCategory.MEDICAL,),
        )
    with amina.transaction() as session:
        consent.record_consent(
            session,
            actor_of(amina),
            case_id,
            ConsentKind.RELEASE,
            today,
            today,
            partner_organisation="Clinic",
            purpose="Medical care",
            release_fields=covers,
        )
        return referrals.send_referral(
            session,
            actor_of(amina),
            case_id,
            clinic.partner_id,
            ServiceCategory.MEDICAL,
            "Care",
            today,
        ).referral_id


def test_huge_values_still_print_the_referral_packet(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    from casework.reporting.referral_packet import referral_packet_pdf

    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    case_id = new_case(amina, "Imani", today)
    referral_id = referred_to_clinic(staffed_vault, amina, case_id, today, (ReleaseField.IDENTITY,))
    with amina.transaction() as session:
        survivor_id = session.get(Case, case_id).survivor_id  # type: ignore[union-attr]
        session.execute(update(Survivor).where(Survivor.id == survivor_id).values(first_name=HUGE))
        session.execute(update(Partner).values(name=HUGE))
        session.execute(update(ConsentRecord).values(partner_organisation=HUGE, purpose=HUGE))
        session.execute(update(Referral).values(reason=HUGE))
    with amina.transaction() as session:
        packet = referrals.referral_packet(session, actor_of(amina), referral_id, HUGE, today)
    text, pages = flat_text(referral_packet_pdf(packet))
    assert "Referral to Nyokabi" in text and "not printed" in text and pages < 10
    amina.lock()


def test_printed_labels_are_those_a_person_reads(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    """The referral packet names countries, languages and kinds of exploitation, and whom to
    call; the case file's timeline marks a sensitive note as the notes do."""
    from casework.reporting.referral_packet import referral_packet_pdf

    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    with amina.transaction() as session:
        case_id = cases.record_survivor(
            session,
            actor_of(amina),
            cases.SurvivorInput(
                first_name="Oksana",
                intake_date=today,
                citizenship=("UA",),
                languages=("uk",),
                exploitation_types=(Exploitation.FORCED_LABOUR,),
            ),
            today,
        ).case_id
        notes.add_note(
            session,
            actor_of(amina),
            case_id,
            "Spoke about the threat",
            today,
            today,
            Confidentiality.SENSITIVE,
        )
    covers = (ReleaseField.ORIGIN, ReleaseField.SITUATION)
    referral_id = referred_to_clinic(staffed_vault, amina, case_id, today, covers)
    with amina.transaction() as session:
        packet = referrals.referral_packet(session, actor_of(amina), referral_id, "Org", today)
        case_file, _ = flat_text(printouts.case_summary_pdf(session, actor_of(amina), case_id))
    text, _ = flat_text(referral_packet_pdf(packet))
    assert "Ukraine" in text and "Ukrainian" in text and "Forced labour" in text
    assert "ForcedLabour" not in text and " UA" not in text
    assert "Contact Amina K." in text
    assert "[Sensitive] Note by Amina K." in case_file
    amina.lock()


def test_the_quarterly_summary_prints_labels_and_whole_words() -> None:
    from casework.reporting.summary_pdf import summary_pdf

    head = "spec_version,htcds_version,period,table_id,row_key,col_key,value,flag\n"
    rows = [
        ("T2", "18-29", "Women/girls", "10"),
        ("T2", "18-29", "Men/boys", "5"),
        ("T2", "18-29", "Trans or gender-diverse", "x"),
        ("T2", "18-29", "Unknown", "x"),
        ("T2", "18-29", "Total", "20"),
        ("T6", "in:HealthServiceOrganisation", "count", "5"),
        ("T6", "out:mental-health", "count", "10"),
        ("T7", "goals-met", "count", "5"),
    ]
    body = "".join(f"1,2.0,2026-Q3,{t},{r},{c},{v},\n" for t, r, c, v in rows)
    text, _ = flat_text(summary_pdf((head + body).encode(), "2026-Q3", "National", 5, 5))
    assert "Health service" in text and "Mental health" in text
    assert "Goals of the case plan met" in text
    for raw in ("in:", "out:", "goals-met", "mental-health", "HealthServiceOrganisation"):
        assert raw not in text
    assert "Referrals in, by the kind of organisation that referred" in text
    # no header is broken inside a word (pypdf reads a break as a space)
    assert "Women/girls" in text and "gender-diverse" in text and "Men/boys" in text
