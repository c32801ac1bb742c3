"""``keyring.json``: one slot per user, and one for the recovery code.

The file names nobody (slots are addressed by a salted hash of the user name) and holds nothing
in clear but public keys, salts and Argon2 costs. It is replaced atomically on every change.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from casework.errors import VaultDamaged
from casework.vault import crypto
from casework.vault.crypto import CryptoError, KdfParams, b64, unb64
from casework.vault.files import write_private_file

log = logging.getLogger(__name__)

FORMAT = 2
FORMATS = (1, 2)
KEYRING_LIMIT = 10_000_000  # bytes; a keyring of a thousand slots is about 1.5 MB
RECOVERY_NAME = "\x00recovery"

SlotKind = Literal["user", "recovery"]


@dataclass(frozen=True)
class VaultSecrets:
    """What a slot unlocks.

    - ``database_key`` and ``backup_public_key``: every slot (any signed-in user takes
      backups, sealed to the organisation's real backup key, never to one read from a file).
    - ``audit_root_key`` (K_0): supervisors, administrators and the recovery code, so that a
      caseworker holding only the database key cannot rewrite audit history.
    - ``backup_private_key`` and ``keyring_key``: administrators and the recovery code, who
      restore backups and change the keyring (the keyring key MACs every slot and grant).
    - ``audit_lineage`` / ``admin_lineage``: fingerprints of the privileged secrets of earlier
      key epochs, so a slot anchored to an earlier epoch (its holder has not signed in since a
      rotation) can tell a real rotation from secrets sealed to it by someone else.
    """

    database_key: bytes
    audit_root_key: bytes | None = None
    backup_private_key: bytes | None = None
    keyring_key: bytes | None = None
    backup_public_key: bytes = b""
    audit_lineage: tuple[str, ...] = ()
    admin_lineage: tuple[str, ...] = ()
    audit_roots: tuple[str, ...] = ()  # the K_0 of earlier epochs (hex), oldest first

    @property
    def all_audit_roots(self) -> list[bytes]:
        """Every epoch's root this slot holds, oldest (the chain's genesis) first."""
        current = [self.audit_root_key] if self.audit_root_key else []
        return [bytes.fromhex(r) for r in self.audit_roots] + current

    def to_bytes(self) -> bytes:
        def optional(value: bytes | None) -> str | None:
            return value.hex() if value else None

        return json.dumps(
            {
                "database_key": self.database_key.hex(),
                "audit_root_key": optional(self.audit_root_key),
                "backup_private_key": optional(self.backup_private_key),
                "keyring_key": optional(self.keyring_key),
                "backup_public_key": optional(self.backup_public_key),
                "audit_lineage": list(self.audit_lineage),
                "admin_lineage": list(self.admin_lineage),
                "audit_roots": list(self.audit_roots),
            }
        ).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> VaultSecrets:
        parsed = json.loads(data)

        def optional(name: str) -> bytes | None:
            value = parsed.get(name)
            return bytes.fromhex(value) if value else None

        def lineage(name: str) -> tuple[str, ...]:
            values = parsed.get(name) or []
            if not isinstance(values, list) or not all(
                isinstance(v, str) and len(v) == 64 for v in values
            ):
                raise CryptoError("lineage malformed")
            return tuple(values)

        return cls(
            bytes.fromhex(parsed["database_key"]),
            optional("audit_root_key"),
            optional("backup_private_key"),
            optional("keyring_key"),
            optional("backup_public_key") or b"",
            lineage("audit_lineage"),
            lineage("admin_lineage"),
            lineage("audit_roots"),
        )

    def restricted(self, *, audit: bool, backup: bool) -> VaultSecrets:
        """The subset a slot with these grants may hold."""
        return VaultSecrets(
            self.database_key,
            self.audit_root_key if audit else None,
            self.backup_private_key if backup else None,
            self.keyring_key if backup else None,
            self.backup_public_key,
            self.audit_lineage if audit else (),
            self.admin_lineage if backup else (),
            self.audit_roots if audit else (),
        )

    @property
    def is_administrator(self) -> bool:
        """Holds what changing the keyring and restoring backups need."""
        return bool(self.keyring_key and self.backup_private_key and self.audit_root_key)

    def anchor(self) -> str:
        """The fingerprint of the privileged secrets this slot holds ("" for none), kept in the
        slot's password-wrapped box: someone who can seal to a slot (anyone holding the
        database key) cannot make it accept privileged secrets with another fingerprint."""
        if self.is_administrator:
            assert self.audit_root_key and self.backup_private_key and self.keyring_key
            return anchor_digest(
                "admin", self.audit_root_key + self.backup_private_key + self.keyring_key
            )
        if self.audit_root_key:
            return anchor_digest("audit", self.audit_root_key)
        return ""

    def lineage(self) -> tuple[str, ...]:
        return self.admin_lineage if self.is_administrator else self.audit_lineage


def anchor_digest(level: str, secret: bytes) -> str:
    return hashlib.sha256(f"safehold/anchor/{level}\x00".encode() + secret).hexdigest()


@dataclass(frozen=True)
class OpenedSlot:
    """A slot opened with its password: what it holds, and what rewrapping it needs."""

    secrets: VaultSecrets
    private_key: bytes
    anchor: str  # as found in the password-wrapped box ("" for a slot from before anchors)
    kek: bytes = field(repr=False)
    box_format: int = 2  # 1: a slot written before format 2 (the private key alone)

    @property
    def made_by_format_1(self) -> bool:
        """Whether everything in this slot is as format 1 wrote it: its box, and secrets
        without what format 2 adds. A keyring that says it is format 1 is believed only for
        such a slot (a format-2 keyring edited to say 1 would otherwise be "upgraded")."""
        secrets = self.secrets
        return (
            self.box_format == 1
            and secrets.keyring_key is None
            and not secrets.backup_public_key
            and not secrets.audit_roots
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
    keyring cannot make sign-in allocate 4 TiB). Raises KeyringError naming what is wrong.
    Structure is not authenticity: see ``Keyring.authenticate``."""
    _check(isinstance(data, dict), "not an object")
    assert isinstance(data, dict)
    _check(type(data.get("format")) is int and data["format"] in FORMATS, "format unknown")
    keyring_id = data.get("keyring_id")
    _check(isinstance(keyring_id, str) and 0 < len(keyring_id) <= 100, "keyring_id malformed")
    fields = [("user_salt", crypto.SALT_BYTES)]
    if data["format"] == 1:
        fields.append(("backup_public_key", 32))
    else:
        epoch = data.get("epoch")
        _check(isinstance(epoch, int) and not isinstance(epoch, bool) and epoch >= 0, "epoch")
        _check(_is_mac(data.get("mac")), "mac malformed")
    for name, length in fields:
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
        # A slot's MAC may be missing or wrong (planted by someone without the keyring key):
        # that makes the slot untrusted, not the file unreadable.
        _check(slot.get("mac") is None or _is_mac(slot.get("mac")), f"{where}: mac malformed")
    return data


