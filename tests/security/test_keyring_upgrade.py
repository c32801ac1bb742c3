"""A keyring of format 1 (Safehold before the authenticated keyring) keeps working and becomes
format 2 at an administrator's first sign-in, keeping only the slots of real accounts."""

from __future__ import annotations

import json

from casework.model.vocab import Role
from casework.services import accounts
from casework.vault import crypto
from casework.vault.crypto import b64, unb64
from casework.vault.keyring import Keyring
from casework.vault.vault import NewVault, VaultFolder
from tests.conftest import ADMIN_PASSWORD, FAST_KDF, SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import actor_of, create_vault, unlock
from tests.security.attacker import aad, plant_slot, read_json, slot_id, write_json


def as_format_1(folder: VaultFolder, passwords: dict[str, str]) -> None:
    """Rewrite keyring.json as format 1 wrote it: no MACs, no anchors, the backup public key in
    the file, secrets without the keyring key."""
    data = read_json(folder.keyring_path)
    keyring = Keyring.from_dict(data)
    backup_public = ""
    for name, password in passwords.items():
        slot = keyring.recovery_slot_id() if name == "\x00recovery" else slot_id(data, name)
        opened = keyring.open_slot(slot, password)
        secrets = opened.secrets
        backup_public = b64(secrets.backup_public_key)
        old = {
            "database_key": secrets.database_key.hex(),
            "audit_root_key": secrets.audit_root_key.hex() if secrets.audit_root_key else None,
            "backup_private_key": (
                secrets.backup_private_key.hex() if secrets.backup_private_key else None
            ),
        }
        found = data["slots"][slot]
        found["private_key"] = crypto.aead_encrypt(
            opened.kek, opened.private_key, aad(data, slot, "private")
        )
        found["secrets"] = crypto.seal(
            unb64(found["public_key"]), json.dumps(old).encode(), aad(data, slot, "secrets")
        )
        found.pop("mac", None)
    data.update(format=1, backup_public_key=backup_public)
    for name in ("epoch", "mac"):
        data.pop(name)
    write_json(folder.keyring_path, data)


def new_vault(folder: VaultFolder) -> NewVault:
    return create_vault(
        folder,
        org_name="Harbour Light",
        country="KE",
        province="Mombasa",
        admin_username="admin",
        admin_password=ADMIN_PASSWORD,
        kdf=FAST_KDF,
    )


def test_a_format_1_keyring_is_upgraded_at_an_administrators_sign_in(
    vault_folder: VaultFolder,
) -> None:
    created = new_vault(vault_folder)
    admin = created.vault
    accounts.add_user(
        admin, actor_of(admin), "amina", WORKER_PASSWORD, frozenset({Role.CASEWORKER})
    )
    accounts.add_user(
        admin, actor_of(admin), "sara", SUPERVISOR_PASSWORD, frozenset({Role.SUPERVISOR})
    )
    admin.lock()
    as_format_1(
        vault_folder,
        {
            "admin": ADMIN_PASSWORD,
            "amina": WORKER_PASSWORD,
            "sara": SUPERVISOR_PASSWORD,
            "\x00recovery": crypto.normalise_recovery_code(created.recovery_code),
        },
    )
    _own, planted = plant_slot(vault_folder.keyring_path)  # before the upgrade: not an account

    worker = unlock(vault_folder, "amina", WORKER_PASSWORD)  # a caseworker: still format 1
    worker.backup("manual")
    worker.lock()
    assert read_json(vault_folder.keyring_path)["format"] == 1

    unlock(vault_folder, "admin", ADMIN_PASSWORD).lock()
    data = read_json(vault_folder.keyring_path)
    assert data["format"] == 2 and planted not in data["slots"]
    upgraded = Keyring.from_dict(data)
    for name, password in (("amina", WORKER_PASSWORD), ("sara", SUPERVISOR_PASSWORD)):
        unlock(vault_folder, name, password).lock()
    admin = unlock(vault_folder, "admin", ADMIN_PASSWORD)
    assert admin.secrets.keyring_key is not None
    assert upgraded.authenticate(admin.secrets.keyring_key) == []
    admin.lock()
    accounts.reset_password_with_recovery_code(
        vault_folder, created.recovery_code, "amina", "a brand new caseworker passphrase"
    )
    unlock(vault_folder, "amina", "a brand new caseworker passphrase").lock()


def test_the_recovery_code_upgrades_a_format_1_keyring_too(vault_folder: VaultFolder) -> None:
    created = new_vault(vault_folder)
    created.vault.lock()
    as_format_1(
        vault_folder,
        {
            "admin": ADMIN_PASSWORD,
            "\x00recovery": crypto.normalise_recovery_code(created.recovery_code),
        },
    )
    new_password = "forgotten then found again"
    accounts.reset_password_with_recovery_code(
        vault_folder, created.recovery_code, "admin", new_password
    )
    assert read_json(vault_folder.keyring_path)["format"] == 2
    unlock(vault_folder, "admin", new_password).lock()
