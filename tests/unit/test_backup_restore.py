"""Backups restore into a new vault on a machine that never had one, with an administrator's
password or the recovery code; nothing else opens them, and a swapped or damaged file is
refused with a reason."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.errors import VaultExists, WrongCredentials
from casework.services import cases
from casework.vault import backup as backup_module
from casework.vault.backup import audit_head, verify_copy
from casework.vault.opened import OpenVault
from casework.vault.restore import BackupUnusable, manifest_path
from casework.vault.vault import VaultFolder
from tests.conftest import ADMIN_PASSWORD, FAST_KDF, WORKER_PASSWORD
from tests.factories import actor_of, create_vault, restore_file, unlock


def record(vault: OpenVault, name: str, today: date) -> str:
    with vault.transaction() as session:
        return cases.record_survivor(
            session, actor_of(vault), cases.SurvivorInput(first_name=name, intake_date=today), today
        ).case_id


def test_restore_on_a_new_machine_with_the_admin_password(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date, tmp_path: Path
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    case_id = record(amina, "Halima", today)
    amina.lock()
    backup = staffed_vault.backup("manual", tmp_path / "usb-stick")
    manifest = json.loads(manifest_path(backup).read_text())
    assert manifest["audit_head"]["seq"] > 0 and "keyring" in manifest
    assert "Halima" not in manifest_path(backup).read_text()
    elsewhere = tmp_path / "new-laptop" / "vault"
    with pytest.raises(WrongCredentials, match="Only an administrator"):
        restore_file(backup, elsewhere, WORKER_PASSWORD, "amina")
    with pytest.raises(WrongCredentials):
        restore_file(backup, elsewhere, "not the password at all", "admin")
    assert not elsewhere.exists()
    report = restore_file(backup, elsewhere, ADMIN_PASSWORD, "admin")
    assert f"audit row {manifest['audit_head']['seq']}" in report.describe()
    restored = unlock(VaultFolder(elsewhere), "amina", WORKER_PASSWORD)
    with restored.session() as session:
        assert cases.open_case(session, actor_of(restored), case_id).first_name == "Halima"
    restored.lock()
    with pytest.raises(VaultExists):
        restore_file(backup, elsewhere, ADMIN_PASSWORD, "admin")


def test_restore_with_the_recovery_code(tmp_path: Path, today: date) -> None:
    created = create_vault(
        VaultFolder(tmp_path / "vault"),
        org_name="Harbour Light",
        country="KE",
        province="",
        admin_username="admin",
        admin_password=ADMIN_PASSWORD,
        kdf=FAST_KDF,
    )
    backup = created.vault.backup("manual")
    created.vault.lock()
    restore_file(backup, tmp_path / "restored", created.recovery_code.lower())
    unlock(VaultFolder(tmp_path / "restored"), "admin", ADMIN_PASSWORD).lock()


def test_a_swapped_or_damaged_backup_is_refused(
    staffed_vault: OpenVault, today: date, tmp_path: Path
) -> None:
    older = staffed_vault.backup("first", tmp_path / "b")
    newer = staffed_vault.backup("second", tmp_path / "b")
    swapped = tmp_path / "swap" / newer.name
    swapped.parent.mkdir()
    shutil.copy(older, swapped)  # the older database under the newer manifest
    shutil.copy(manifest_path(newer), manifest_path(swapped))
    with pytest.raises(BackupUnusable):
        restore_file(swapped, tmp_path / "r1", ADMIN_PASSWORD, "admin")
    damaged = tmp_path / "damaged" / newer.name
    damaged.parent.mkdir()
    data = bytearray(newer.read_bytes())
    data[5000] ^= 0xFF
    damaged.write_bytes(bytes(data))
    shutil.copy(manifest_path(newer), manifest_path(damaged))
    with pytest.raises(BackupUnusable):
        restore_file(damaged, tmp_path / "r2", ADMIN_PASSWORD, "admin")
    manifest_path(damaged).unlink()
    with pytest.raises(BackupUnusable, match=r"manifest .* is missing"):
        restore_file(damaged, tmp_path / "r3", ADMIN_PASSWORD, "admin")
    assert not any((tmp_path / name).exists() for name in ("r1", "r2", "r3"))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(junk=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_any_manifest_bytes_give_a_clear_refusal(tmp_path: Path, junk: bytes) -> None:
    folder = tmp_path / "fuzz"
    folder.mkdir(exist_ok=True)
    backup = folder / "safehold-x.db"
    backup.write_bytes(b"SQLite format 3\x00" + bytes(100))
    manifest_path(backup).write_bytes(junk)
    with pytest.raises((BackupUnusable, WrongCredentials)):
        restore_file(backup, folder / "restored", ADMIN_PASSWORD, "admin")
    assert not (folder / "restored").exists()


def test_rotation_keeps_seven_days_and_four_weeks() -> None:
    from datetime import UTC, datetime, timedelta

    from casework.vault.rotation import BackupEntry, to_delete

    start = datetime(2026, 10, 1, 9, tzinfo=UTC)
    dailies = [
        BackupEntry(Path(f"safehold-d{i:02d}.db"), start + timedelta(days=i), "daily")
        for i in range(40)
    ]
    manual = BackupEntry(Path("safehold-manual.db"), start, "manual")
    doomed = set(to_delete([manual, *dailies], expired=set()))
    kept = [e for e in dailies if e.path not in doomed]
    newest = {e.created_at.date() for e in dailies[-7:]}
    assert newest <= {e.created_at.date() for e in kept}
    weeks = {e.created_at.isocalendar()[:2] for e in kept}
    assert len(weeks) == 4 and len(kept) <= 7 + 4
    assert manual.path not in doomed
    expired = {dailies[-1].path.name, manual.path.name}
    doomed = set(to_delete([manual, *dailies], expired))
    assert manual.path in doomed and dailies[-1].path not in doomed  # nothing newer yet


def test_daily_backup_goes_to_the_chosen_folder(staffed_vault: OpenVault, tmp_path: Path) -> None:
    drive = tmp_path / "external-drive" / "safehold"
    staffed_vault.set_backup_folder(drive)
    assert staffed_vault.daily_backup_due()
    written = staffed_vault.daily_backup()
    assert written.parent == drive and not staffed_vault.daily_backup_due()
    assert (drive.stat().st_mode & 0o077) == 0


def test_a_copy_with_one_bad_page_is_caught_before_it_counts_as_a_backup(
    staffed_vault: OpenVault, tmp_path: Path
) -> None:
    staffed_vault.checkpoint()
    copy = tmp_path / "copy.db"
    shutil.copyfile(staffed_vault.folder.database, copy)
    key = staffed_vault.secrets.database_key
    assert verify_copy(copy, key)["seq"] > 0
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit, in a page the sign-in never reads
    copy.write_bytes(bytes(data))
    with pytest.raises(OSError, match="did not read back"):
        verify_copy(copy, key)


def test_a_backup_is_one_snapshot_while_caseworkers_go_on_saving(
    staffed_vault: OpenVault,
    vault_folder: VaultFolder,
    today: date,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(backup_module, "STEP_PAGES", 1)  # a report after every page
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    before = record(amina, "Before", today)
    during: list[str] = []
    with staffed_vault.session() as session:
        head_before = audit_head(session.connection().connection.dbapi_connection)
    heard: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        if not heard:
            during.append(record(amina, "During", today))  # a save between two pages of the copy
        heard.append((done, total))

    written = staffed_vault.backup("manual", tmp_path / "b", progress=progress)
    total = heard[-1][1]
    assert len(heard) == total > 1 and heard[-1][0] == total
    assert [done for done, _ in heard] == sorted(done for done, _ in heard)
    manifest = json.loads(manifest_path(written).read_text())
    assert manifest["audit_head"] == head_before  # the copy is the vault as the backup began
    restore_file(written, tmp_path / "restored", ADMIN_PASSWORD, "admin")
    restored = unlock(VaultFolder(tmp_path / "restored"), "amina", WORKER_PASSWORD)
    with restored.session() as session:
        kept = set(cases.caseload_ids(session, actor_of(restored)))
    assert before in kept and during and during[0] not in kept
    restored.lock()
    with amina.session() as session:  # the save itself was kept, in the vault
        assert during[0] in cases.caseload_ids(session, actor_of(amina))
    amina.lock()


def test_a_cancelled_backup_leaves_no_file(
    staffed_vault: OpenVault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup_module, "STEP_PAGES", 1)

    def cancel(done: int, _total: int) -> None:
        if done >= 3:
            raise KeyboardInterrupt  # what a job's cancel flag raises is not an OSError either

    with pytest.raises(KeyboardInterrupt):
        staffed_vault.backup("manual", tmp_path / "b", progress=cancel)
    assert list((tmp_path / "b").iterdir()) == []


def test_backup_names_read_as_a_date_and_sort_as_they_were_taken(
    admin_vault: OpenVault, tmp_path: Path
) -> None:
    import re

    from casework.vault.backup import backup_order

    taken = [admin_vault.backup("manual", tmp_path) for _ in range(3)]  # within milliseconds
    for path in taken:
        assert re.fullmatch(
            r"safehold-\d{4}-\d{2}-\d{2}-\d{2}\.\d{2}\.\d{2}\.\d{3}Z-manual\.db", path.name
        )
    assert len({p.name for p in taken}) == 3
    assert sorted(taken) == taken == sorted(taken, key=backup_order)
    # a name from before December 2026 sorts among them by its time, not by its spelling
    earlier = tmp_path / "safehold-20200101T000000000000Z-manual.db"
    later = tmp_path / "safehold-29991231T235959000000Z-manual.db"
    assert sorted([later, *taken, earlier], key=backup_order) == [earlier, *taken, later]
    assert backup_order(tmp_path / "safehold-notes.db") == ""  # not a name Safehold gave
