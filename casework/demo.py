"""Synthetic, seeded demo data: no real person is in it, and the same seed gives the same vault."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert

from casework.model import Case, Survivor
from casework.model.base import new_id, utcnow
from casework.model.vocab import CaseStatus, Exploitation, Gender, Role, TraffickingStatus
from casework.services import accounts, audit
from casework.vault.crypto import KdfParams
from casework.vault.vault import OpenVault, VaultFolder

DEMO_PASSWORD = "try the demo vault"  # noqa: S105 - a throwaway vault of synthetic data
DEMO_USERS = (
    ("admin", "Demo Administrator", frozenset({Role.ADMINISTRATOR})),
    ("caseworker", "Grace Otieno", frozenset({Role.CASEWORKER})),
    ("caseworker2", "Tomás Rivera", frozenset({Role.CASEWORKER})),
    ("supervisor", "Nadia Haddad", frozenset({Role.SUPERVISOR, Role.CASEWORKER})),
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
    recovery_code: str


def create_demo_vault(
    folder: Path, cases: int, seed: int = 1, kdf: KdfParams | None = None
) -> DemoVault:
    """A new vault with the demo accounts (password ``DEMO_PASSWORD``) and ``cases`` survivors."""
    created = VaultFolder(folder).create(
        org_name="Demo Shelter Network",
        country="KE",
        province="Nairobi",
        admin_username="admin",
        admin_password=DEMO_PASSWORD,
        admin_display_name="Demo Administrator",
        kdf=kdf or KdfParams(),
    )
    vault = created.vault
    user_ids = []
    for username, display, roles in DEMO_USERS[1:]:
        user_ids.append(accounts.add_user(vault, username, DEMO_PASSWORD, roles, display).user_id)
    fill(vault, cases, seed, user_ids)
    return DemoVault(vault, created.recovery_code)


def fill(vault: OpenVault, count: int, seed: int, caseworker_ids: list[str]) -> None:
    rng = random.Random(seed)
    today = date.today()
    now = utcnow()
    actor_id = vault.actor.user_id
    batch = 5000
    for start in range(0, count, batch):
        survivors, case_rows = [], []
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
            exploitation = rng.sample(
                [e.value for e in Exploitation], k=rng.choices([1, 2], weights=[80, 20])[0]
            )
            survivor_id = new_id()
            survivors.append(
                {
                    "id": survivor_id,
                    "created_at": now,
                    "updated_at": now,
                    "created_by": actor_id,
                    "updated_by": actor_id,
                    "first_name": rng.choice(GIVEN[region]),
                    "middle_name": "",
                    "last_name": rng.choice(FAMILY[region]),
                    "aliases": [],
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
                    "exploitation_types": exploitation,
                }
            )
            case_rows.append(
                {
                    "id": new_id(),
                    "created_at": now,
                    "updated_at": now,
                    "created_by": actor_id,
                    "updated_by": actor_id,
                    "reference": f"DEMO-{index + 1:06d}",
                    "survivor_id": survivor_id,
                    "intake_date": intake,
                    "status": rng.choices(list(CaseStatus), weights=[50, 25, 18, 7])[0],
                    "assigned_caseworker_id": rng.choice(caseworker_ids)
                    if caseworker_ids
                    else actor_id,
                }
            )
        with vault.transaction() as session:
            session.execute(insert(Survivor), survivors)
            session.execute(insert(Case), case_rows)
    with vault.transaction() as session:
        audit.record(session, actor_id, "demo.fill", "organisation", actor_id)
