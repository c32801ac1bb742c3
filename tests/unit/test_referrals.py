"""Referrals: consent gates them, the packet carries only what the release covers."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from casework.errors import NotFound, PermissionDenied, ValidationError
from casework.model.vocab import (
    ClosureDecision,
    ClosureReason,
    ConsentKind,
    OrganisationType,
    ReferralStatus,
    ReleaseField,
    ServiceCategory,
    TaskStatus,
)
from casework.reporting.referral_packet import referral_packet_pdf
from casework.services import cases, consent, lifecycle, referrals, shelter, tasks
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import actor_of, unlock

# Amina, signed in, a case of hers and a partner clinic.
Setting = tuple[OpenVault, cases.CaseDetail, referrals.PartnerView]


@pytest.fixture
def setting(staffed_vault: OpenVault, vault_folder: VaultFolder, today: date) -> Iterator[Setting]:
    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    with sara.transaction() as session:
        clinic = referrals.add_partner(
            session,
            actor_of(sara),
            "City Health Centre",
            OrganisationType.HEALTH,
            (ServiceCategory.MEDICAL, ServiceCategory.MENTAL_HEALTH),
            "Dr Wanjiku",
            "+254 700 1",
        )
    sara.lock()
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    with amina.transaction() as session:
        case = cases.record_survivor(
            session,
            actor_of(amina),
            cases.SurvivorInput(
                first_name="Imani",
                last_name="Wekesa",
                intake_date=today,
                phone="+254 711 000 111",
                citizenship=("KE",),
                birth_date=date(2001, 2, 3),
            ),
            today,
        )
    yield amina, case, clinic
    amina.lock()


def refer(
    amina: OpenVault, case: cases.CaseDetail, clinic: referrals.PartnerView, today: date
) -> referrals.ReferralView:
    with amina.transaction() as session:
        return referrals.send_referral(
            session,
            actor_of(amina),
            case.case_id,
            clinic.partner_id,
            ServiceCategory.MEDICAL,
            "Persistent headaches",
            today,
        )


def test_a_caseworker_cannot_add_partners(setting: Setting) -> None:
    amina, _case, _clinic = setting
    with pytest.raises(PermissionDenied), amina.transaction() as session:
        referrals.add_partner(session, actor_of(amina), "X", OrganisationType.NGO, ())


def test_a_referral_is_blocked_without_a_release_and_allowed_with_one(
    setting: Setting, today: date
) -> None:
    amina, case, clinic = setting
    with pytest.raises(consent.ConsentMissing, match="City Health Centre"):
        refer(amina, case, clinic, today)
    with amina.transaction() as session:  # a release to someone else does not count
        consent.record_consent(
            session,
            actor_of(amina),
            case.case_id,
            ConsentKind.RELEASE,
            today,
            today,
            partner_organisation="Legal Aid",
            purpose="Advice",
        )
    with pytest.raises(consent.ConsentMissing):
        refer(amina, case, clinic, today)
    with amina.transaction() as session:
        release = consent.record_consent(
            session,
            actor_of(amina),
            case.case_id,
            ConsentKind.RELEASE,
            today,
            today,
            partner_organisation="city health centre",
            purpose="Medical care",
        )
    sent = refer(amina, case, clinic, today)
    assert sent.status == ReferralStatus.PENDING and sent.follow_up_on == today + timedelta(days=14)
    with amina.transaction() as session:
        consent.withdraw_consent(session, actor_of(amina), case.case_id, release.consent_id, today)
    with pytest.raises(consent.ConsentMissing):
        refer(amina, case, clinic, today)


def test_the_referral_lifecycle_and_its_follow_up(setting: Setting, today: date) -> None:
    amina, case, clinic = setting
    with amina.transaction() as session:
        consent.record_consent(
            session,
            actor_of(amina),
            case.case_id,
            ConsentKind.RELEASE,
            today - timedelta(days=30),
            today,
            partner_organisation="City Health Centre",
            purpose="Medical care",
        )
    sent = refer(amina, case, clinic, today - timedelta(days=20))  # sent 20 days ago
    with amina.transaction() as session:
        with pytest.raises(ValidationError):
            referrals.update_referral(
                session, actor_of(amina), sent.referral_id, ReferralStatus.COMPLETED
            )
        assert referrals.raise_follow_up_tasks(session, actor_of(amina), today) == 1
        assert referrals.raise_follow_up_tasks(session, actor_of(amina), today) == 0
        mine = tasks.my_tasks(session, actor_of(amina), today)
        assert any("City Health Centre" in t.title for t in mine.overdue)
        with pytest.raises(ValidationError):  # a decline says why
            referrals.update_referral(
                session, actor_of(amina), sent.referral_id, ReferralStatus.DECLINED
            )
        referrals.update_referral(
            session, actor_of(amina), sent.referral_id, ReferralStatus.ACCEPTED
        )
        referrals.update_referral(
            session, actor_of(amina), sent.referral_id, ReferralStatus.COMPLETED, "Seen"
        )
        [view] = referrals.case_referrals(session, actor_of(amina), case.case_id)
    assert view.status == ReferralStatus.COMPLETED and view.follow_up_on is None


def test_the_packet_carries_only_what_the_release_covers(setting: Setting, today: date) -> None:
    amina, case, clinic = setting
    with amina.transaction() as session:
        consent.record_consent(
            session,
            actor_of(amina),
            case.case_id,
            ConsentKind.RELEASE,
            today,
            today,
            partner_organisation="City Health Centre",
            purpose="Medical care",
            release_fields=(ReleaseField.IDENTITY, ReleaseField.ORIGIN),
        )
    sent = refer(amina, case, clinic, today)
    with amina.transaction() as session:
        packet = referrals.referral_packet(
            session, actor_of(amina), sent.referral_id, "Harbour Light", today
        )
    assert set(packet.fields) == {ReleaseField.IDENTITY, ReleaseField.ORIGIN}
    pdf = referral_packet_pdf(packet)
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Imani Wekesa" in text and case.reference in text and "Kenya" in text
    assert "711" not in text and "2001-02-03" not in text  # contact and birth are not covered
    assert "CONFIDENTIAL" in text and "Page 1" in text
    metadata: Mapping[str, object] = reader.metadata or {}
    assert not metadata.get("/Author") and "amina" not in str(metadata).lower()


def test_packets_print_names_in_any_script(today: date) -> None:
    from casework.services.referrals import ReferralPacket

    packet = ReferralPacket(
        "Harbour Light",
        "Клініка",
        ServiceCategory.MEDICAL,
        today,
        "",
        "Care",
        None,
        {ReleaseField.IDENTITY: [("Name", "Олена Коваленко"), ("Case reference", "SH-1")]},
    )
    reader = PdfReader(io.BytesIO(referral_packet_pdf(packet)))
    assert "Олена Коваленко" in reader.pages[0].extract_text()


def test_approving_a_closure_can_close_what_is_still_open_and_a_request_can_be_withdrawn(
    setting: Setting, staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    """A closed case should leave nobody counted in a bed and no partner waiting: the
    supervisor who approves sees what is open and closes it with the case, each audited."""
    amina, case, clinic = setting
    with staffed_vault.transaction() as session:
        shelter.add_facility(session, actor_of(staffed_vault), "Harbour House", {"Blue": 1})
    with amina.transaction() as session:
        actor = actor_of(amina)
        consent.record_consent(
            session,
            actor,
            case.case_id,
            ConsentKind.RELEASE,
            today - timedelta(days=30),
            today,
            partner_organisation="City Health Centre",
            purpose="Medical care",
        )
        [bed] = shelter.occupancy(session, actor, today)
        shelter.admit(session, actor, case.case_id, bed.bed_id, today - timedelta(days=3), today)
        tasks.add_task(session, actor, case.case_id, "Book the dentist", today)
    refer(amina, case, clinic, today)
    with amina.transaction() as session:
        actor = actor_of(amina)
        assert lifecycle.open_work(session, actor, case.case_id) == lifecycle.OpenWork(
            today - timedelta(days=3), 1, 1
        )
        first = lifecycle.request_closure(session, actor, case.case_id, ClosureReason.GOALS_MET)
        lifecycle.withdraw_closure(session, actor, first)  # she changed her mind
        second = lifecycle.request_closure(session, actor, case.case_id, ClosureReason.GOALS_MET)
    bruno = unlock(vault_folder, "bruno", WORKER_PASSWORD)
    with pytest.raises(NotFound), bruno.transaction() as session:  # not his case, not his ask
        lifecycle.withdraw_closure(session, actor_of(bruno), second)
    bruno.lock()
    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    with sara.transaction() as session:
        lifecycle.decide_closure(session, actor_of(sara), second, True, "", today, tidy=True)
    with sara.session() as session:
        actor = actor_of(sara)
        assert lifecycle.open_work(session, actor, case.case_id) == lifecycle.OpenWork(None, 0, 0)
        assert [s.discharged_on for s in shelter.case_stays(session, actor, case.case_id)] == [
            today
        ]
        assert [t.status for t in tasks.case_tasks(session, actor, case.case_id)] == [
            TaskStatus.CANCELLED
        ]
        [referral] = referrals.case_referrals(session, actor, case.case_id)
        assert referral.status == ReferralStatus.WITHDRAWN
        decisions = [
            r.decision
            for r in lifecycle.closure_requests(
                session, actor, pending_only=False, case_id=case.case_id
            )
        ]
        assert decisions == [ClosureDecision.WITHDRAWN, ClosureDecision.APPROVED]
    sara.lock()
