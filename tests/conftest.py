"""Fixtures shared by every kind of test: a real encrypted vault in a temporary folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from casework.model.vocab import Role
from casework.services import accounts
from casework.vault import crypto
from casework.vault.crypto import KdfParams
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.factories import actor_of, create_vault
from tests.kdf_floor import PRODUCTION_KDF_FLOOR, TEST_KDF_FLOOR, use_test_kdf_floor

# The tests' Argon2 floor, lowered in this process only (see tests/kdf_floor.py).
use_test_kdf_floor()
FAST_KDF = KdfParams(*TEST_KDF_FLOOR)
PRODUCTION_KDF = KdfParams(*PRODUCTION_KDF_FLOOR)


@pytest.fixture
def production_kdf_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    """security.md's floor, as the app has it, for a test of the floor itself."""
    monkeypatch.setattr(crypto, "MIN_TIME_COST", PRODUCTION_KDF_FLOOR[0])
    monkeypatch.setattr(crypto, "MIN_MEMORY_KIB", PRODUCTION_KDF_FLOOR[1])


ADMIN_PASSWORD = "lantern harbour copper meadow"
WORKER_PASSWORD = "purple tangerine mountain river"
SUPERVISOR_PASSWORD = "seven quiet lanterns glowing"


@pytest.fixture(autouse=True)
def _private_tempdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep anything a test writes to the temp folder inside its own folder, where the leak
    tests can scan it."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    from ui import layout_memory

    layout_memory.use_folder(tmp_path / "config")  # the window's layout: the test's own


@pytest.fixture
def vault_folder(tmp_path: Path) -> VaultFolder:
    return VaultFolder(tmp_path / "vault")


@pytest.fixture
def admin_vault(vault_folder: VaultFolder) -> Iterator[OpenVault]:
    created = create_vault(
        vault_folder,
        org_name="Harbour Light",
        country="KE",
        province="Mombasa",
        admin_username="admin",
        admin_password=ADMIN_PASSWORD,
        kdf=FAST_KDF,
    )
    yield created.vault
    created.vault.lock()


@pytest.fixture
def staffed_vault(admin_vault: OpenVault) -> OpenVault:
    """A vault with two caseworkers and a supervisor."""
    accounts.add_user(
        admin_vault,
        actor_of(admin_vault),
        "amina",
        WORKER_PASSWORD,
        frozenset({Role.CASEWORKER}),
        "Amina K.",
    )
    accounts.add_user(
        admin_vault,
        actor_of(admin_vault),
        "bruno",
        WORKER_PASSWORD,
        frozenset({Role.CASEWORKER}),
        "Bruno L.",
    )
    accounts.add_user(
        admin_vault,
        actor_of(admin_vault),
        "sara",
        SUPERVISOR_PASSWORD,
        frozenset({Role.SUPERVISOR}),
        "Sara M.",
    )
    return admin_vault


@pytest.fixture
def today() -> date:
    return date(2026, 11, 23)


def pytest_configure() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
