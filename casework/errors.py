"""Domain errors whose text is fit to show a caseworker.

Every error has a stable ``code`` (the UI maps codes to translated text) and an English
``message``. Messages never contain survivor data: they may be logged and shown anywhere.
"""

from __future__ import annotations


class CaseworkError(Exception):
    """Base of every error a user can act on."""

    code = "error"
    default_message = "The operation could not be completed."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class ValidationError(CaseworkError):
    code = "invalid"
    default_message = "Some of the information entered is not valid."

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class WrongCredentials(CaseworkError):
    code = "wrong-credentials"
    default_message = "The user name or password is not correct."


class UnlockThrottled(CaseworkError):
    code = "throttled"

    def __init__(self, wait_seconds: float) -> None:
        self.wait_seconds = wait_seconds
        seconds = max(1, round(wait_seconds))
        unit = "second" if seconds == 1 else "seconds"
        super().__init__(f"Too many failed attempts. Try again in {seconds} {unit}.")


class AccountDisabled(CaseworkError):
    code = "account-disabled"
    default_message = "This account has been disabled. Ask your administrator."


class PermissionDenied(CaseworkError):
    code = "permission-denied"
    default_message = "You do not have permission to do that."


class NotFound(CaseworkError):
    code = "not-found"
    default_message = "That record does not exist or you cannot see it."


class WeakPassword(ValidationError):
    code = "weak-password"


class VaultNotFound(CaseworkError):
    code = "vault-not-found"
    default_message = "There is no Safehold vault in that folder."


class VaultExists(CaseworkError):
    code = "vault-exists"
    default_message = "A Safehold vault already exists in that folder; it was left untouched."


class VaultDamaged(CaseworkError):
    code = "vault-damaged"
    default_message = (
        "The vault's database could not be read: it is damaged or is not a Safehold database. "
        "It has been left exactly as it is; restore it from a backup."
    )


class VaultNotDamaged(CaseworkError):
    code = "vault-not-damaged"
    default_message = (
        "This vault is not damaged, so it was not replaced: sign in to it. Nothing was changed."
    )


class VaultTooNew(CaseworkError):
    code = "vault-too-new"
    default_message = (
        "This vault was written by a newer version of Safehold. Install the newer version to "
        "open it; nothing in it has been changed."
    )


class VaultLocked(CaseworkError):
    code = "vault-locked"
    default_message = "The vault is locked. Sign in again."


class MigrationFailed(CaseworkError):
    code = "migration-failed"
    default_message = (
        "The vault could not be upgraded to this version of Safehold. It was left as it was; "
        "a backup was taken before the attempt."
    )


class AuditChainBroken(CaseworkError):
    code = "audit-broken"


class Cancelled(CaseworkError):
    """Raised inside running work that saw its cancel flag (the user's cancel, or a lock)."""

    code = "cancelled"
    default_message = "Cancelled; nothing was written."


class DiskFull(CaseworkError):
    code = "disk-full"
    default_message = "The disk is full, so nothing was saved. Free some space and try again."


class VaultBusy(CaseworkError):
    code = "vault-busy"
    default_message = (
        "The vault is in use by another Safehold window or program. Close it and try again."
    )


# SQLite's primary result codes (the low byte of the extended code a driver error carries).
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_NOMEM = 7
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26


def sqlite_code(error: BaseException) -> int | None:
    """The primary SQLite result code behind ``error`` (a driver error, or SQLAlchemy's
    wrapper of one, or any error chained to one), or None if no driver error is behind it."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        code = getattr(current, "sqlite_errorcode", None)
        if isinstance(code, int):
            return code & 0xFF
        orig = getattr(current, "orig", None)
        current = orig if isinstance(orig, BaseException) else current.__cause__
    return None


class VaultUnreadable(CaseworkError):
    code = "vault-unreadable"
    default_message = (
        "The vault's files cannot be opened: this account may not read or write them, or the "
        "folder is on a disk that is read-only. Nothing was changed."
    )


def from_database_error(error: BaseException, *, opening: bool = False) -> CaseworkError | None:
    """Sort a database error by SQLite's result code: problems of the environment that a user
    can act on become a domain error (with no SQL and no data in its text); anything else is a
    bug (None), or, while ``opening`` a vault, damage.

    A vault merely in use (busy, locked) or unreadable for want of permission is never called
    damaged: damage offers to replace the vault from a backup."""
    code = sqlite_code(error)
    if code == SQLITE_FULL:
        return DiskFull()
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return VaultBusy()
    if code in (SQLITE_PERM, SQLITE_READONLY, SQLITE_CANTOPEN):
        return VaultUnreadable()
    if code == SQLITE_NOTADB:
        return VaultDamaged(
            "The vault's database does not open with the key its keyring holds: it is damaged, "
            "is not a Safehold database, or was put back from another date than the keyring. "
            "It has been left exactly as it is; restore it from a backup."
        )
    if code in (SQLITE_CORRUPT, SQLITE_IOERR):
        return VaultDamaged()
    if opening and code is not None and code != SQLITE_NOMEM:
        return VaultDamaged()
    return None
