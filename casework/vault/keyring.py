"""``keyring.json``: one slot per user, and one for the recovery code.

The file names nobody (slots are addressed by a salted hash of the user name) and holds nothing
in clear but public keys, salts and Argon2 costs. It is replaced atomically on every change.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from casework.errors import VaultDamaged
from casework.vault import crypto
from casework.vault.crypto import CryptoError, KdfParams, b64, unb64
from casework.vault.files import write_private_file

FORMAT = 1
KEYRING_LIMIT = 10_000_000  # bytes; a keyring of a thousand slots is about 1.5 MB
RECOVERY_NAME = "\x00recovery"

SlotKind = Literal["user", "recovery"]


@dataclass(frozen=True)
class VaultSecrets:
    """What a slot unlocks.

    - ``database_key``: every slot.
    - ``audit_root_key`` (K_0): supervisors, administrators and the recovery code, so that a
      caseworker holding only the database key cannot rewrite audit history.
    - ``backup_private_key``: administrators and the recovery code, who restore backups.
    """

    database_key: bytes
    audit_root_key: bytes | None = None
    backup_private_key: bytes | None = None

    def to_bytes(self) -> bytes:
        return json.dumps(
            {
                "database_key": self.database_key.hex(),
                "audit_root_key": self.audit_root_key.hex() if self.audit_root_key else None,
                "backup_private_key": (
                    self.backup_private_key.hex() if self.backup_private_key else None
                ),
            }
        ).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> VaultSecrets:
        parsed = json.loads(data)

        def optional(name: str) -> bytes | None:
            value = parsed.get(name)
            return bytes.fromhex(value) if value else None

        return cls(
            bytes.fromhex(parsed["database_key"]),
            optional("audit_root_key"),
            optional("backup_private_key"),
        )

    def restricted(self, *, audit: bool, backup: bool) -> VaultSecrets:
        """The subset a slot with these grants may hold."""
        return VaultSecrets(
            self.database_key,
            self.audit_root_key if audit else None,
            self.backup_private_key if backup else None,
        )


class KeyringError(VaultDamaged):
    """keyring.json (or the keyring a backup's manifest carries) is unreadable, malformed or
    not ours. ``reason`` says what, for the log; it names no one (slots are hashes)."""

    code = "keyring-damaged"
    default_message = (
        "The vault's keyring.json is damaged, so no one can sign in with it; it has been left "
        "as it is, so restore the vault from a backup (“Restore from the latest backup…” on "
        "the sign-in screen, or safehold-admin restore)."
    )

    def __init__(self, reason: str = "", message: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason


SLOT_KINDS = ("user", "recovery")
PUBLIC_KEY_BYTES = 32


def _check(condition: bool, reason: str) -> None:
    if not condition:
        raise KeyringError(reason)


def _check_box(box: object, where: str, *, sealed: bool) -> None:
    """An AES-GCM box as stored: base64 nonce and ciphertext (and, sealed, the ephemeral
    public key)."""
    _check(isinstance(box, dict), f"{where} is not an object")
    assert isinstance(box, dict)
    try:
        crypto.unb64_exact(box.get("nonce"), crypto.NONCE_BYTES)
        crypto.unb64_exact(box.get("ct"))
        if sealed:
            crypto.unb64_exact(box.get("epk"), PUBLIC_KEY_BYTES)
    except ValueError as exc:
        raise KeyringError(f"{where}: {exc}") from None


def _check_params(data: object, where: str) -> KdfParams:
    try:
        return KdfParams.from_json(data)
    except ValueError as exc:
        raise KeyringError(f"{where}: {exc}") from None


def validate(data: object) -> dict[str, Any]:
    """The whole structure of a keyring, checked before any of it is used: every value of the
    type and size it must be, Argon2 costs between the floor and the ceiling (so a planted
    keyring cannot make sign-in allocate 4 TiB). Raises KeyringError naming what is wrong."""
    _check(isinstance(data, dict), "not an object")
    assert isinstance(data, dict)
    _check(data.get("format") == FORMAT, "format unknown")
    keyring_id = data.get("keyring_id")
    _check(isinstance(keyring_id, str) and 0 < len(keyring_id) <= 100, "keyring_id malformed")
    for name, length in (("user_salt", crypto.SALT_BYTES), ("backup_public_key", 32)):
        try:
            crypto.unb64_exact(data.get(name), length)
        except ValueError as exc:
            raise KeyringError(f"{name}: {exc}") from None
    _check_params(data.get("kdf_default"), "kdf_default")
    slots = data.get("slots")
    _check(isinstance(slots, dict), "slots is not an object")
    assert isinstance(slots, dict)
    for slot_id, slot in slots.items():
        where = f"slot {str(slot_id)[:12]}"
        _check(
            isinstance(slot_id, str)
            and len(slot_id) == 64
            and all(c in "0123456789abcdef" for c in slot_id),
            f"{where}: id malformed",
        )
        _check(isinstance(slot, dict), f"{where} is not an object")
        _check(slot.get("kind") in SLOT_KINDS, f"{where}: kind unknown")
        kdf = slot.get("kdf")
        _check(isinstance(kdf, dict) and kdf.get("alg") == "argon2id", f"{where}: kdf unknown")
        _check_params(kdf, f"{where} kdf")
        try:
            crypto.unb64_exact(kdf.get("salt"), crypto.SALT_BYTES)
            crypto.unb64_exact(slot.get("public_key"), PUBLIC_KEY_BYTES)
        except ValueError as exc:
            raise KeyringError(f"{where}: {exc}") from None
        _check_box(slot.get("private_key"), f"{where} private_key", sealed=False)
        _check_box(slot.get("secrets"), f"{where} secrets", sealed=True)
        for grant in ("audit", "backup"):
            _check(isinstance(slot.get(grant), bool), f"{where}: {grant} is not true or false")
    return data


class Keyring:
    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    @classmethod
    def new(cls, default_params: KdfParams, backup_public_key: bytes) -> Keyring:
        return cls(
            {
                "format": FORMAT,
                "keyring_id": str(uuid.uuid4()),
                "user_salt": b64(os.urandom(crypto.SALT_BYTES)),
                "kdf_default": default_params.to_json(),
                "backup_public_key": b64(backup_public_key),
                "slots": {},
            }
        )

    @property
    def default_params(self) -> KdfParams:
        """The Argon2 costs calibrated when the vault was created, for new slots."""
        return KdfParams.from_json(self._data["kdf_default"])

    @property
    def backup_public_key(self) -> bytes:
        return unb64(self._data["backup_public_key"])

    @classmethod
    def load(cls, path: Path) -> Keyring:
        try:
            if path.stat().st_size > KEYRING_LIMIT:
                raise KeyringError("keyring too large")
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as exc:  # UnicodeDecodeError included
            raise KeyringError("keyring unreadable") from exc
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: object) -> Keyring:
        """A keyring from its JSON form (as saved, or as carried in a backup's manifest),
        its whole structure checked (``validate``); KeyringError if anything is wrong."""
        return cls(validate(data))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: sealed slots and public values only, nothing readable without a
        password or the recovery code."""
        return json.loads(json.dumps(self._data))  # type: ignore[no-any-return]

    def save(self, path: Path) -> None:
        write_private_file(path, json.dumps(self._data, indent=1, sort_keys=True).encode("utf-8"))

    @property
    def keyring_id(self) -> str:
        return str(self._data["keyring_id"])

    def slot_id(self, username: str) -> str:
        return crypto.slot_id_for(unb64(self._data["user_salt"]), username)

    def recovery_slot_id(self) -> str:
        return self.slot_id(RECOVERY_NAME)

    def has_slot(self, slot_id: str) -> bool:
        return slot_id in self._data["slots"]

    def slot_ids(self) -> list[str]:
        return sorted(self._data["slots"])

    def slot_grants(self, slot_id: str) -> tuple[bool, bool]:
        """Whether a slot holds (the audit root key, the backup private key)."""
        slot = self._data["slots"][slot_id]
        return bool(slot.get("audit")), bool(slot.get("backup"))

    def slot_kind(self, slot_id: str) -> str:
        return str(self._data["slots"][slot_id]["kind"])

    def _aad(self, slot_id: str, part: str) -> bytes:
        return f"safehold/keyring/v{FORMAT}/{self.keyring_id}/{slot_id}/{part}".encode()

    def set_slot(
        self,
        slot_id: str,
        kind: SlotKind,
        password: str,
        params: KdfParams,
        secrets: VaultSecrets,
    ) -> None:
        """Create or replace a slot with a fresh key pair under ``password``."""
        private, public = crypto.new_key_pair()
        salt = os.urandom(crypto.SALT_BYTES)
        kek = crypto.derive_kek(password, salt, params)
        self._data["slots"][slot_id] = {
            "kind": kind,
            "kdf": {"alg": "argon2id", **params.to_json(), "salt": b64(salt)},
            "public_key": b64(public),
            "private_key": crypto.aead_encrypt(kek, private, self._aad(slot_id, "private")),
            "secrets": crypto.seal(public, secrets.to_bytes(), self._aad(slot_id, "secrets")),
            "audit": secrets.audit_root_key is not None,
            "backup": secrets.backup_private_key is not None,
        }

    def open_slot(self, slot_id: str, password: str) -> tuple[VaultSecrets, bytes]:
        """Unwrap a slot: the slow Argon2 step, then AES-GCM. Raises CryptoError if wrong."""
        slot = self._data["slots"].get(slot_id)
        if slot is None:
            # Spend the same time as a real slot would, so timing does not tell who has one.
            crypto.derive_kek(password, os.urandom(crypto.SALT_BYTES), self.default_params)
            raise CryptoError("no slot")
        kdf = slot["kdf"]
        kek = crypto.derive_kek(password, unb64(kdf["salt"]), KdfParams.from_json(kdf))
        private = crypto.aead_decrypt(kek, slot["private_key"], self._aad(slot_id, "private"))
        secrets = crypto.unseal(private, slot["secrets"], self._aad(slot_id, "secrets"))
        return VaultSecrets.from_bytes(secrets), private

    def change_password(
        self, slot_id: str, private: bytes, password: str, params: KdfParams
    ) -> None:
        """Rewrap one slot's private key under a new password; its secrets stay as they are."""
        slot = self._data["slots"][slot_id]
        salt = os.urandom(crypto.SALT_BYTES)
        kek = crypto.derive_kek(password, salt, params)
        slot["kdf"] = {"alg": "argon2id", **params.to_json(), "salt": b64(salt)}
        slot["private_key"] = crypto.aead_encrypt(kek, private, self._aad(slot_id, "private"))

    def reseal(self, slot_id: str, secrets: VaultSecrets) -> None:
        """Seal new secrets to a slot's public key: no password is needed to do this."""
        slot = self._data["slots"][slot_id]
        slot["secrets"] = crypto.seal(
            unb64(slot["public_key"]), secrets.to_bytes(), self._aad(slot_id, "secrets")
        )
        slot["audit"] = secrets.audit_root_key is not None
        slot["backup"] = secrets.backup_private_key is not None

    def remove_slot(self, slot_id: str) -> None:
        self._data["slots"].pop(slot_id, None)

    def copy(self) -> Keyring:
        return Keyring(json.loads(json.dumps(self._data)))
