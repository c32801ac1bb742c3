"""SQLCipher's page authentication, checked outside SQLite, for a copy just written.

Every page of a SQLCipher 4 file ends in a 16-byte IV and a 64-byte HMAC-SHA512 of the page's
ciphertext, its IV and its page number. The key of that HMAC is derived from the database key
and the salt in the file's first 16 bytes (PBKDF2-HMAC-SHA512, 2 rounds, salt masked with 0x3a).
``PRAGMA cipher_integrity_check`` checks each page with a system call and a hash in turn, on
one core: 13 s of a 3.1 GB backup's minute. Here the file is read in blocks and the pages'
MACs are computed in two threads (the hash runs without the interpreter lock), so both cores
share the work.

Only the page format of SQLCipher's defaults is understood: the caller reads the database's
own settings through SQLCipher and asks SQLCipher to check any other format itself
(``understood``). Checking only ever reads: a mistake here can fail a good copy, which the tests
would show, but it cannot damage one.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

# The settings whose page format is the one below (as ``PRAGMA cipher_settings`` lists them).
UNDERSTOOD = {
    "cipher_page_size": "4096",
    "cipher_use_hmac": "1",
    "cipher_plaintext_header_size": "0",
    "cipher_hmac_algorithm": "HMAC_SHA512",
    "cipher_kdf_algorithm": "PBKDF2_HMAC_SHA512",
}
PAGE_SIZE = 4096
SALT_BYTES = 16
IV_BYTES = 16
MAC_BYTES = 64
RESERVE = IV_BYTES + MAC_BYTES
HMAC_SALT_MASK = 0x3A
FAST_KDF_ROUNDS = 2
KEY_BYTES = 32
# Pages read and handed to a thread at a time: 4 MiB.
BLOCK_PAGES = 1024
IN_FLIGHT = 3

Progress = Callable[[int, int], None]


def understood(connection: Any) -> bool:
    """Whether an open, keyed SQLCipher connection's database has the page format checked
    here."""
    settings: dict[str, str] = {}
    for (statement,) in connection.execute("PRAGMA cipher_settings").fetchall():
        name, _, value = str(statement).removeprefix("PRAGMA ").rstrip(";").partition(" = ")
        settings[name.strip()] = value.strip()
    return all(settings.get(name) == value for name, value in UNDERSTOOD.items())


def mac_key(database_key: bytes, salt: bytes) -> bytes:
    masked = bytes(byte ^ HMAC_SALT_MASK for byte in salt)
    return hashlib.pbkdf2_hmac("sha512", database_key, masked, FAST_KDF_ROUNDS, KEY_BYTES)


def _first_bad_page(key: bytes, block: bytes, first_page: int) -> int | None:
    """The number of the first page in ``block`` whose MAC does not match, or None."""
    keyed = hmac.new(key, digestmod=hashlib.sha512)  # its own, for its own thread
    view = memoryview(block)
    macced = PAGE_SIZE - RESERVE + IV_BYTES  # ciphertext and IV, then the MAC
    for index in range(len(block) // PAGE_SIZE):
        number = first_page + index
        page = view[index * PAGE_SIZE : (index + 1) * PAGE_SIZE]
        mac = keyed.copy()
        mac.update(page[SALT_BYTES if number == 1 else 0 : macced])
        mac.update(number.to_bytes(4, "little"))
        if not hmac.compare_digest(mac.digest(), page[macced : macced + MAC_BYTES]):
            return number
    return None


def _blocks(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb", buffering=0) as file:
        first_page = 1
        while block := file.read(BLOCK_PAGES * PAGE_SIZE):
            yield first_page, block
            first_page += len(block) // PAGE_SIZE


def check_pages(
    path: Path, database_key: bytes, page_count: int, progress: Progress | None = None
) -> str | None:
    """None if the file holds exactly ``page_count`` pages (the count SQLite read from its
    header) and every one authenticates under ``database_key``; otherwise what is wrong.
    ``progress(done, total)`` hears after each block, in pages."""
    size = os.stat(path).st_size
    if size != page_count * PAGE_SIZE:
        return f"the file holds {size} bytes, not {page_count} pages"
    with path.open("rb") as file:
        key = mac_key(database_key, file.read(SALT_BYTES))
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="page-check") as pool:
        in_flight: deque[tuple[Future[int | None], int]] = deque()
        blocks = _blocks(path)
        checked = 0
        while True:
            # Three blocks in hand at most (12 MiB): two being checked, one being read.
            for first_page, block in islice(blocks, IN_FLIGHT - len(in_flight)):
                future = pool.submit(_first_bad_page, key, block, first_page)
                in_flight.append((future, len(block) // PAGE_SIZE))
            if not in_flight:
                return None
            done, pages = in_flight.popleft()
            bad = done.result()
            if bad is not None:
                for future, _pages in in_flight:
                    future.cancel()
                return f"page {bad} does not authenticate"
            checked += pages
            if progress is not None:
                progress(checked, page_count)
