"""The page check of a fresh copy agrees with SQLCipher's own: every page of a good file
authenticates, and a changed bit anywhere in a page (its ciphertext, IV or MAC, or the salt
that keys them all) or a missing page is found, with the page's number."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from casework.errors import VaultDamaged
from casework.vault import pages
from casework.vault.backup import verify_copy
from casework.vault.engine import raw_connection
from casework.vault.pages import MAC_BYTES, PAGE_SIZE, RESERVE, SALT_BYTES

HEAD = {"seq": 4, "mac": "ab" * 32}


def make_file(path: Path, key: bytes) -> int:
    """A copy as a backup writes it (a few dozen pages, an audit head); returns its page
    count."""
    connection = raw_connection(path, key)
    try:
        connection.execute("CREATE TABLE audit_state (next_seq INTEGER, head_mac BLOB)")
        connection.execute("INSERT INTO audit_state VALUES (5, ?)", (bytes.fromhex(HEAD["mac"]),))
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


def test_a_good_file_authenticates_as_sqlcipher_says(tmp_path: Path, key: bytes) -> None:
    path = tmp_path / "copy.db"
    count = make_file(path, key)
    assert count > 20
    connection = raw_connection(path, key)
    try:
        assert pages.understood(connection)
        assert connection.execute("PRAGMA cipher_integrity_check").fetchall() == []
    finally:
        connection.close()
    assert pages.check_pages(path, key, count) is None
    assert verify_copy(path, key) == HEAD
    # Under another key, nothing authenticates.
    assert pages.check_pages(path, os.urandom(32), count) == "page 1 does not authenticate"


@pytest.mark.parametrize(
    ("page", "where"),
    [
        (1, SALT_BYTES + 5),  # page 1's ciphertext, after the salt
        (7, 100),  # ciphertext
        (7, PAGE_SIZE - RESERVE + 3),  # IV
        (7, PAGE_SIZE - MAC_BYTES + 10),  # MAC
        (-1, PAGE_SIZE - 1),  # the last page's MAC, its last byte
    ],
)
def test_a_changed_bit_is_found_on_its_page(
    tmp_path: Path, key: bytes, page: int, where: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "BLOCK_PAGES", 4)  # many blocks, several in flight
    path = tmp_path / "copy.db"
    count = make_file(path, key)
    number = count if page == -1 else page
    flipped(path, (number - 1) * PAGE_SIZE + where)
    assert pages.check_pages(path, key, count) == f"page {number} does not authenticate"
    assert sqlcipher_finds_damage(path, key)
    with pytest.raises(OSError, match="did not read back"):
        verify_copy(path, key)


def test_the_salt_keys_every_page(tmp_path: Path, key: bytes) -> None:
    path = tmp_path / "copy.db"
    count = make_file(path, key)
    flipped(path, 3)
    assert pages.check_pages(path, key, count) == "page 1 does not authenticate"


def test_a_missing_or_extra_page_is_found(tmp_path: Path, key: bytes) -> None:
    path = tmp_path / "copy.db"
    count = make_file(path, key)
    assert pages.check_pages(path, key, count + 1) is not None
    with path.open("r+b") as file:
        file.truncate((count - 1) * PAGE_SIZE)
    assert pages.check_pages(path, key, count) == (
        f"the file holds {(count - 1) * PAGE_SIZE} bytes, not {count} pages"
    )


def test_progress_counts_every_page_once(
    tmp_path: Path, key: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "BLOCK_PAGES", 5)
    path = tmp_path / "copy.db"
    count = make_file(path, key)
    heard: list[tuple[int, int]] = []
    assert pages.check_pages(path, key, count, lambda *done_total: heard.append(done_total)) is None
    assert heard == sorted(heard) and heard[-1] == (count, count)
    assert {total for _, total in heard} == {count}
    assert len(heard) == -(-count // 5)


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
