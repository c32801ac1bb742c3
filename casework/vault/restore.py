"""Restoring a backup into a new vault folder, on this machine or one that never had the vault:
an administrator's password or the recovery code opens the keyring carried in the backup's
manifest, which unseals the backup's key. An existing vault is never overwritten."""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from casework.errors import CaseworkError, VaultDamaged, VaultExists, WrongCredentials
from casework.vault import crypto
from casework.vault.backup import BACKUP_FORMATS, audit_head, backup_aad, manifest_mac
from casework.vault.engine import key_pragma, raw_connection
from casework.vault.files import make_private_folder, restrict_vault_files
from casework.vault.keyring import Keyring, KeyringError, trust_slot

log = logging.getLogger(__name__)

MANIFEST_LIMIT = 1_000_000  # bytes; a manifest is a few kilobytes


class BackupUnusable(CaseworkError):
    code = "backup-unusable"
    default_message = "That file is not a Safehold backup this version can read."


@dataclass(frozen=True)
class RestoreReport:
    created_at: datetime
    label: str
    audit_seq: int

    def describe(self) -> str:
        return (
            f"Restored the backup taken {self.created_at:%Y-%m-%d %H:%M} UTC (audit row "
            f"{self.audit_seq}). Anything recorded after that time is not in the restored vault."
        )


def manifest_path(backup: Path) -> Path:
    return backup.with_suffix(".json")


