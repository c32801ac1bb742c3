"""Synthetic, seeded demo data: no real person is in it, and the same seed gives the same vault."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

from casework.clock import SYSTEM
from casework.model import (
    Assignment,
    Bed,
    Case,
    CaseNote,
    ConsentRecord,
    CounselingSession,
    Hearing,
    LegalMatter,
    Referral,
    StatusChange,
    Stay,
    Survivor,
    Task,
)
from casework.model.actor import Actor
from casework.model.base import utcnow
from casework.model.vocab import (
    Attendance,
    CaseStatus,
    ClosureReason,
    Confidentiality,
    ConsentKind,
    DischargeReason,
    Gender,
    LegalMatterKind,
    LegalStatus,
    Modality,
    OrganisationType,
    ReferralStatus,
    ReleaseField,
    RiskLevel,
    Role,
    ServiceCategory,
    SessionKind,
    TaskSource,
    TaskStatus,
    TraffickingStatus,
)
from casework.reporting import profiles
from casework.services import accounts, audit, people_index, referrals, shelter
from casework.services.cases import sort_name
from casework.services.notes import fts_rowid
from casework.vault.crypto import KdfParams
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder

# Bumped whenever the generated data changes shape, so cached demo vaults are rebuilt.
DEMO_VERSION = 2
# The referral outcomes the demo draws from, in the order of their weights below.
DEMO_REFERRAL_STATUSES = [
    ReferralStatus.PENDING,
    ReferralStatus.ACCEPTED,
    ReferralStatus.DECLINED,
    ReferralStatus.COMPLETED,
]
DEMO_PASSWORD = "try the demo vault"  # noqa: S105 - a throwaway vault of synthetic data
DEMO_USERS = (
    ("admin", "Demo Administrator", frozenset({Role.ADMINISTRATOR})),
    ("caseworker", "Grace Otieno", frozenset({Role.CASEWORKER})),
    ("caseworker2", "Tomás Rivera", frozenset({Role.CASEWORKER})),
    ("supervisor", "Nadia Haddad", frozenset({Role.SUPERVISOR, Role.CASEWORKER})),
    ("dataofficer", "Samira Benali", frozenset({Role.DATA_OFFICER})),
)

# Given and family names from several world regions, so the caseload looks like a real one.
GIVEN = {
    "east-africa": ["Achieng", "Wanjiru", "Amani", "Baraka", "Neema", "Otieno", "Zawadi", "Imani"],
    "west-africa": ["Adaeze", "Kwame", "Fatou", "Chidi", "Aminata", "Kofi", "Ngozi", "Moussa"],
    "south-asia": ["Priya", "Arjun", "Sita", "Rahul", "Anjali", "Farhan", "Nasrin", "Deepak"],
    "south-east-asia": ["Mai", "Nguyen", "Siti", "Rizal", "Ploy", "Arun", "Linh", "Dewi"],
    "eastern-europe": ["Olena", "Dmytro", "Irina", "Andrei", "Maria", "Bogdan", "Elena", "Ion"],
    "latin-america": ["Lucía", "Mateo", "Valentina", "José", "Camila", "Diego", "Rosa", "Luis"],
}
FAMILY = {
    "east-africa": ["Odhiambo", "Mwangi", "Kamau", "Njoroge", "Mutua", "Wafula"],
    "west-africa": ["Okafor", "Mensah", "Diallo", "Traoré", "Adeyemi", "Boateng"],
    "south-asia": ["Sharma", "Khan", "Das", "Begum", "Patel", "Rahman"],
    "south-east-asia": ["Tran", "Santos", "Wijaya", "Pham", "Reyes", "Suksan"],
    "eastern-europe": ["Kovalenko", "Popescu", "Ivanova", "Shevchenko", "Rusu", "Petrov"],
    "latin-america": ["García", "Hernández", "López", "Martínez", "Rojas", "Castillo"],
}
CITIZENSHIP = {
    "east-africa": ["KE", "UG", "TZ", "ET"],
    "west-africa": ["NG", "GH", "SN", "ML"],
    "south-asia": ["IN", "BD", "NP", "PK"],
    "south-east-asia": ["VN", "PH", "ID", "TH"],
    "eastern-europe": ["UA", "RO", "MD", "BG"],
    "latin-america": ["MX", "CO", "VE", "HN"],
}
LANGUAGE = {
    "east-africa": "sw",
    "west-africa": "fr",
    "south-asia": "hi",
    "south-east-asia": "vi",
    "eastern-europe": "uk",
    "latin-america": "es",
}


@dataclass(frozen=True)
class DemoVault:
    vault: OpenVault
    admin: Actor  # who made it, signed in
    recovery_code: str


def create_demo_vault(
    folder: Path, cases: int, seed: int = 1, kdf: KdfParams | None = None
) -> DemoVault:
    """A new vault with the demo accounts (password ``DEMO_PASSWORD``) and ``cases`` survivors."""
    first = accounts.FirstAdministrator.checked(
        "Demo Shelter Network", "KE", "Nairobi", "admin", DEMO_PASSWORD, "Demo Administrator"
    )
    created = VaultFolder(folder).create(
        username=first.username,
        password=DEMO_PASSWORD,
        first_rows=first.write,
        kdf=kdf or KdfParams(),
    )
    vault = created.vault
    admin = accounts.signed_in(vault)
    user_ids = []
    for username, display, roles in DEMO_USERS[1:]:
        added = accounts.add_user(vault, admin, username, DEMO_PASSWORD, roles, display)
        if Role.CASEWORKER in roles:  # cases go to those who work them
            user_ids.append(added.user_id)
    fill(vault, admin, cases, seed, user_ids)
    fill_services(vault, admin, seed)
    with vault.transaction() as session:
        profiles.add_profile(
            session,
            admin,
            "National quarterly return",
            "KE-NRM",
            recipient="National Referral Mechanism (demo)",
            records_enabled=True,
        )
    return DemoVault(vault, admin, created.recovery_code)


NOTE_OPENINGS = [
    "Met at the shelter office.",
    "Phone call with the survivor.",
    "Home visit.",
    "Accompanied to the clinic.",
    "Meeting with the legal aid lawyer.",
    "Check-in by video call.",
    "Met at the drop-in centre.",
    "Group session at the community hall.",
]
NOTE_MIDDLES = [
    "She reported sleeping better and asked about language classes.",
    "He is worried about debts the recruiter claims he owes.",
    "Discussed options for safe accommodation after the shelter stay.",
    "Reviewed the documents needed for the residence permit application.",
    "Talked through the upcoming court hearing and what to expect.",
    "Mentioned contact from a former employer; safety plan reviewed.",
    "Asked for help finding vocational training in tailoring.",
    "Reported headaches; a medical appointment was arranged.",
    "Wants to contact family at home; discussed a safe way to do it.",
    "Job interview at a bakery went well; waiting for an answer.",
]
NOTE_CLOSINGS = [
    "Next contact in one week.",
    "Follow up on the referral.",
    "No immediate concerns.",
    "Supervisor informed.",
    "Will call again on Friday.",
    "Agreed on the next steps together.",
]
TASK_TITLES = [
    "Call to check in",
    "Book the medical appointment",
    "Collect the permit documents",
    "Prepare for the court hearing",
    "Follow up on the housing referral",
    "Renew the bus pass",
]
PARTNERS = ["Legal Aid Clinic", "City Health Centre", "Safe Homes Trust", "Labour Rights Office"]
PROVINCES = ["Nairobi", "Mombasa", "Kisumu", "Nakuru"]
# Roughly the mix of exploitation reported to IOM's global hub: mostly sexual exploitation or
# forced labour, some both, a few of the rarer kinds.
EXPLOITATION_MIX = [
    ["SexualExploitation"],
    ["ForcedLabour"],
    ["ForcedLabour", "SexualExploitation"],
    ["Servitude"],
    ["ForcedMarriage"],
    ["ForcedBegging"],
    ["ChildLabour", "ForcedBegging"],
    ["Other"],
]
EDUCATION_LEVELS = [
    "",
    "PrimaryEducation",
    "LowerSecondaryEducation",
    "UpperSecondaryEducation",
    "ShortCycleTertiaryEducation",
    "BachelorsOrEquivalentLevel",
]
INDUSTRIES = [
    "A_AgricultureForestryAndFishing",
    "C_Manufacturing",
    "F_Construction",
    "I_AccommodationAndFoodServiceActivities",
    "T_ActivitiesOfHouseholdsAsEmployers",
]
CONTROL = ["DebtBondage", "WithholdsDocuments", "PhysicalThreats", "FalsePromises", "TakesEarnings"]
RECRUITMENT = [
    "",
    "ThroughFriendsOrSocialEvents",
    "ThroughOnlineSocialNetworks",
    "ThroughAnOnlineAdvertisement",
    "AtWork",
    "ThroughFamilyOrFamilyEvents",
]


def fill(vault: OpenVault, admin: Actor, count: int, seed: int, caseworker_ids: list[str]) -> None:
    """Add ``count`` synthetic survivors with their cases, notes, tasks and consent records.
    The same seed gives the same data, ids included (relative to the day it runs)."""
    rng = random.Random(seed)
    today = SYSTEM.today()
    now = utcnow()
    actor_id = admin.user_id
    workers = caseworker_ids or [actor_id]

    def uid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    stamp = {"created_at": now, "updated_at": now, "created_by": actor_id, "updated_by": actor_id}
    batch = 2000
    for start in range(0, count, batch):
        rows: dict[str, list[dict[str, object]]] = {
            name: []
            for name in (
                "survivors",
                "cases",
                "changes",
                "assignments",
                "notes",
                "tasks",
                "consents",
            )
        }
        for index in range(start, min(count, start + batch)):
            region = rng.choice(list(GIVEN))
            gender = rng.choices(
                [
                    Gender.FEMININE,
                    Gender.MASCULINE,
                    Gender.TRANSGENDER_FEMININE,
                    Gender.NOT_SPECIFIED,
                ],
                weights=[62, 33, 2, 3],
            )[0]
            age = max(8, min(70, int(rng.gauss(27, 9))))
            known_birth = rng.random() < 0.7
            birth = today - timedelta(days=age * 365 + rng.randrange(365)) if known_birth else None
            intake = today - timedelta(days=rng.randrange(5 * 365))
            types = list(rng.choices(EXPLOITATION_MIX, weights=[48, 30, 8, 5, 3, 3, 2, 1])[0])
            survivor_id, case_id = uid(), uid()
            first, last = rng.choice(GIVEN[region]), rng.choice(FAMILY[region])
            rows["survivors"].append(
                {
                    "id": survivor_id,
                    **stamp,
                    "first_name": first,
                    "middle_name": "",
                    "last_name": last,
                    "aliases": [rng.choice(GIVEN[region])] if rng.random() < 0.15 else [],
                    "birth_date": birth,
                    "estimated_age": None if known_birth else age,
                    "gender": gender,
                    "citizenship": [rng.choice(CITIZENSHIP[region])],
                    "languages": [LANGUAGE[region]],
                    "phone": f"+254 7{rng.randrange(10**8):08d}" if rng.random() < 0.6 else "",
                    "email": "",
                    "safe_contact_note": "",
                    "trafficking_status": rng.choices(list(TraffickingStatus), weights=[45, 50, 5])[
                        0
                    ],
                    "exploitation_types": types,
                    "number_of_children": rng.choice([None, 0, 1, 2, 3, 4]),
                    "education_level": rng.choice(EDUCATION_LEVELS),
                    "forced_labour_industry": rng.choice(INDUSTRIES)
                    if "ForcedLabour" in types
                    else "",
                    "age_when_trafficked": max(6, age - rng.randrange(0, 4))
                    if rng.random() < 0.8
                    else None,
                    "methods_of_control": rng.sample(CONTROL, k=rng.randrange(0, 4)),
                    "recruitment_methods": [m for m in [rng.choice(RECRUITMENT)] if m],
                    "relationship_to_trafficker": rng.choice(
                        ["", "Familial", "Acquainted", "Unaquainted"]
                    ),
                }
            )
            status = rng.choices(list(CaseStatus), weights=[50, 25, 18, 7])[0]
            closed = status in (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED)
            worker = rng.choice(workers)
            note_days = sorted(
                intake + timedelta(days=rng.randrange(max(1, (today - intake).days + 1)))
                for _ in range(
                    rng.choices([1, 4, 8, 12, 16, 24], weights=[10, 15, 25, 25, 15, 10])[0]
                )
            )
            rows["cases"].append(
                {
                    "id": case_id,
                    **stamp,
                    "reference": f"DEMO-{index + 1:06d}",
                    "sort_name": sort_name(first, last),
                    "survivor_id": survivor_id,
                    "intake_date": intake,
                    "status": status,
                    "assigned_caseworker_id": worker,
                    "risk_level": rng.choices(list(RiskLevel), weights=[40, 45, 15])[0],
                    "province": rng.choice(PROVINCES),
                    "country_of_exploitation": rng.choice(["KE", "KE", "AE", "SA", "QA", "UG"]),
                    "immigration_notes": "",
                    "referring_organisation": "",
                    "incoming_referral_date": None,
                    "closure_reason": rng.choice(list(ClosureReason)) if closed else None,
                    "closed_date": (note_days[-1] if note_days else intake) if closed else None,
                    "follow_up_date": today + timedelta(days=rng.randrange(1, 60))
                    if status == CaseStatus.FOLLOW_UP
                    else None,
                    "last_contact_date": note_days[-1] if note_days else None,
                }
            )
            rows["changes"].append(
                {
                    "id": uid(),
                    **stamp,
                    "case_id": case_id,
                    "from_status": None,
                    "to_status": status,
                    "comment": "",
                }
            )
            rows["assignments"].append(
                {"id": uid(), **stamp, "case_id": case_id, "caseworker_id": worker}
            )
            for day in note_days:
                note_id = uid()
                rows["notes"].append(
                    {
                        "id": note_id,
                        **stamp,
                        "created_by": worker,
                        "updated_by": worker,
                        "case_id": case_id,
                        "thread_id": note_id,
                        "version": 1,
                        "is_current": True,
                        "noted_on": day,
                        "confidentiality": rng.choices(list(Confidentiality), weights=[90, 10])[0],
                        "body": " ".join(
                            (
                                rng.choice(NOTE_OPENINGS),
                                rng.choice(NOTE_MIDDLES),
                                rng.choice(NOTE_CLOSINGS),
                            )
                        ),
                    }
                )
            if not closed:
                for _ in range(rng.choices([0, 1, 2, 3], weights=[30, 35, 25, 10])[0]):
                    rows["tasks"].append(
                        {
                            "id": uid(),
                            **stamp,
                            "case_id": case_id,
                            "title": rng.choice(TASK_TITLES),
                            "due_on": today + timedelta(days=rng.randrange(-10, 30)),
                            "assignee_id": worker,
                            "status": TaskStatus.OPEN,
                            "source": TaskSource.MANUAL,
                            "source_key": None,
                            "completed_at": None,
                        }
                    )
            for kind, chance in (
                (ConsentKind.SERVICES, 0.9),
                (ConsentKind.AGGREGATE_REPORTING, 0.7),
                (ConsentKind.RECORD_SHARING, 0.4),
                (ConsentKind.RELEASE, 0.3),
            ):
                if rng.random() < chance:
                    release = kind == ConsentKind.RELEASE
                    given = intake + timedelta(days=rng.randrange(0, 30))
                    rows["consents"].append(
                        {
                            "id": uid(),
                            **stamp,
                            "survivor_id": survivor_id,
                            "kind": kind,
                            "partner_organisation": rng.choice(PARTNERS) if release else "",
                            "purpose": "Referral for services" if release else "",
                            "given_on": min(given, today),
                            "expires_on": min(given, today) + timedelta(days=90)
                            if release
                            else None,
                            "withdrawn_on": None,
                            "withdrawal_note": "",
                        }
                    )
        with vault.transaction() as session:
            for model, key in (
                (Survivor, "survivors"),
                (Case, "cases"),
                (StatusChange, "changes"),
                (Assignment, "assignments"),
                (CaseNote, "notes"),
                (Task, "tasks"),
                (ConsentRecord, "consents"),
            ):
                if rows[key]:
                    session.execute(insert(model), rows[key])
            survivors = {str(r["id"]): r for r in rows["survivors"]}
            people_index.index_cases(
                session,
                [
                    {
                        **survivors[str(c["survivor_id"])],
                        "case_id": c["id"],
                        "reference": c["reference"],
                    }
                    for c in rows["cases"]
                ],
            )
            if rows["notes"]:
                session.execute(
                    text("INSERT INTO notes_fts(rowid, body, note_id) VALUES (:rowid, :body, :id)"),
                    [
                        {"rowid": fts_rowid(str(n["id"])), "body": n["body"], "id": n["id"]}
                        for n in rows["notes"]
                    ],
                )
            # The trail the same work would have left in the app, so the chain has its real length.
            audit.record_many(
                session,
                [
                    (actor_id, action, entity, str(c[column]), "")
                    for c in rows["cases"]
                    for action, entity, column in (
                        ("survivor.create", "survivor", "survivor_id"),
                        ("case.create", "case", "id"),
                    )
                ]
                + [
                    (str(n["created_by"]), "note.add", "note", str(n["id"]), "")
                    for n in rows["notes"]
                ],
            )
    with vault.transaction() as session:
        audit.record(session, actor_id, "demo.fill", "organisation", actor_id)


PARTNER_DIRECTORY = (
    ("Legal Aid Clinic", OrganisationType.LEGAL, (ServiceCategory.LEGAL,)),
    (
        "City Health Centre",
        OrganisationType.HEALTH,
        (ServiceCategory.MEDICAL, ServiceCategory.MENTAL_HEALTH),
    ),
    ("Safe Homes Trust", OrganisationType.NGO, (ServiceCategory.HOUSING,)),
    ("Labour Rights Office", OrganisationType.LOCAL_GOVERNMENT, (ServiceCategory.EMPLOYMENT,)),
)
COURTS = ("Milimani Law Courts", "Mombasa Law Courts", "Kisumu High Court")


def fill_services(vault: OpenVault, admin: Actor, seed: int) -> None:
    """Shelter stays, counseling sessions, legal matters with hearings and referrals (with the
    releases they need) for the demo cases, at the volumes of a busy organisation: on average
    per survivor one or two stays, ten counseling sessions, a legal matter with a few hearings
    and three referrals. Beds scale with the caseload, and no bed is ever double-booked."""
    rng = random.Random(seed * 7919)
    today = SYSTEM.today()
    now = utcnow()
    with vault.transaction() as session:
        total_cases = session.execute(select(func.count()).select_from(Case)).scalar_one()
        shelter.add_facility(session, admin, "Harbour House", {"Rose": 6, "Palm": 6, "Cedar": 8})
        wings = max(2, (total_cases // 25 - 20 + 9) // 10)
        shelter.add_facility(
            session, admin, "Hillside Refuge", {f"Wing {i + 1:02d}": 10 for i in range(wings)}
        )
        partner_ids = {
            name: referrals.add_partner(session, admin, name, kind, categories).partner_id
            for name, kind, categories in PARTNER_DIRECTORY
        }
        beds = list(session.execute(select(Bed.id).order_by(Bed.label)).scalars())
        rows = session.execute(
            select(
                Case.id,
                Case.survivor_id,
                Case.intake_date,
                Case.status,
                Case.assigned_caseworker_id,
            ).order_by(Case.intake_date, Case.reference)
        ).all()

    def uid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    stamp = {
        "created_at": now,
        "updated_at": now,
        "created_by": admin.user_id,
        "updated_by": admin.user_id,
    }
    free_from = {bed: date.min for bed in beds}
    batch: dict[type, list[dict[str, object]]] = {}
    open_statuses = (CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP)

    def add(model: type, **values: object) -> None:
        batch.setdefault(model, []).append({"id": uid(), **stamp, **values})

    def flush() -> None:
        with vault.transaction() as session:
            for model in (Stay, CounselingSession, LegalMatter, Hearing, ConsentRecord, Referral):
                if batch.get(model):
                    session.execute(insert(model), batch[model])
        batch.clear()

    for number, (case_id, survivor_id, intake, status, worker) in enumerate(rows, start=1):
        if number % 2000 == 0:
            flush()
        span = max(1, (today - intake).days)
        start = intake + timedelta(days=rng.randrange(min(span, 30)))
        for _ in range(rng.choices([0, 1, 2], weights=[20, 55, 25])[0] if beds else 0):
            if start >= today:
                break
            bed = next(
                (b for b in (rng.choice(beds) for _ in range(4)) if free_from[b] <= start), None
            )
            if bed is None:
                break
            end = start + timedelta(days=rng.randrange(7, 120))
            ongoing = end >= today and status in open_statuses
            add(
                Stay,
                case_id=case_id,
                bed_id=bed,
                admitted_on=start,
                discharged_on=None if ongoing else min(end, today),
                discharge_reason=None if ongoing else rng.choice(list(DischargeReason)),
                note="",
            )
            free_from[bed] = date.max if ongoing else min(end, today)
            if ongoing:
                break
            start = min(end, today) + timedelta(days=rng.randrange(1, 200))
        for _ in range(rng.choices([0, 4, 8, 12, 16, 20], weights=[10, 15, 25, 25, 15, 10])[0]):
            add(
                CounselingSession,
                case_id=case_id,
                counselor_id=worker,
                held_on=intake + timedelta(days=rng.randrange(span)),
                duration_minutes=rng.choice([30, 45, 50, 60, 90]),
                kind=rng.choices(list(SessionKind), weights=[70, 15, 10, 5])[0],
                modality=rng.choices(list(Modality), weights=[70, 20, 10])[0],
                attendance=rng.choices(list(Attendance), weights=[85, 10, 5])[0],
                notes=rng.choice(NOTE_MIDDLES),
            )
        for _ in range(rng.choices([0, 1, 2], weights=[15, 70, 15])[0]):
            matter_id = uid()
            batch.setdefault(LegalMatter, []).append(
                {
                    "id": matter_id,
                    **stamp,
                    "case_id": case_id,
                    "kind": rng.choice(list(LegalMatterKind)),
                    "lawyer": "Legal Aid Clinic",
                    "status": LegalStatus.OPEN if status in open_statuses else LegalStatus.CLOSED,
                    "outcome": "" if status in open_statuses else "Concluded",
                }
            )
            for _ in range(rng.randrange(1, 5)):
                day = intake + timedelta(days=rng.randrange(span))
                add(
                    Hearing,
                    matter_id=matter_id,
                    place=rng.choice(COURTS),
                    purpose="Hearing",
                    starts_at=datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC),
                )
            if status in open_statuses and rng.random() < 0.3:
                day = today + timedelta(days=rng.randrange(1, 60))
                add(
                    Hearing,
                    matter_id=matter_id,
                    place=rng.choice(COURTS),
                    purpose="Next hearing",
                    starts_at=datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC),
                )
        for _ in range(rng.choices([1, 2, 3, 4, 5], weights=[20, 20, 25, 20, 15])[0]):
            name, _kind, categories = rng.choice(PARTNER_DIRECTORY)
            referred = intake + timedelta(days=rng.randrange(span))
            consent_id = uid()
            batch.setdefault(ConsentRecord, []).append(
                {
                    "id": consent_id,
                    **stamp,
                    "survivor_id": survivor_id,
                    "kind": ConsentKind.RELEASE,
                    "partner_organisation": name,
                    "purpose": "Referral for services",
                    "given_on": referred,
                    "expires_on": referred + timedelta(days=90),
                    "withdrawn_on": None,
                    "withdrawal_note": "",
                    "release_fields": [ReleaseField.IDENTITY.value],
                }
            )
            settled = (today - referred).days > 30
            add(
                Referral,
                case_id=case_id,
                partner_id=partner_ids[name],
                category=rng.choice(categories),
                reason="",
                referred_on=referred,
                status=rng.choices(DEMO_REFERRAL_STATUSES, weights=[10, 30, 15, 45])[0]
                if settled
                else ReferralStatus.PENDING,
                follow_up_on=None if settled else referred + timedelta(days=14),
                consent_id=consent_id,
                declined_reason="",
                outcome_note="",
            )
    flush()
    with vault.transaction() as session:
        audit.record(session, admin.user_id, "demo.services", "organisation", admin.user_id)
