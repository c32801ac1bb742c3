"""Reporting profiles: their floors, who manages them, and the organisation's secret."""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

import pytest
from sqlalchemy import select

from casework.errors import PermissionDenied, ValidationError
from casework.model import Organisation
from casework.model.vocab import Role
from casework.reporting import profiles
from casework.services import accounts
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import WORKER_PASSWORD
from tests.factories import actor_of, create_vault, unlock


class Limits(TypedDict, total=False):
    """What ``profiles.add_profile`` takes as a profile's limits."""

    threshold: int
    rounding_base: int
    k: int
    l_diversity: int


def test_the_floors_of_docs_reporting_are_enforced(staffed_vault: OpenVault) -> None:
    admin = staffed_vault
    with admin.transaction() as session:
        profile = profiles.add_profile(
            session, actor_of(admin), "National quarterly return", "KE-NRM"
        )
        assert (profile.threshold, profile.rounding_base, profile.k, profile.l_diversity) == (
            10,
            5,
            11,
            2,
        )
        wrongs: list[tuple[Limits, str]] = [
            ({"threshold": 4}, "threshold"),
            ({"k": 4}, "k"),
            ({"rounding_base": 0}, "rounding"),
            ({"l_diversity": 12}, "l"),
        ]
        for wrong, field in wrongs:
            with pytest.raises(ValidationError) as refused:
                profiles.add_profile(session, actor_of(admin), f"Other {field}", "HUB", **wrong)
            assert refused.value.field == field
        with pytest.raises(ValidationError):
            profiles.add_profile(session, actor_of(admin), "national QUARTERLY return", "X")
        with pytest.raises(ValidationError):
            profiles.add_profile(session, actor_of(admin), "Bad hub", "no spaces allowed")
        assert [p.name for p in profiles.list_profiles(session, actor_of(admin))] == [
            "National quarterly return"
        ]


def test_data_officers_manage_profiles_and_caseworkers_do_not(
    staffed_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    accounts.add_user(
        staffed_vault,
        actor_of(staffed_vault),
        "dora",
        "orchid basalt ferry lamp",
        frozenset({Role.DATA_OFFICER}),
    )
    dora = unlock(vault_folder, "dora", "orchid basalt ferry lamp")
    with dora.transaction() as session:
        profiles.add_profile(
            session, actor_of(dora), "Funder", "FUND-1", records_enabled=True, k=15, l_diversity=3
        )
    dora.lock()
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    with pytest.raises(PermissionDenied), amina.transaction() as session:
        profiles.list_profiles(session, actor_of(amina))
    amina.lock()


def test_every_vault_has_its_own_reporting_secret(staffed_vault: OpenVault, tmp_path: Path) -> None:
    from tests.conftest import ADMIN_PASSWORD, FAST_KDF

    other = create_vault(
        VaultFolder(tmp_path / "other"),
        org_name="Other",
        country="UG",
        province="",
        admin_username="admin",
        admin_password=ADMIN_PASSWORD,
        kdf=FAST_KDF,
    ).vault
    secrets = []
    for vault in (staffed_vault, other):
        with vault.session() as session:
            secrets.append(session.execute(select(Organisation.reporting_secret)).scalar_one())
    other.lock()
    assert len(secrets[0]) == 32 and secrets[0] != secrets[1]
