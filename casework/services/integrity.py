"""Integrity of a vault: the database pages, and the audit chain."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlcipher3

from casework.errors import PermissionDenied, VaultDamaged
from casework.services import audit
from casework.services.audit_chain import Helper
from casework.vault.engine import raw_connection
from casework.vault.vault import OpenVault


@dataclass(frozen=True)
class IntegrityReport:
    database: str
    chain: audit.ChainReport

    @property
    def ok(self) -> bool:
        return self.database == "ok" and self.chain.ok


def check_database(vault: OpenVault) -> str:
    """SQLite's integrity check and SQLCipher's page MACs (after a checkpoint, as they read the
    main file only); "ok" or the first problem found."""
    # A fresh connection: FTS5 keeps a per-connection copy of an index's structure, and a pooled
    # connection that has not read since another one wrote reports false checksum mismatches.
    try:
        connection = raw_connection(vault.folder.database, vault.secrets.database_key)
    except VaultDamaged:
        return "the database cannot be opened with its key"
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        result = connection.execute("PRAGMA integrity_check").fetchall()
        if [tuple(r) for r in result] != [("ok",)]:
            return str(result[0][0])
        cipher_errors = connection.execute("PRAGMA cipher_integrity_check").fetchall()
        if cipher_errors:
            return str(cipher_errors[0][0])
    except sqlcipher3.DatabaseError as error:  # a damaged page stops the check itself
        return f"the database is damaged ({type(error).__name__})"
    finally:
        connection.close()
    return "ok"


def verify_vault(
    vault: OpenVault, progress: Callable[[int, int], None] | None = None
) -> IntegrityReport:
    root_key = vault.secrets.audit_root_key
    if root_key is None:
        raise PermissionDenied("Checking the audit chain needs a supervisor or administrator.")
    database = check_database(vault)
    helper = Helper(vault.folder.database, vault.secrets.database_key, root_key)
    with helper as in_other_process, vault.session() as session:
        chain = audit.verify(session, root_key, progress, in_other_process)
    return IntegrityReport(database, chain)
