"""SQLCipher's page authentication, checked outside SQLite, for a copy just written.

Every page of a SQLCipher 4 file ends in a 16-byte IV and a 64-byte HMAC-SHA512 of the page's
ciphertext, its IV and its page number. The key of that HMAC is derived from the database key
and the salt in the file's first 16 bytes (PBKDF2-HMAC-SHA512, 2 rounds, salt masked with 0x3a).
``PRAGMA cipher_integrity_check`` checks each page with a system call and a hash in turn, on
one core: 13-15 s of a 3.1 GB backup's minute. Here the file is read in large blocks, and a
large file's second half is checked by a helper process (``python -m casework.vault.pages``)
on the other core. The helper is given the MAC key alone, which authenticates pages but
decrypts nothing.

Only the page format of SQLCipher's defaults is understood: the caller reads the database's
own settings through SQLCipher and asks SQLCipher to check any other format itself
(``understood``). Checking only ever reads: a mistake here can fail a good copy, which the tests
would show, but it cannot damage one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from casework.platform import helper_answer, helper_request, start_helper, stop_helper

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
# SQLite never uses the page holding the byte at 1 GiB (its file locks' "pending byte"), and
# SQLCipher writes nothing there: that page of a file over 1 GiB is skipped, as SQLCipher's own
# check skips it.
PENDING_BYTE = 0x40000000
# Pages read at a time: 4 MiB.
BLOCK_PAGES = 1024
# Below this many pages (200 MB) a helper process would take longer to start than it saves.
PARALLEL_MIN_PAGES = 50_000

log = logging.getLogger(__name__)


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


def first_bad_page(path: Path, key: bytes, first: int, last: int) -> int | None:
    """The number of the first page from ``first`` to ``last`` whose MAC does not match
    under ``key`` (the MAC key), or None."""
    keyed = hmac.new(key, digestmod=hashlib.sha512)
    macced = PAGE_SIZE - RESERVE + IV_BYTES  # ciphertext and IV, then the MAC
    unused = PENDING_BYTE // PAGE_SIZE + 1
    number = first
    with path.open("rb", buffering=0) as file:
        file.seek((first - 1) * PAGE_SIZE)
        while number <= last:
            block = file.read(min(BLOCK_PAGES, last - number + 1) * PAGE_SIZE)
            if len(block) < PAGE_SIZE:
                return number  # the file ends early
            view = memoryview(block)
            for offset in range(0, len(block) - PAGE_SIZE + 1, PAGE_SIZE):
                if number != unused:
                    page = view[offset : offset + PAGE_SIZE]
                    mac = keyed.copy()
                    mac.update(page[SALT_BYTES if number == 1 else 0 : macced])
                    mac.update(number.to_bytes(4, "little"))
                    if not hmac.compare_digest(mac.digest(), page[macced : macced + MAC_BYTES]):
                        return number
                number += 1
    return None


def check_pages(
    path: Path, database_key: bytes, page_count: int, helper: bool = True
) -> str | None:
    """None if the file holds exactly ``page_count`` pages (the count SQLite read from its
    header) and every one authenticates under ``database_key``; otherwise what is wrong.
    With ``helper``, a file of ``PARALLEL_MIN_PAGES`` or more is checked in two halves at
    once, the second by a helper process (by this one if the helper cannot run)."""
    size = os.stat(path).st_size
    if size != page_count * PAGE_SIZE:
        return f"the file holds {size} bytes, not {page_count} pages"
    with path.open("rb") as file:
        key = mac_key(database_key, file.read(SALT_BYTES))
    middle = page_count
    process = None
    if helper and page_count >= PARALLEL_MIN_PAGES:
        middle = page_count // 2
        request = {"path": str(path), "key": key.hex(), "first": middle + 1, "last": page_count}
        process = start_helper("casework.vault.pages", request)
    try:
        bad = first_bad_page(path, key, 1, middle)
        if bad is None and process is not None:
            try:
                bad = helper_answer(process)["bad"]
            except OSError:  # no helper process here: check the rest in this one
                log.warning("the page check's helper process failed; checking in one process")
                bad = first_bad_page(path, key, middle + 1, page_count)
    finally:
        if process is not None:
            stop_helper(process)
    return None if bad is None else f"page {bad} does not authenticate"


def _serve() -> None:
    """The helper process: one request on standard input, one answer on standard output."""
    request = helper_request()
    key = bytes.fromhex(request["key"])
    bad = first_bad_page(Path(request["path"]), key, request["first"], request["last"])
    sys.stdout.write(json.dumps({"bad": bad}))


if __name__ == "__main__":
    _serve()
