"""The vault's cryptography: Argon2id key derivation, AES-256-GCM wrapping, X25519 sealing.

Each keyring slot holds an X25519 key pair. The private key is wrapped with AES-256-GCM under a
key-encryption key (KEK) that Argon2id derives from the slot holder's password. The vault's
secrets (the database key and, for supervisors and administrators, the audit root key) are
sealed to the slot's public key. Sealing needs no password, so an administrator who removes a
user can rekey the database and re-seal the new key to every remaining slot; only the holder's
password can open a slot.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16

# The floor security.md sets: never below t=3, m=64 MiB, whatever the calibration says.
MIN_TIME_COST = 3
MIN_MEMORY_KIB = 64 * 1024
MAX_MEMORY_KIB = 1024 * 1024  # what calibration goes up to
# What a slot may ask for at all: a keyring planted or damaged to ask for 4 TiB or a million
# passes must be refused as damaged, not obeyed at sign-in.
MAX_ACCEPTED_MEMORY_KIB = 4 * 1024 * 1024  # 4 GiB
MAX_TIME_COST = 64
MAX_PARALLELISM = 16
CALIBRATION_TARGET_SECONDS = 0.5


class CryptoError(Exception):
    """A wrap could not be opened: wrong password, or the data was altered."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def unb64_exact(value: object, length: int | None = None) -> bytes:
    """Base64 as stored in a keyring or manifest: ValueError unless it is a string of valid
    base64 (of ``length`` bytes, if given)."""
    if not isinstance(value, str):
        raise ValueError("not base64 text")
    try:
        data = unb64(value)
    except (ValueError, UnicodeEncodeError) as exc:  # binascii.Error is a ValueError
        raise ValueError("not valid base64") from exc
    if length is not None and len(data) != length:
        raise ValueError(f"{len(data)} bytes where {length} were expected")
    return data


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost parameters, stored in each slot so each can be opened as it was made."""

    time_cost: int = MIN_TIME_COST
    memory_kib: int = MIN_MEMORY_KIB
    parallelism: int = 1

    def __post_init__(self) -> None:
        for value in (self.time_cost, self.memory_kib, self.parallelism):
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError("Argon2 parameters are whole numbers")
        if self.time_cost < MIN_TIME_COST or self.memory_kib < MIN_MEMORY_KIB:
            raise ValueError("Argon2 parameters below the floor (t=3, m=64 MiB)")
        if not 1 <= self.parallelism <= MAX_PARALLELISM:
            raise ValueError(f"Argon2 parallelism must be 1 to {MAX_PARALLELISM}")
        if self.time_cost > MAX_TIME_COST or self.memory_kib > MAX_ACCEPTED_MEMORY_KIB:
            raise ValueError(f"Argon2 parameters above the ceiling (t={MAX_TIME_COST}, m=4 GiB)")

    def to_json(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> KdfParams:
        """Parameters as stored; ValueError for anything but whole numbers within the floor
        and the ceiling (a string, a fraction or a missing field included)."""
        if not isinstance(data, Mapping):
            raise ValueError("Argon2 parameters are not a mapping")
        try:
            return cls(data["time_cost"], data["memory_kib"], data["parallelism"])
        except KeyError as missing:
            raise ValueError(f"Argon2 parameter {missing} missing") from None


def derive_kek(secret: str, salt: bytes, params: KdfParams) -> bytes:
    """Argon2id: the slow, memory-hard step between a password and its slot."""
    return hash_secret_raw(
        secret=secret.encode("utf-8"),
        salt=salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def calibrate(target_seconds: float = CALIBRATION_TARGET_SECONDS) -> KdfParams:
    """Find Argon2id costs that take about ``target_seconds`` on this machine.

    Memory is raised first (it is what makes guessing on GPUs expensive), then passes.
    """
    salt = os.urandom(SALT_BYTES)
    params = KdfParams()
    while True:
        started = time.perf_counter()
        derive_kek("calibration", salt, params)
        elapsed = time.perf_counter() - started
        if elapsed >= target_seconds * 0.8:
            return params
        factor = max(1.25, min(4.0, target_seconds / max(elapsed, 1e-3)))
        if params.memory_kib < MAX_MEMORY_KIB:
            memory = min(MAX_MEMORY_KIB, int(params.memory_kib * factor) // 1024 * 1024)
            params = KdfParams(params.time_cost, max(memory, params.memory_kib + 1024))
        elif params.time_cost < MAX_TIME_COST:
            passes = min(MAX_TIME_COST, int(params.time_cost * factor) + 1)
            params = KdfParams(passes, params.memory_kib)
        else:
            return params


def aead_encrypt(key: bytes, plaintext: bytes, associated: bytes) -> dict[str, str]:
    nonce = os.urandom(NONCE_BYTES)
    return {"nonce": b64(nonce), "ct": b64(AESGCM(key).encrypt(nonce, plaintext, associated))}


def aead_decrypt(key: bytes, box: dict[str, str], associated: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(unb64(box["nonce"]), unb64(box["ct"]), associated)
    except Exception as exc:  # InvalidTag, bad base64, missing field: all mean "cannot open"
        raise CryptoError("cannot open") from exc


def new_key_pair() -> tuple[bytes, bytes]:
    """A fresh X25519 key pair as (private, public) raw bytes."""
    private = X25519PrivateKey.generate()
    return (
        private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        ),
        private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        ),
    )


def public_key_of(private: bytes) -> bytes:
    """The X25519 public key of a raw private key."""
    return (
        X25519PrivateKey.from_private_bytes(private)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def _sealing_key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    return HKDF(
        algorithm=SHA256(),
        length=KEY_BYTES,
        salt=ephemeral_public + recipient_public,
        info=b"safehold keyring seal v1",
    ).derive(shared)


def seal(recipient_public: bytes, plaintext: bytes, associated: bytes) -> dict[str, str]:
    """Encrypt to a public key (ephemeral X25519, HKDF-SHA256, AES-256-GCM)."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_public))
    box = aead_encrypt(
        _sealing_key(shared, ephemeral_public, recipient_public), plaintext, associated
    )
    box["epk"] = b64(ephemeral_public)
    return box


def unseal(recipient_private: bytes, box: dict[str, str], associated: bytes) -> bytes:
    try:
        private = X25519PrivateKey.from_private_bytes(recipient_private)
        ephemeral_public = unb64(box["epk"])
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        recipient_public = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
    except Exception as exc:
        raise CryptoError("cannot open") from exc
    return aead_decrypt(_sealing_key(shared, ephemeral_public, recipient_public), box, associated)


def slot_id_for(user_salt: bytes, username: str) -> str:
    """The slot address: a salted hash of the user name, so the keyring names nobody."""
    normalised = username.strip().casefold().encode("utf-8")
    return hmac.new(user_salt, normalised, hashlib.sha256).hexdigest()


RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: it is copied by hand


def new_recovery_code() -> str:
    """A recovery code of 125 bits in 5 groups of 5, easy to copy from paper."""
    chars = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(25))
    return "-".join(chars[i : i + 5] for i in range(0, 25, 5))


def normalise_recovery_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(cleaned[i : i + 5] for i in range(0, len(cleaned), 5))
