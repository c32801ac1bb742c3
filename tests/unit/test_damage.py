"""Damaged inputs (Safehold issue 15): a damaged keyring, backup manifest, audit row or output
path gets one clear sentence, never a traceback; checking a damaged vault never writes to it."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import ColumnClause, func, literal_column, select, text

from casework import cli
from casework.errors import UnlockThrottled, VaultDamaged
from casework.model import AuditEvent
from casework.services import audit
from casework.services.audit_chain import Helper
from casework.services.integrity import verify_vault
from casework.vault import crypto
from casework.vault.keyring import KeyringError
from casework.vault.opened import OpenVault
from casework.vault.restore import BackupUnusable, manifest_path
from casework.vault.throttle import UnlockThrottle
from casework.vault.vault import VaultFolder
from tests.conftest import ADMIN_PASSWORD
from tests.factories import actor_of, restore_file, unlock

PAGE = 4096
FOUR_TIB_IN_KIB = 4 * 1024**3


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(args: list[str], stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    code = cli.main(args, stdin=io.StringIO(stdin), stdout=out)
    return code, out.getvalue()


def admin_args(folder: VaultFolder) -> list[str]:
    return ["--vault", str(folder.folder), "--user", "admin", "--password-stdin"]


def assert_one_sentence(stderr: str, starts: str) -> None:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"safehold-admin: {starts}"), lines[0]


@pytest.fixture
def guarded_kdf(monkeypatch: pytest.MonkeyPatch) -> list[crypto.KdfParams]:
    """Argon2 runs only with costs inside the accepted bounds: a planted keyring must be
    refused before any key is derived from it. Returns the costs it was asked for."""
    real = crypto.derive_kek
    asked: list[crypto.KdfParams] = []

    def guarded(secret: str, salt: bytes, params: crypto.KdfParams) -> bytes:
        asked.append(params)
        assert crypto.MIN_TIME_COST <= params.time_cost <= crypto.MAX_TIME_COST
        assert crypto.MIN_MEMORY_KIB <= params.memory_kib <= 4 * 1024 * 1024  # 4 GiB
        return real(secret, salt, params)

    monkeypatch.setattr(crypto, "derive_kek", guarded)
    return asked


# -- 1. a malformed keyring ----------------------------------------------------------------


def _slot(data: dict[str, Any], slot_id: str) -> dict[str, Any]:
    slot: dict[str, Any] = data["slots"][slot_id]
    return slot


DAMAGE: dict[str, Callable[[dict[str, Any], str], None]] = {
    "time cost not a number": lambda d, s: _slot(d, s)["kdf"].update(time_cost="three"),
    "time cost below the floor": lambda d, s: _slot(d, s)["kdf"].update(time_cost=1),
    "4 TiB of memory": lambda d, s: _slot(d, s)["kdf"].update(memory_kib=FOUR_TIB_IN_KIB),
    "4 TiB by default": lambda d, s: d["kdf_default"].update(memory_kib=FOUR_TIB_IN_KIB),
    "a fraction of a pass": lambda d, s: _slot(d, s)["kdf"].update(time_cost=3.5),
    "a salt that is not base64": lambda d, s: _slot(d, s)["kdf"].update(salt="not base64!"),
    "a user salt that is not base64": lambda d, s: d.update(user_salt="%%%"),
    "a slot that is a string": lambda d, s: d["slots"].update({s: "a slot"}),
    "kdf_default missing": lambda d, s: d.pop("kdf_default"),
}


def damage_keyring(folder: VaultFolder, how: str) -> bytes:
    keyring = folder.load_keyring()
    data = json.loads(folder.keyring_path.read_text())
    DAMAGE[how](data, keyring.slot_id("admin"))
    folder.keyring_path.write_text(json.dumps(data))
    return folder.keyring_path.read_bytes()


@pytest.mark.parametrize("how", sorted(DAMAGE))
def test_a_malformed_keyring_is_refused_as_damaged_before_any_key_is_derived(
    admin_vault: OpenVault, vault_folder: VaultFolder, guarded_kdf: list[Any], how: str
) -> None:
    admin_vault.lock()
    planted = damage_keyring(vault_folder, how)
    for name in ("admin", "nobody"):  # a slot, and the stand-in for a missing one
        with pytest.raises(KeyringError) as refused:
            unlock(vault_folder, name, ADMIN_PASSWORD)
        assert isinstance(refused.value, VaultDamaged)  # the sign-in offers the restore
        assert "keyring.json is damaged" in refused.value.message
        assert "restore the vault from a backup" in refused.value.message
    assert guarded_kdf == []
    assert vault_folder.keyring_path.read_bytes() == planted


@pytest.mark.parametrize("how", ["a slot that is a string", "4 TiB of memory"])
def test_the_cli_says_the_keyring_is_damaged_in_one_sentence(
    admin_vault: OpenVault,
    vault_folder: VaultFolder,
    guarded_kdf: list[Any],
    capsys: pytest.CaptureFixture[str],
    how: str,
) -> None:
    admin_vault.lock()
    damage_keyring(vault_folder, how)
    for command in (["users", "list"], ["verify"]):
        code, _ = run([*command, *admin_args(vault_folder)], ADMIN_PASSWORD + "\n")
        assert code == 1
        assert_one_sentence(capsys.readouterr().err, "The vault's keyring.json is damaged")


def test_a_manifest_carrying_a_planted_keyring_is_refused(
    admin_vault: OpenVault,
    tmp_path: Path,
    guarded_kdf: list[Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    backup = admin_vault.backup("manual", tmp_path / "stick")
    slot_id = admin_vault.keyring.slot_id("admin")
    admin_vault.lock()
    manifest = json.loads(manifest_path(backup).read_text())
    manifest["keyring"]["slots"][slot_id]["kdf"]["memory_kib"] = FOUR_TIB_IN_KIB
    manifest_path(backup).write_text(json.dumps(manifest))
    target = tmp_path / "new-laptop"
    with pytest.raises(BackupUnusable, match="keyring in the backup's manifest is damaged"):
        restore_file(backup, target, ADMIN_PASSWORD, "admin")
    restore = ["restore", "--from", str(backup), "--vault", str(target), "--user", "admin"]
    code, _ = run([*restore, "--password-stdin"], ADMIN_PASSWORD + "\n")
    assert code == 1
    assert_one_sentence(capsys.readouterr().err, "The keyring in the backup's manifest")
    assert not (target / "safehold.db").exists()
    assert guarded_kdf == []


def test_kdf_costs_have_a_floor_and_a_ceiling(production_kdf_floor: None) -> None:
    for bad in (
        {"time_cost": 2, "memory_kib": 65536, "parallelism": 1},
        {"time_cost": 3, "memory_kib": 65535, "parallelism": 1},
        {"time_cost": 3, "memory_kib": 4 * 1024 * 1024 + 1, "parallelism": 1},
        {"time_cost": 10_000, "memory_kib": 65536, "parallelism": 1},
        {"time_cost": 3, "memory_kib": 65536, "parallelism": 0},
        {"time_cost": "3", "memory_kib": 65536, "parallelism": 1},
        {"time_cost": True, "memory_kib": 65536, "parallelism": 1},
        {"time_cost": 3, "memory_kib": 65536},
        "3,65536,1",
    ):
        with pytest.raises(ValueError):
            crypto.KdfParams.from_json(bad)
    ceiling = {"time_cost": 3, "memory_kib": 4 * 1024 * 1024, "parallelism": 1}
    assert crypto.KdfParams.from_json(ceiling).memory_kib == 4 * 1024 * 1024


# -- 2. an audit row whose time is not a time ------------------------------------------------


def alter_time(vault: OpenVault, seq: int, value: object) -> None:
    with vault.transaction() as session:
        session.execute(
            text("UPDATE audit_events SET at = :at WHERE seq = :seq"), {"at": value, "seq": seq}
        )


@pytest.mark.parametrize("value", ["garbage", 20261123])
def test_an_audit_row_whose_time_is_not_a_time_is_named_as_the_first_bad_one(
    staffed_vault: OpenVault, value: object
) -> None:
    alter_time(staffed_vault, 3, value)
    report = verify_vault(staffed_vault, actor_of(staffed_vault))
    assert not report.ok
    assert report.chain.first_bad_seq == 3
    assert report.chain.reason == "row 3 was altered"


@pytest.mark.parametrize("value", ["garbage", 20261123])
def test_the_helper_process_names_that_row_too(
    staffed_vault: OpenVault, monkeypatch: pytest.MonkeyPatch, value: object
) -> None:
    with staffed_vault.session() as session:
        last = session.execute(select(func.max(AuditEvent.seq))).scalar_one()
        rowid: ColumnClause[int] = literal_column("rowid")
        lowest, highest = session.execute(
            select(func.min(rowid), func.max(rowid)).select_from(AuditEvent)
        ).one()
    alter_time(staffed_vault, last, value)  # in the second half: the helper's
    secrets = staffed_vault.secrets
    assert secrets.audit_root_key is not None
    with Helper(
        staffed_vault.folder.database, secrets.database_key, secrets.audit_root_key
    ) as check:
        segment = check(lowest, highest).result()  # OSError if the helper crashed
    assert segment.failure is not None and segment.failure.first_bad_seq == last
    monkeypatch.setattr(audit, "PARALLEL_MIN_ROWS", 1)  # split even this short chain
    report = verify_vault(staffed_vault, actor_of(staffed_vault))
    assert report.chain.first_bad_seq == last and not report.ok


# -- 3. an output path that cannot be made -------------------------------------------------


@pytest.fixture
def demo_folder(tmp_path: Path) -> VaultFolder:
    code, _ = run(["demo", "--cases", "30", "--vault", str(tmp_path / "demo")])
    assert code == 0
    return VaultFolder(tmp_path / "demo")


def demo_args(folder: VaultFolder) -> tuple[list[str], str]:
    from casework.demo import DEMO_PASSWORD

    return ["--vault", str(folder.folder), "--user", "admin", "--password-stdin"], (
        DEMO_PASSWORD + "\n"
    )


def test_backup_and_export_to_a_place_that_cannot_be_made_say_so_in_one_sentence(
    demo_folder: VaultFolder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, password = demo_args(demo_folder)
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    code, _ = run(["backup", "--out", str(in_the_way / "stick" / "h.db"), *base], password)
    assert code == 1
    assert_one_sentence(capsys.readouterr().err, "No backup was written")
    assert run(["profiles", "add", "National", "--hub-id", "KE", *base], password)[0] == 0
    out = in_the_way / "reports" / "2026-Q1"
    export = ["export", "quarterly", "--period", "2026-Q1", "--profile", "National"]
    code, _ = run([*export, "--out", str(out), *base], password)
    assert code == 1
    assert_one_sentence(capsys.readouterr().err, "Nothing was exported")
    code, _ = run([*export, "--out", str(tmp_path / "reports" / "2026-Q1"), *base], password)
    assert code == 0  # the same export to a place that can be made


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_a_backup_into_an_existing_shared_folder_leaves_its_permissions(
    demo_folder: VaultFolder, tmp_path: Path
) -> None:
    base, password = demo_args(demo_folder)
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    assert run(["backup", "--out", str(shared / "harbour.db"), *base], password)[0] == 0
    assert mode(shared) == 0o755
    assert mode(shared / "harbour.db") == 0o600
    made = tmp_path / "new" / "deeper"
    assert run(["backup", "--out", str(made / "harbour.db"), *base], password)[0] == 0
    assert mode(made) == 0o700 and mode(made.parent) == 0o700  # what the app made is private


# -- 4. verify on a damaged vault writes nothing -------------------------------------------


def flip_a_byte(database: Path, page: int) -> None:
    data = bytearray(database.read_bytes())
    data[(page - 1) * PAGE + 100] ^= 0x5A
    database.write_bytes(bytes(data))


@pytest.fixture
def damaged(admin_vault: OpenVault, vault_folder: VaultFolder) -> Path:
    """A vault with a backup in its backups folder, then one byte of page 3 flipped."""
    backup = admin_vault.backup("manual")
    admin_vault.checkpoint()
    admin_vault.lock()
    assert not Path(f"{vault_folder.database}-wal").exists()
    flip_a_byte(vault_folder.database, 3)
    return backup


def test_verify_on_a_damaged_vault_writes_nothing_and_says_how_to_restore(
    damaged: Path, vault_folder: VaultFolder
) -> None:
    before = digest(vault_folder.database)
    code, told = run(["verify", *admin_args(vault_folder)], ADMIN_PASSWORD + "\n")
    assert code == 1
    assert digest(vault_folder.database) == before
    lines = told.strip().splitlines()
    assert len(lines) <= 6, lines
    assert lines[0].startswith("The vault's database is damaged: page 3")
    created = json.loads(manifest_path(damaged).read_text())["created_at"][:16].replace("T", " ")
    assert f"The newest good backup is from {created} UTC: {damaged}" in told
    assert f"safehold-admin restore --from {damaged} --replace-damaged" in told
    code, detailed = run(["verify", "--details", *admin_args(vault_folder)], ADMIN_PASSWORD + "\n")
    assert code == 1
    assert len(detailed.strip().splitlines()) > len(lines)
    assert "The checks' full output:" in detailed
    code, as_json = run(["verify", "--json", *admin_args(vault_folder)], ADMIN_PASSWORD + "\n")
    assert code == 1 and json.loads(as_json)["newest_backup"] == str(damaged)
    assert digest(vault_folder.database) == before


def test_verify_on_a_sound_vault_writes_nothing_either(
    admin_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    admin_vault.checkpoint()
    admin_vault.lock()
    before = digest(vault_folder.database)
    code, told = run(["verify", *admin_args(vault_folder)], ADMIN_PASSWORD + "\n")
    assert code == 0, told
    assert told.splitlines()[0] == "Database: ok"
    assert digest(vault_folder.database) == before


def test_the_app_sign_in_checks_before_it_writes(damaged: Path, vault_folder: VaultFolder) -> None:
    before = digest(vault_folder.database)
    with pytest.raises(VaultDamaged) as refused:
        unlock(vault_folder, "admin", ADMIN_PASSWORD, check_first=True)
    message = refused.value.message
    created = json.loads(manifest_path(damaged).read_text())["created_at"][:16].replace("T", " ")
    assert message.startswith("The vault's database is damaged: page 3")
    assert f"The newest good backup is from {created} UTC." in message
    assert "Restore from the latest backup" in message
    assert digest(vault_folder.database) == before
    assert vault_folder.latest_backup() == damaged


# -- the sign-in's wait -------------------------------------------------------------------


def test_the_wait_is_said_in_the_singular_and_the_plural() -> None:
    assert UnlockThrottled(1.2).message == "Too many failed attempts. Try again in 1 second."
    assert UnlockThrottled(0.3).message.endswith("Try again in 1 second.")
    assert UnlockThrottled(2.0).message.endswith("Try again in 2 seconds.")


def test_the_throttle_says_one_second(tmp_path: Path) -> None:
    state = tmp_path / "unlock-state.json"
    # Three failures ask for one second; the last one "now" leaves about a second to wait.
    state.write_text(json.dumps({"failures": 3, "last_failure": time.time() + 0.4}))
    with pytest.raises(UnlockThrottled, match=r"Try again in 1 second\.$"):
        UnlockThrottle(state).check()


def test_a_damaged_first_page_is_told_the_same_way(
    admin_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    backup = admin_vault.backup("manual")
    admin_vault.checkpoint()
    admin_vault.lock()
    flip_a_byte(vault_folder.database, 1)
    before = digest(vault_folder.database)
    with pytest.raises(VaultDamaged) as refused:
        unlock(vault_folder, "admin", ADMIN_PASSWORD, check_first=True)
    assert refused.value.message.startswith("The vault's database is damaged: it cannot be opened")
    assert "The newest good backup is from" in refused.value.message
    code, told = run(["verify", *admin_args(vault_folder)], ADMIN_PASSWORD + "\n")
    assert code == 1 and str(backup) in told
    assert digest(vault_folder.database) == before


def test_a_backup_onto_a_full_disk_says_so_and_leaves_no_file(
    admin_vault: OpenVault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It printed sqlcipher3's OperationalError as a traceback. The copy's file is held to a
    few pages, so SQLite itself answers "database or disk is full", as on a full drive."""
    from casework.errors import DiskFull
    from casework.vault import backup as backup_module
    from casework.vault.engine import raw_connection

    real = raw_connection
    drive = tmp_path / "drive"

    def small_drive(path: Path, key: bytes):  # type: ignore[no-untyped-def]
        connection = real(path, key)
        if Path(path).parent == drive:
            connection.execute("PRAGMA max_page_count = 4").fetchall()
        return connection

    monkeypatch.setattr(backup_module, "raw_connection", small_drive)
    with pytest.raises(DiskFull):
        admin_vault.backup("manual", folder=drive)
    assert not list(drive.glob("*.db"))
    assert admin_vault.backup("manual", folder=tmp_path / "roomy").exists()


@pytest.mark.parametrize("value", ["garbage", 20261123])
def test_the_audit_screen_says_a_row_was_altered_rather_than_fail(
    staffed_vault: OpenVault, value: object
) -> None:
    from casework.application.desk import Desk
    from casework.services.audit_review import AuditFilter
    from tests.conftest import SUPERVISOR_PASSWORD

    alter_time(staffed_vault, 3, value)
    supervisor = unlock(staffed_vault.folder, "sara", SUPERVISOR_PASSWORD)
    try:
        with pytest.raises(VaultDamaged, match=r"time that is not a time.*verify"):
            Desk(supervisor, actor_of(supervisor)).audit.trail(AuditFilter())
    finally:
        supervisor.lock()
