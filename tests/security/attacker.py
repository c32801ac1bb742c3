"""What an attacker does to a vault folder, written from the open source and the files alone:
no password of anyone else, no key the files do not give. Every function edits files, as
malware with write access to the folder (or a caseworker with her own password) would."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

from casework import cli
from casework.vault import crypto
from casework.vault.crypto import b64, unb64

ATTACKER_PASSWORD = "attacker owns this password now"


def run_cli(args: list[str], stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    code = cli.main(args, stdin=io.StringIO(stdin), stdout=out)
    return code, out.getvalue()


def read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data))


def slot_id(keyring: dict[str, Any], username: str) -> str:
    return crypto.slot_id_for(unb64(keyring["user_salt"]), username)


def aad(keyring: dict[str, Any], slot: str, part: str) -> bytes:
    return f"safehold/keyring/v1/{keyring['keyring_id']}/{slot}/{part}".encode()


class OwnSlot:
    """A slot the attacker made with a key pair and password of their own."""

    def __init__(self) -> None:
        self.private, self.public = crypto.new_key_pair()
        self.salt = os.urandom(crypto.SALT_BYTES)
        self.params = crypto.KdfParams()

    def as_json(self, keyring: dict[str, Any], slot: str) -> dict[str, Any]:
        kek = crypto.derive_kek(ATTACKER_PASSWORD, self.salt, self.params)
        return {
            "kind": "user",
            "kdf": {"alg": "argon2id", **self.params.to_json(), "salt": b64(self.salt)},
            "public_key": b64(self.public),
            "private_key": crypto.aead_encrypt(kek, self.private, aad(keyring, slot, "private")),
            # Anything sealed: what matters is what the next rekey seals here.
            "secrets": crypto.seal(self.public, b"{}", aad(keyring, slot, "secrets")),
            "audit": True,
            "backup": True,
        }

    def read(self, keyring: dict[str, Any], slot: str) -> dict[str, Any] | None:
        """What the vault sealed to this slot since, if it is still there and is ours."""
        found = keyring["slots"].get(slot)
        if found is None or found["public_key"] != b64(self.public):
            return None
        try:
            sealed = crypto.unseal(self.private, found["secrets"], aad(keyring, slot, "secrets"))
        except crypto.CryptoError:
            return None
        return json.loads(sealed)  # type: ignore[no-any-return]


def plant_slot(keyring_path: Path, at: str | None = None) -> tuple[OwnSlot, str]:
    """Add (or, ``at`` a user's slot id, replace) a slot with both grants."""
    keyring = read_json(keyring_path)
    own = OwnSlot()
    slot = at or os.urandom(32).hex()
    keyring["slots"][slot] = own.as_json(keyring, slot)
    write_json(keyring_path, keyring)
    return own, slot


def open_own_slot(keyring: dict[str, Any], username: str, password: str) -> dict[str, Any]:
    """A user opening her own slot by hand (her password, the published format)."""
    slot = slot_id(keyring, username)
    found = keyring["slots"][slot]
    kdf = found["kdf"]
    kek = crypto.derive_kek(password, unb64(kdf["salt"]), crypto.KdfParams.from_json(kdf))
    box = crypto.aead_decrypt(kek, found["private_key"], aad(keyring, slot, "private"))
    private = box[3:35] if box.startswith(b"SH2") else box
    sealed = crypto.unseal(private, found["secrets"], aad(keyring, slot, "secrets"))
    return json.loads(sealed)  # type: ignore[no-any-return]


def unseal_backup_key(manifest: dict[str, Any], backup_private_hex: str) -> bytes | None:
    """The backup's file key, if this backup private key opens it."""
    try:
        return crypto.unseal(
            bytes.fromhex(backup_private_hex),
            manifest["key"],
            f"safehold/backup/v1/{manifest['keyring_id']}/{manifest['file']}".encode(),
        )
    except crypto.CryptoError:
        return None


def open_database(database: Path, key_hex: str) -> Any:
    """The database opened with a key the attacker holds, with sqlcipher3 as anyone would."""
    import sqlcipher3

    connection = sqlcipher3.connect(str(database), isolation_level=None)
    connection.execute(f"PRAGMA key = \"x'{key_hex}'\"")
    connection.execute("SELECT count(*) FROM sqlite_master").fetchall()
    return connection
