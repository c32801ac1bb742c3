"""The tests' Argon2 floor.

Argon2 at security.md's floor (t=3, m=64 MiB) costs 0.2 s a derivation here, 2-3 s in every
vault fixture. In the test process only, the floor is lowered to a test floor; the production
floor is what ships (casework/vault/crypto.py), and the conftest's ``production_kdf_floor``
restores it for the tests of the floor itself. A child process a test starts keeps the
production floor, unless it is one of the tests' own drivers, which call
``use_test_kdf_floor`` (tests/security/lock_memory_driver.py).
"""

from __future__ import annotations

from casework.vault import crypto

PRODUCTION_KDF_FLOOR = (crypto.MIN_TIME_COST, crypto.MIN_MEMORY_KIB)
TEST_KDF_FLOOR = (2, 8 * 1024)


def use_test_kdf_floor() -> None:
    crypto.MIN_TIME_COST, crypto.MIN_MEMORY_KIB = TEST_KDF_FLOOR
