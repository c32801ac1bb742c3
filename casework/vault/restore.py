"""Restoring a backup into a new vault folder, on this machine or one that never had the vault:
an administrator's password or the recovery code opens the keyring carried in the backup's
manifest, which unseals the backup's key. An existing vault is never overwritten."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casework.errors import CaseworkError, VaultDamaged, VaultExists, WrongCredentials
from casework.vault import crypto
from casework.vault.backup import (
    BACKUP_FORMATS,
    audit_head,
    backup_aad,
    backup_order,
    manifest_mac,
)
from casework.vault.engine import key_pragma, raw_connection
from casework.vault.files import make_private_folder, restrict_vault_files
from casework.vault.keyring import Keyring, KeyringError, VaultSecrets, trust_slot

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

MANIFEST_LIMIT = 1_000_000  # bytes; a manifest is a few kilobytes
CHANGED = (
    "The backup's manifest was changed after the backup was taken (its date, label, keyring "
    "or audit head are not what Safehold wrote), so nothing was restored; try another backup."
)


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
    if (
        not isinstance(manifest, dict)
        or type(manifest.get("format")) is not int
        or manifest["format"] not in BACKUP_FORMATS
    ):
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
        created = datetime.fromisoformat(manifest["created_at"])
    except ValueError:
        raise damaged from None
    if created.tzinfo is None:  # Safehold writes UTC with its offset
        raise damaged
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


def refuse_expired(backup: Path, manifest: dict[str, Any], folders: Sequence[Path] = ()) -> None:
    """A backup its folder lists as expired (it holds someone since erased: by name, or by its
    manifest's MAC, so a renamed copy too) is refused, naming the newest one that is not."""
    from casework.vault import rotation

    expired: set[str] = set()
    for folder in dict.fromkeys([backup.parent, *folders]):
        expired |= rotation.expired_names(folder)
    if backup.name not in expired and f"mac:{manifest.get('mac')}" not in expired:
        return
    newer = [e for e in rotation.backups_in(backup.parent) if e.path.name not in expired]
    instead = f" Restore {newer[-1].path} instead." if newer else ""
    raise BackupUnusable(
        "This backup holds a person who has since asked to be erased, so it cannot be "
        f"restored; nothing was restored.{instead}"
    )


# How many distinct slots (one key derivation each) restore opens in later backups' keyrings,
# to read anchors of key epochs after the backup's own.
LEDGER_DERIVATIONS = 8


def newer_ledger(
    backup: Path,
    manifest: dict[str, Any],
    secrets: VaultSecrets,
    credentials: tuple[str, str | None],
    folders: Sequence[Path] = (),
    anchor_folders: Sequence[Path] = (),
) -> set[str]:
    """The erasure ledger to apply: the ids in every audit anchor found (carried by the backups
    beside this one and in ``folders``, or in the anchor files of ``anchor_folders``) that
    verifies under an audit root of this vault. Anchors are MACed under K_0, which only
    supervisors, administrators and the recovery code hold: someone with the database key
    alone can neither add a person to a ledger nor take one out. Anchors of a later key epoch
    are read with the roots that the same credentials open in that backup's keyring."""
    from casework.vault import anchor

    keyring_id = str(manifest["keyring_id"])
    roots = list(secrets.all_audit_roots)
    places = list(dict.fromkeys([backup.parent, *folders]))
    erased: set[str] = set()
    for one in anchor.carried(places, keyring_id, roots):
        erased |= set(one.erased)
    for folder in anchor_folders:
        found = anchor.parse(anchor.load(folder), keyring_id, roots)
        if found is not None:
            erased |= set(found.erased)
    cache: dict[tuple[str, str], bytes] = {}
    password, username = credentials
    for entry in _later_epochs(places, keyring_id, roots):
        if len(cache) >= LEDGER_DERIVATIONS:
            break
        try:
            keyring = manifest_keyring(entry)
            slot, secret = _credentials(keyring, password, username)
            opened = keyring.open_slot(slot, secret, cache)
            trust_slot(keyring, slot, opened)
        except (CaseworkError, crypto.CryptoError):
            continue
        found = anchor.parse(entry.get("anchor"), keyring_id, opened.secrets.all_audit_roots)
        if found is not None:
            erased |= set(found.erased)
    return erased


def _later_epochs(places: list[Path], keyring_id: str, roots: list[bytes]) -> list[dict[str, Any]]:
    """Manifests of this vault whose anchor does not verify under ``roots`` (a later key
    epoch's, or forged), newest file name first."""
    from casework.vault import anchor

    found = []
    for folder in places:
        try:
            paths = sorted(folder.glob("safehold-*.json"), key=backup_order, reverse=True)[
                : anchor.CARRIED_LIMIT
            ]
        except OSError:
            continue
        for path in paths:
            try:
                other = read_manifest(path.with_suffix(".db"))
            except CaseworkError:
                continue
            carried = other.get("anchor")
            ours = other.get("keyring_id") == keyring_id and isinstance(carried, dict)
            if ours and anchor.parse(carried, keyring_id, roots) is None:
                found.append(other)
    return found


# Erase again, in the restored database, the people of the ledger it still holds; returns how
# many. The erasure service's: restore applies it before the restored vault exists.
EraseAgain = Callable[["Session", set[str]], int]


def apply_ledger(database: Path, key: bytes, erased: set[str], erase_again: EraseAgain) -> int:
    """``erase_again`` over the restored database, in one transaction, then the write-ahead
    log checkpointed so no page of the erased rows stays in it."""
    if not erased:
        return 0
    from sqlalchemy.orm import Session

    from casework.vault.engine import open_engine

    engine = open_engine(database, key)
    try:
        with Session(engine) as session, session.begin():
            count = erase_again(session, erased)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        engine.dispose()
    return count


# How many backups restore_newest opens before giving up (each costs one key derivation).
NEWEST_TRIES = 5


def restore_newest(
    candidates: list[Path],
    target_folder: Path,
    password: str,
    username: str | None = None,
    folders: Sequence[Path] = (),
    anchor_folders: Sequence[Path] = (),
    *,
    erase_again: EraseAgain,
) -> RestoreReport:
    """Restore the newest of ``candidates`` (newest first, by the dates their manifests claim)
    that authenticates: one whose manifest was changed, whose keyring does not verify or that
    is expired is passed over for the next. Raises what the last one tried raised."""
    if not candidates:
        raise BackupUnusable("No backup of this vault was found; choose a backup file.")
    failure: CaseworkError | None = None
    wrong: WrongCredentials | None = None
    for backup in candidates[:NEWEST_TRIES]:
        try:
            return restore_backup(
                backup,
                target_folder,
                password,
                username,
                folders,
                anchor_folders,
                erase_again=erase_again,
            )
        except WrongCredentials as error:
            # Before sign-in nothing in the folder is authenticated: a backup planted there
            # (its slots changed) would otherwise stop the restore at "wrong password" before
            # the good one behind it was tried.
            log.warning("restore: passed over a backup the credentials do not open")
            wrong = wrong or error
        except BackupUnusable as error:
            log.warning("restore: passed over a backup that does not authenticate")
            failure = error
    if wrong is not None:
        raise wrong
    assert failure is not None
    raise failure


def _anchor_restored(folder: Path, keyring_id: str, secrets: VaultSecrets) -> None:
    """The restored vault's audit anchor, at its head: restorers hold K_0."""
    from casework.vault import anchor
    from casework.vault.layout import DATABASE

    if secrets.audit_root_key is None:
        return
    try:
        connection = raw_connection(folder / DATABASE, secrets.database_key)
        try:
            anchor.refresh(folder, keyring_id, secrets, connection)
        finally:
            connection.close()
    except Exception:  # the anchor is a check: its absence is reported, never a failed restore
        log.warning("the restored vault's audit anchor could not be written")


def restore_backup(
    backup: Path,
    target_folder: Path,
    password: str,
    username: str | None = None,
    folders: Sequence[Path] = (),
    anchor_folders: Sequence[Path] = (),
    *,
    erase_again: EraseAgain,
) -> RestoreReport:
    """Restore ``backup`` as a new vault in ``target_folder`` (which must not hold one). With
    ``username``, ``password`` is that administrator's; without, it is the recovery code.
    ``folders``: the vault's other backup folders, whose expiry lists and anchors apply too;
    ``anchor_folders``: folders whose audit-anchor.json applies (a vault set aside).
    ``erase_again``: how the people of the erasure ledger are erased again (see EraseAgain)."""
    from casework.vault.layout import DATABASE, KEYRING

    manifest = read_manifest(backup)
    target_folder = Path(target_folder)
    if target_folder.exists() and not target_folder.is_dir():
        raise BackupUnusable(
            f"{target_folder} is a file, not a folder: choose a folder for the restored vault "
            "(a new one is made if it does not exist). Nothing was restored."
        )
    if (target_folder / DATABASE).exists() or (target_folder / KEYRING).exists():
        raise VaultExists()
    refuse_expired(backup, manifest, folders)
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
    if manifest["format"] < 2 and keyring.format >= 2:
        # Backups with a format-2 keyring always carry a MAC: one that says format 1 was
        # edited, to pass for an older backup whose manifest is not authenticated.
        raise BackupUnusable(CHANGED)
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
        raise BackupUnusable(CHANGED)
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
        ledger = newer_ledger(
            backup, manifest, secrets, (password, username), folders, anchor_folders
        )
        erased = apply_ledger(target_folder / DATABASE, secrets.database_key, ledger, erase_again)
    except BaseException:
        (target_folder / DATABASE).unlink(missing_ok=True)
        raise
    if erased:
        log.warning("restore: %d person(s) erased since this backup were erased again", erased)
    keyring.drop_slots(untrusted)  # never trusted, so never carried into the restored vault
    keyring.save(target_folder / KEYRING)
    _anchor_restored(target_folder, keyring.keyring_id, secrets)
    restrict_vault_files(target_folder)
    created = datetime.fromisoformat(str(manifest["created_at"]))
    return RestoreReport(created, str(manifest.get("label", "")), int(head["seq"]))
