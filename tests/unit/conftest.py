"""Fixtures for the unit tests of reporting."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from casework.model.vocab import Role
from casework.reporting import profiles
from casework.services import accounts
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.factories import actor_of, unlock

OFFICER_PASSWORD = "orchid basalt ferry lamp"


@pytest.fixture
def officer(staffed_vault: OpenVault, vault_folder: VaultFolder) -> Iterator[OpenVault]:
    """A data officer, signed in, with the profile "National" (records allowed, k=5, l=2)."""
    accounts.add_user(
        staffed_vault,
        actor_of(staffed_vault),
        "dora",
        OFFICER_PASSWORD,
        frozenset({Role.DATA_OFFICER}),
    )
    dora = unlock(vault_folder, "dora", OFFICER_PASSWORD)
    with dora.transaction() as session:
        profiles.add_profile(
            session, actor_of(dora), "National", "KE-NRM", records_enabled=True, k=5
        )
    yield dora
    dora.lock()