def _is_mac(value: object) -> bool:
    return (
        isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    )


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


# The password-wrapped box of a format-2 slot: this prefix, the X25519 private key, the anchor.
BOX_PREFIX = b"SH2"


class Keyring:
    """keyring.json in memory. Format 2 is authenticated: a header MAC and a MAC on every slot
    (its public key, sealed secrets and grants) under the keyring key, which only
    administrators and the recovery code hold. Format 1 (before Safehold 0.7) is read, and
    upgraded at an administrator's next sign-in."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    @classmethod
    def new(cls, default_params: KdfParams, keyring_key: bytes) -> Keyring:
        keyring = cls(
            {
                "format": FORMAT,
                "keyring_id": str(uuid.uuid4()),
                "epoch": 0,
                "user_salt": b64(os.urandom(crypto.SALT_BYTES)),
                "kdf_default": default_params.to_json(),
                "slots": {},
                "mac": "0" * 64,
            }
        )
        keyring.sign_header(keyring_key)
        return keyring

    @property
    def format(self) -> int:
        return int(self._data["format"])

    @property
    def epoch(self) -> int:
        return int(self._data.get("epoch", 0))

    @property
    def default_params(self) -> KdfParams:
        """The Argon2 costs calibrated when the vault was created, for new slots."""
        return KdfParams.from_json(self._data["kdf_default"])

    @property
    def legacy_backup_public_key(self) -> bytes:
        """A format-1 keyring's backup public key (unauthenticated: used only until upgrade)."""
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
        """Whether a slot holds (the audit root key, the backup private key): as the file says,
        so trust it only for a slot that ``authenticate`` passed."""
        slot = self._data["slots"][slot_id]
        return bool(slot.get("audit")), bool(slot.get("backup"))

    def slot_kind(self, slot_id: str) -> str:
        return str(self._data["slots"][slot_id]["kind"])

    # -- authentication ---------------------------------------------------------------------

    def _header_mac(self, keyring_key: bytes) -> str:
        header = {k: self._data[k] for k in ("format", "keyring_id", "epoch", "user_salt")}
        header["kdf_default"] = self._data["kdf_default"]
        return _mac(keyring_key, b"header", header)

    def _slot_mac(self, keyring_key: bytes, slot_id: str) -> str:
        slot = self._data["slots"][slot_id]
        covered = {k: slot[k] for k in ("kind", "public_key", "secrets", "audit", "backup")}
        covered |= {"keyring_id": self.keyring_id, "epoch": self.epoch, "slot_id": slot_id}
        return _mac(keyring_key, b"slot", covered)

    def sign_header(self, keyring_key: bytes) -> None:
        self._data["mac"] = self._header_mac(keyring_key)

    def authenticate(self, keyring_key: bytes) -> list[str]:
        """Check the keyring under the keyring key: KeyringError if its header does not verify
        (it is not this vault's, is from an earlier key epoch, or was edited); otherwise the
        ids of the slots that do not verify (planted, or a grant or key changed by someone who
        is not an administrator). Such a slot is never resealed or trusted."""
        if self.format < 2:
            raise KeyringError("keyring not authenticated (format 1)", UNTRUSTED)
        if not hmac.compare_digest(self._data["mac"], self._header_mac(keyring_key)):
            raise KeyringError("keyring header does not verify", UNTRUSTED)
        return [
            slot_id
            for slot_id, slot in self._data["slots"].items()
            if not hmac.compare_digest(
                str(slot.get("mac") or ""), self._slot_mac(keyring_key, slot_id)
            )
        ]

    def drop_slots(self, slot_ids: list[str]) -> None:
        for slot_id in slot_ids:
            self._data["slots"].pop(slot_id, None)

    # -- slots ------------------------------------------------------------------------------

    def _aad(self, slot_id: str, part: str) -> bytes:
        return f"safehold/keyring/v1/{self.keyring_id}/{slot_id}/{part}".encode()

    def _wrap(self, slot_id: str, kek: bytes, private: bytes, anchor: str) -> dict[str, str]:
        plain = BOX_PREFIX + private + (bytes.fromhex(anchor) if anchor else b"")
        return crypto.aead_encrypt(kek, plain, self._aad(slot_id, "private"))

    def set_slot(
        self,
        slot_id: str,
        kind: SlotKind,
        password: str,
        params: KdfParams,
        secrets: VaultSecrets,
        keyring_key: bytes,
    ) -> None:
        """Create or replace a slot with a fresh key pair under ``password``, anchored to the
        privileged secrets it is given and MACed under the keyring key."""
        private, public = crypto.new_key_pair()
        salt = os.urandom(crypto.SALT_BYTES)
        kek = crypto.derive_kek(password, salt, params)
        self._data["slots"][slot_id] = {
            "kind": kind,
            "kdf": {"alg": "argon2id", **params.to_json(), "salt": b64(salt)},
            "public_key": b64(public),
            "private_key": self._wrap(slot_id, kek, private, secrets.anchor()),
        }
        self.reseal(slot_id, secrets, keyring_key)

    def open_slot(
        self, slot_id: str, password: str, cache: dict[tuple[str, str], bytes] | None = None
    ) -> OpenedSlot:
        """Unwrap a slot: the slow Argon2 step, then AES-GCM. Raises CryptoError if wrong.
        ``cache`` keeps derived keys by salt and costs, for one password opening the same slot
        as carried by several backups' keyrings."""
        slot = self._data["slots"].get(slot_id)
        if slot is None:
            # Spend the same time as a real slot would, so timing does not tell who has one.
            crypto.derive_kek(password, os.urandom(crypto.SALT_BYTES), self.default_params)
            raise CryptoError("no slot")
        kdf = slot["kdf"]
        params = KdfParams.from_json(kdf)
        remembered = (kdf["salt"], json.dumps(params.to_json(), sort_keys=True))
        kek = cache.get(remembered) if cache is not None else None
        if kek is None:
            kek = crypto.derive_kek(password, unb64(kdf["salt"]), params)
            if cache is not None:
                cache[remembered] = kek
        box = crypto.aead_decrypt(kek, slot["private_key"], self._aad(slot_id, "private"))
        if box.startswith(BOX_PREFIX) and len(box) in (35, 67):
            private, anchor, box_format = box[3:35], box[35:].hex(), 2
        elif len(box) == 32:  # format 1: the private key alone
            private, anchor, box_format = box, "", 1
        else:
            raise CryptoError("slot box malformed")
        sealed = crypto.unseal(private, slot["secrets"], self._aad(slot_id, "secrets"))
        try:
            secrets = VaultSecrets.from_bytes(sealed)
        except (ValueError, KeyError, TypeError) as exc:
            raise CryptoError("slot secrets malformed") from exc
        return OpenedSlot(secrets, private, anchor, kek, box_format)

    def check_anchor(self, opened: OpenedSlot) -> bool:
        """Whether the privileged secrets sealed to a slot are the ones its holder last had, or
        come after them by rotations of this vault (then True: the box's anchor is out of date
        and ``refresh_anchor`` moves it on). KeyringError if neither: someone holding only the
        database key sealed other secrets to the slot."""
        now = opened.secrets.anchor()
        if opened.anchor == now:
            return False
        if not opened.anchor or opened.anchor in opened.secrets.lineage():
            return True  # a slot from before anchors, or one a rotation moved on
        raise KeyringError("slot secrets do not match the slot's anchor", UNTRUSTED)

    def refresh_anchor(self, slot_id: str, opened: OpenedSlot) -> None:
        """Rewrap a slot's box (same password, same key) with its current anchor."""
        slot = self._data["slots"][slot_id]
        slot["private_key"] = self._wrap(
            slot_id, opened.kek, opened.private_key, opened.secrets.anchor()
        )

    def change_password(
        self, slot_id: str, opened: OpenedSlot, password: str, params: KdfParams
    ) -> None:
        """Rewrap one slot's private key under a new password; its secrets stay as they are."""
        slot = self._data["slots"][slot_id]
        salt = os.urandom(crypto.SALT_BYTES)
        kek = crypto.derive_kek(password, salt, params)
        slot["kdf"] = {"alg": "argon2id", **params.to_json(), "salt": b64(salt)}
        slot["private_key"] = self._wrap(slot_id, kek, opened.private_key, opened.secrets.anchor())

    def reseal(self, slot_id: str, secrets: VaultSecrets, keyring_key: bytes) -> None:
        """Seal secrets to a slot's public key (no password is needed to do this) and MAC the
        slot under the keyring key."""
        slot = self._data["slots"][slot_id]
        slot["secrets"] = crypto.seal(
            unb64(slot["public_key"]), secrets.to_bytes(), self._aad(slot_id, "secrets")
        )
        slot["audit"] = secrets.audit_root_key is not None
        slot["backup"] = secrets.backup_private_key is not None
        slot["mac"] = self._slot_mac(keyring_key, slot_id)

    def next_epoch(self, keyring_key: bytes) -> None:
        """Start a new key epoch under a new keyring key: every slot must then be resealed
        (``reseal``), or it no longer verifies."""
        self._data["epoch"] = self.epoch + 1
        self.sign_header(keyring_key)

    def upgrade(self, keyring_key: bytes) -> None:
        """Format 1 to 2: the caller (an administrator's sign-in) then reseals every slot it
        keeps, which MACs it."""
        self._data["format"] = FORMAT
        self._data.pop("backup_public_key", None)
        self._data["epoch"] = 0
        self.sign_header(keyring_key)

    def remove_slot(self, slot_id: str) -> None:
        self._data["slots"].pop(slot_id, None)

    def copy(self) -> Keyring:
        return Keyring(json.loads(json.dumps(self._data)))