def read_manifest(backup: Path) -> dict[str, Any]:
    """The backup's manifest, checked for shape; a clear refusal for anything else."""
    path = manifest_path(backup)
    if not backup.is_file():
        raise BackupUnusable(f"There is no backup file at {backup}.")
    try:
        if path.stat().st_size > MANIFEST_LIMIT:
            raise BackupUnusable()
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupUnusable(
            f"The backup's manifest {path.name} is missing; it must sit beside the backup file."
        ) from None
    except (OSError, ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise BackupUnusable(f"The backup's manifest {path.name} is damaged.") from None
    if not isinstance(manifest, dict) or manifest.get("format") not in BACKUP_FORMATS:
        raise BackupUnusable()
    for field in ("file", "keyring_id", "created_at", "key", "keyring"):
        if field not in manifest:
            raise BackupUnusable(
                "This backup was made before backups carried their keyring; restore it with "
                "the original vault's keyring, or use a newer backup."
                if field == "keyring"
                else None
            )
    damaged = BackupUnusable(
        f"The backup's manifest {path.name} is damaged, so nothing was restored; try another "
        "backup."
    )
    if not all(isinstance(manifest[f], str) for f in ("file", "keyring_id", "created_at")):
        raise damaged
    if not isinstance(manifest["key"], dict):
        raise damaged
    try:
        datetime.fromisoformat(manifest["created_at"])
    except ValueError:
        raise damaged from None
    return manifest


def manifest_keyring(manifest: dict[str, Any]) -> Keyring:
    """The keyring a backup's manifest carries, its whole structure checked before any slot
    is opened (so a planted one cannot ask for 4 TiB of memory)."""
    try:
        return Keyring.from_dict(manifest["keyring"])
    except KeyringError as exc:
        log.warning("a backup's keyring refused: %s", exc.reason)
        raise BackupUnusable(
            "The keyring in the backup's manifest is damaged, so this backup cannot be opened "
            "and nothing was restored; try another backup."
        ) from None


def _credentials(keyring: Keyring, password: str, username: str | None) -> tuple[str, str]:
    if username:
        return keyring.slot_id(username.strip().casefold()), password
    return keyring.recovery_slot_id(), crypto.normalise_recovery_code(password)


def refuse_expired(backup: Path, manifest: dict[str, Any]) -> None:
    """A backup its folder lists as expired (it holds someone since erased: by name, or by its
    manifest's MAC, so a renamed copy too) is refused, naming the newest one that is not."""
    from casework.vault import rotation

    expired = rotation.expired_names(backup.parent)
    if backup.name not in expired and f"mac:{manifest.get('mac')}" not in expired:
        return
    newer = [e for e in rotation.backups_in(backup.parent) if e.path.name not in expired]
    instead = f" Restore {newer[-1].path} instead." if newer else ""
    raise BackupUnusable(
        "This backup holds a person who has since asked to be erased, so it cannot be "
        f"restored; nothing was restored.{instead}"
    )


# How many newer manifests restore tries for the erasure ledger (each costs one key derivation).
LEDGER_TRIES = 3


def newer_ledger(
    backup: Path, manifest: dict[str, Any], password: str, username: str | None
) -> set[str]:
    """The erasure ledger to apply: the ids erased before this backup (in its own manifest)
    and those in the newest later backup of the same vault beside it whose manifest
    authenticates under the same credentials. A manifest that does not authenticate is
    skipped: its ledger might be forged."""
    from casework.vault import rotation

    ledger = {str(i) for i in manifest.get("erased", []) if isinstance(i, str)}
    claimed = datetime.fromisoformat(str(manifest["created_at"]))
    later = [
        e
        for e in reversed(rotation.backups_in(backup.parent))
        if e.path != backup and e.created_at > claimed
    ]
    for entry in later[:LEDGER_TRIES]:
        try:
            other = read_manifest(entry.path)
            if other.get("keyring_id") != manifest["keyring_id"] or other.get("format", 1) < 2:
                continue
            keyring = manifest_keyring(other)
            slot, secret = _credentials(keyring, password, username)
            opened = keyring.open_slot(slot, secret)
            trust_slot(keyring, slot, opened)
        except (CaseworkError, crypto.CryptoError):
            continue
        if hmac.compare_digest(
            str(other.get("mac", "")), manifest_mac(opened.secrets.database_key, other)
        ):
            return ledger | {str(i) for i in other.get("erased", []) if isinstance(i, str)}
    return ledger


def apply_ledger(database: Path, key: bytes, erased: set[str]) -> int:
    """Erase again, in the restored database, every person of the ledger it still holds;
    returns how many."""
    if not erased:
        return 0
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from casework.model import Case
    from casework.services.actor import Actor
    from casework.services.erasure import erase_person
    from casework.vault.engine import open_engine

    engine = open_engine(database, key)
    try:
        with Session(engine) as session, session.begin():
            present = session.execute(
                select(Case.survivor_id, Case.id).where(Case.survivor_id.in_(sorted(erased)))
            ).all()
            first_case = {survivor: case for survivor, case in reversed(present)}
            restorer = Actor("restore", "restore", "restore", frozenset())
            for case_id in first_case.values():
                erase_person(session, restorer, case_id, "ledger", by_rule=True)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        engine.dispose()
    return len(first_case)


# How many backups restore_newest opens before giving up (each costs one key derivation).
NEWEST_TRIES = 5


def restore_newest(
    candidates: list[Path], target_folder: Path, password: str, username: str | None = None
) -> RestoreReport:
    """Restore the newest of ``candidates`` (newest first, by the dates their manifests claim)
    that authenticates: one whose manifest was changed, whose keyring does not verify or that
    is expired is passed over for the next. Raises what the last one tried raised."""
    if not candidates:
        raise BackupUnusable("No backup of this vault was found; choose a backup file.")
    failure: CaseworkError | None = None
    for backup in candidates[:NEWEST_TRIES]:
        try:
            return restore_backup(backup, target_folder, password, username)
        except WrongCredentials:
            raise  # the same credentials will not open the others either
        except BackupUnusable as error:
            log.warning("restore: passed over a backup that does not authenticate")
            failure = error
    assert failure is not None
    raise failure


def restore_backup(
    backup: Path, target_folder: Path, password: str, username: str | None = None
) -> RestoreReport:
    """Restore ``backup`` as a new vault in ``target_folder`` (which must not hold one). With
    ``username``, ``password`` is that administrator's; without, it is the recovery code."""
    from casework.vault.vault import DATABASE, KEYRING  # the folder layout

    manifest = read_manifest(backup)
    target_folder = Path(target_folder)
    if (target_folder / DATABASE).exists() or (target_folder / KEYRING).exists():
        raise VaultExists()
    refuse_expired(backup, manifest)
    keyring = manifest_keyring(manifest)
    slot, secret = _credentials(keyring, password, username)
    try:
        opened = keyring.open_slot(slot, secret)
    except crypto.CryptoError:
        raise WrongCredentials(
            "That name and password (or recovery code) do not open this backup."
        ) from None
    try:
        untrusted = trust_slot(keyring, slot, opened)
    except KeyringError as exc:
        log.warning("a backup's keyring does not verify: %s", exc.reason)
        raise BackupUnusable(
            "The keyring in the backup's manifest does not verify (it was changed after the "
            "backup was taken), so nothing was restored; try another backup."
        ) from None
    secrets = opened.secrets
    if secrets.backup_private_key is None:
        raise WrongCredentials(
            "Only an administrator's password or the recovery code can restore a backup."
        )
    try:
        backup_key = crypto.unseal(
            secrets.backup_private_key,
            manifest["key"],
            backup_aad(str(manifest["keyring_id"]), str(manifest["file"])),
        )
    except (crypto.CryptoError, KeyError, TypeError, ValueError):
        raise BackupUnusable("The backup's key does not open: the manifest is damaged.") from None
    if manifest["format"] >= 2 and not hmac.compare_digest(
        str(manifest.get("mac", "")), manifest_mac(secrets.database_key, manifest)
    ):
        raise BackupUnusable(
            "The backup's manifest was changed after the backup was taken (its date, label, "
            "keyring or audit head are not what Safehold wrote), so nothing was restored; try "
            "another backup."
        )
    try:
        source = raw_connection(backup, backup_key)
    except VaultDamaged:
        raise BackupUnusable("The backup file is damaged or is not a Safehold backup.") from None
    try:
        check = source.execute("PRAGMA quick_check").fetchone()
        if not check or check[0] != "ok":
            raise BackupUnusable("The backup file is damaged; try an older backup.")
        head = audit_head(source)
        expected = manifest.get("audit_head")
        if isinstance(expected, dict) and expected != head:
            raise BackupUnusable(
                "The backup file does not match its manifest: it may have been swapped for an "
                "older or a different file. Nothing was restored."
            )
        make_private_folder(target_folder)
        target = target_folder / DATABASE
        attach_key = key_pragma(secrets.database_key).split("=", 1)[1].strip()
        quoted = "'" + str(target).replace("'", "''") + "'"
        source.execute(f"ATTACH DATABASE {quoted} AS restored KEY {attach_key}")
        source.execute("SELECT sqlcipher_export('restored')")
        source.execute("DETACH DATABASE restored")
    except CaseworkError:
        raise
    except Exception as exc:
        (target_folder / DATABASE).unlink(missing_ok=True)
        raise BackupUnusable("The backup could not be read; nothing was restored.") from exc
    finally:
        source.close()
    try:
        erased = apply_ledger(
            target_folder / DATABASE,
            secrets.database_key,
            newer_ledger(backup, manifest, password, username),
        )
    except BaseException:
        (target_folder / DATABASE).unlink(missing_ok=True)
        raise
    if erased:
        log.warning("restore: %d person(s) erased since this backup were erased again", erased)
    keyring.drop_slots(untrusted)  # never trusted, so never carried into the restored vault
    keyring.save(target_folder / KEYRING)
    restrict_vault_files(target_folder)
    created = datetime.fromisoformat(str(manifest["created_at"]))
    return RestoreReport(created, str(manifest.get("label", "")), int(head["seq"]))
