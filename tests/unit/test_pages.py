"""The page check of a fresh copy agrees with SQLCipher's own: every page of a good file
authenticates, and a changed bit anywhere in a page (its ciphertext, IV or MAC, or the salt
that keys them all) or a missing page is found, with the page's number."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from casework.errors import VaultDamaged
from casework.platform import start_helper
from casework.vault import pages
from casework.vault.backup import verify_copy
from casework.vault.engine import raw_connection
from casework.vault.pages import MAC_BYTES, PAGE_SIZE, RESERVE, SALT_BYTES

HEAD_MAC = "ab" * 32
HEAD = {"seq": 4, "mac": HEAD_MAC}


def make_file(path: Path, key: bytes) -> int:
    """A copy as a backup writes it (a few dozen pages, an audit head); returns its page
    count."""
    connection = raw_connection(path, key)
    try:
        connection.execute("CREATE TABLE audit_state (next_seq INTEGER, head_mac BLOB)")
        connection.execute("INSERT INTO audit_state VALUES (5, ?)", (bytes.fromhex(HEAD_MAC),))
        connection.execute("CREATE TABLE t (x BLOB)")
        connection.executemany("INSERT INTO t VALUES (?)", [(os.urandom(300),) for _ in range(400)])
        connection.execute("PRAGMA journal_mode = DELETE").fetchall()  # all in the one file
        return int(connection.execute("PRAGMA page_count").fetchone()[0])
    finally:
        connection.close()


def sqlcipher_finds_damage(path: Path, key: bytes) -> bool:
    try:
        connection = raw_connection(path, key)
    except VaultDamaged:  # page 1 is read as the file is opened
        return True
    try:
        return bool(connection.execute("PRAGMA cipher_integrity_check").fetchall())
    finally:
        connection.close()


def flipped(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x10
    path.write_bytes(bytes(data))


@pytest.fixture
def key() -> bytes:
    return os.urandom(32)


@pytest.fixture(params=[False, True], ids=["one process", "two processes"])
def helper(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Every check runs both ways: alone, and with the second half in a helper process."""
    monkeypatch.setattr(pages, "PARALLEL_MIN_PAGES", 1)
    monkeypatch.setattr(pages, "BLOCK_PAGES", 4)  # many blocks, and a last short one
    return bool(request.param)


def test_a_good_file_authenticates_as_sqlcipher_says(
    tmp_path: Path, key: bytes, helper: bool
) -> None:
    path = tmp_path / "copy.db"
    count = make_file(path, key)
    assert count > 20
    assert not sqlcipher_finds_damage(path, key)
    connection = raw_connection(path, key)
    try:
        assert pages.understood(connection)
    finally:
        connection.close()
    assert pages.check_pages(path, key, count, helper) is None
    assert verify_copy(path, key) == HEAD
    # Under another key, nothing authenticates.
    assert pages.check_pages(path, os.urandom(32), count, helper) == (
        "page 1 does not authenticate"
    )


@pytest.mark.parametrize(
    ("page", "where"),
    [
        (1, SALT_BYTES + 5),  # page 1's ciphertext, after the salt
        (7, 100),  # ciphertext
        (7, PAGE_SIZE - RESERVE + 3),  # IV
        (7, PAGE_SIZE - MAC_BYTES + 10),  # MAC
        (-2, 2000),  # in the second half
        (-1, PAGE_SIZE - 1),  # the last page's MAC, its last byte
    ],
)
def test_a_changed_bit_is_found_on_its_page(
    tmp_path: Path, key: bytes, helper: bool, page: int, where: int
) -> None:
    path = tmp_path / "copy.db"
    count = make_file(path, key)
    number = count + 1 + page if page < 0 else page
    flipped(path, (number - 1) * PAGE_SIZE + where)
    assert pages.check_pages(path, key, count, helper) == f"page {number} does not authenticate"
    assert sqlcipher_finds_damage(path, key)
    with pytest.raises(OSError, match="did not read back"):
        verify_copy(path, key)


def test_the_first_bad_page_of_two_is_named(tmp_path: Path, key: bytes, helper: bool) -> None:
    path = tmp_path / "copy.db"
    count = make_file(path, key)
    flipped(path, (count - 1) * PAGE_SIZE + 9)  # in the second half
    flipped(path, 4 * PAGE_SIZE + 9)  # page 5, in the first
    assert pages.check_pages(path, key, count, helper) == "page 5 does not authenticate"


def test_the_salt_keys_every_page(tmp_path: Path, key: bytes, helper: bool) -> None:
    path = tmp_path / "copy.db"
    count = make_file(path, key)
    flipped(path, 3)
    assert pages.check_pages(path, key, count, helper) == "page 1 does not authenticate"


def test_a_missing_or_extra_page_is_found(tmp_path: Path, key: bytes) -> None:
    path = tmp_path / "copy.db"
    count = make_file(path, key)
    assert pages.check_pages(path, key, count + 1) is not None
    with path.open("r+b") as file:
        file.truncate((count - 1) * PAGE_SIZE)
    assert pages.check_pages(path, key, count) == (
        f"the file holds {(count - 1) * PAGE_SIZE} bytes, not {count} pages"
    )


def test_the_page_sqlite_never_uses_is_skipped(
    tmp_path: Path, key: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page holding the byte at 1 GiB is never written: here, as if it were page 10."""
    path = tmp_path / "copy.db"
    count = make_file(path, key)
    data = bytearray(path.read_bytes())
    data[9 * PAGE_SIZE : 10 * PAGE_SIZE] = bytes(PAGE_SIZE)
    path.write_bytes(bytes(data))
    assert pages.check_pages(path, key, count, helper=False) == "page 10 does not authenticate"
    monkeypatch.setattr(pages, "PENDING_BYTE", 9 * PAGE_SIZE + 7)
    assert pages.check_pages(path, key, count, helper=False) is None


def test_without_a_helper_process_the_second_half_is_checked_here(
    tmp_path: Path, key: bytes, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(pages, "PARALLEL_MIN_PAGES", 1)
    started: list[str] = []

    def broken(module: str, request: dict[str, object]) -> subprocess.Popen[bytes]:
        started.append(module)
        return start_helper("casework.no_such_module", request)  # exits with an error

    monkeypatch.setattr(pages, "start_helper", broken)
    path = tmp_path / "copy.db"
    count = make_file(path, key)
    assert pages.check_pages(path, key, count) is None
    flipped(path, (count - 1) * PAGE_SIZE + 9)
    assert pages.check_pages(path, key, count) == f"page {count} does not authenticate"
    assert started == ["casework.vault.pages"] * 2
    assert "helper process failed" in caplog.text


def test_another_page_format_is_left_to_sqlcipher(
    tmp_path: Path, key: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A future SQLCipher whose defaults differ: the check is SQLCipher's own."""
    path = tmp_path / "copy.db"
    make_file(path, key)
    monkeypatch.setattr(pages, "UNDERSTOOD", {**pages.UNDERSTOOD, "cipher_page_size": "8192"})
    monkeypatch.setattr(pages, "check_pages", None)  # never called
    assert verify_copy(path, key) == HEAD
    flipped(path, PAGE_SIZE * 5 + 50)
    with pytest.raises(OSError, match="did not read back"):
        verify_copy(path, key)