UNTRUSTED = (
    "The vault's keyring.json does not verify: a sign-in slot or a grant in it was added or "
    "changed by someone who is not an administrator of this vault, or it is an old copy. It "
    "has been left as it is and nothing was changed; restore keyring.json from a backup "
    "(safehold-admin restore), and have an administrator check who can write the vault folder."
)


def trust_slot(keyring: Keyring, slot_id: str, opened: OpenedSlot) -> list[str]:
    """What an opened slot may be trusted for. Its privileged secrets must match the anchor in
    its password-wrapped box (or follow it by this vault's rotations); an administrator's
    slot also checks the whole keyring under the keyring key: the header and its own slot must
    verify (KeyringError otherwise, naming no one), and the ids of other slots that do not are
    returned, to be reported and never resealed."""
    keyring.check_anchor(opened)
    if keyring.format < 2:
        if not opened.made_by_format_1:
            raise KeyringError("a format-2 keyring edited to say format 1", UNTRUSTED)
        return []
    key = opened.secrets.keyring_key
    if key is None:
        return []
    untrusted = keyring.authenticate(key)
    if slot_id in untrusted:
        raise KeyringError("the signed-in slot does not verify", UNTRUSTED)
    if untrusted:
        log.warning("keyring.json: %d slot(s) do not verify", len(untrusted))
    return untrusted


def _mac(key: bytes, part: bytes, value: object) -> str:
    return hmac.new(
        key, b"safehold/keyring/v2/" + part + b"\x00" + _canonical(value), "sha256"
    ).hexdigest()
