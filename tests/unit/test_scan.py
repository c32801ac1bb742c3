"""The exports' fast reader returns exactly what SQLAlchemy would, value for value."""

from __future__ import annotations

import gc
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework.demo import create_demo_vault
from casework.model import Case, Referral, StatusChange, Stay, Survivor
from casework.reporting import scan as scan_module
from casework.reporting.records import CASE_COLUMNS, SURVIVOR_COLUMNS
from casework.reporting.scan import (
    LET_GO_SLICE,
    SEPARATOR,
    TALLY_SLICE,
    gc_paused,
    let_go,
    scan,
    snapshot_pair,
    tally,
)
from casework.services import cases
from casework.vault.engine import raw_connection
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import WORKER_PASSWORD
from tests.factories import actor_of, unlock


class Own:
    """A row type of the caller's own, made from the columns in order."""

    def __init__(self, *values: object) -> None:
        self.values = values

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Own) and other.values == self.values


def plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def test_scan_reads_what_sqlalchemy_reads(tmp_path: Path) -> None:
    vault = create_demo_vault(tmp_path / "vault", 80, seed=4).vault
    with vault.session() as session:
        for columns, where in (
            (SURVIVOR_COLUMNS, (Survivor.deleted_at.is_(None),)),
            (CASE_COLUMNS, (Case.closed_date.is_not(None),)),
            ((Stay.case_id, Stay.admitted_on, Stay.discharged_on), ()),
            ((Referral.case_id, Referral.category, Referral.status), ()),
        ):
            expected = session.execute(select(*columns).where(*where).order_by(columns[0])).all()
            found = scan(session, columns, *where, order_by=(columns[0],))
            assert len(found) == len(expected) > 0
            for mine, theirs in zip(found, expected, strict=True):
                assert [plain(v) for v in mine] == list(theirs)
                assert mine._fields == tuple(c.key for c in columns)
            plain_rows = scan(session, columns, *where, order_by=(columns[0],), named=False)
            assert plain_rows == [tuple(row) for row in found]
            assert all(type(row) is tuple for row in plain_rows)
            own = scan(session, columns, *where, order_by=(columns[0],), row_type=Own)
            assert own == [Own(*row) for row in found]
        assert scan(session, CASE_COLUMNS, Case.reference == "none") == []
        assert scan(session, CASE_COLUMNS, Case.reference == "none", packed=True) == []
        with pytest.raises(TypeError):  # a type it does not know is refused, not misread
            scan(session, (StatusChange.created_at,))
    vault.lock()


def test_collection_pauses_nest_and_the_last_one_out_restores_it() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer export is still running
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("an export that fails")
    assert gc.isenabled()


def test_let_go_empties_lists_dicts_and_sets_and_spares_what_is_held_elsewhere() -> None:
    kept = ["still", "needed"]
    rows = [[index, kept] for index in range(2 * LET_GO_SLICE + 7)]  # more than two slices
    by_id = {index: row for index, row in enumerate(rows)}
    ids = set(by_id)
    let_go(by_id, rows, ids)
    assert (rows, by_id, ids) == ([], {}, set())
    assert kept == ["still", "needed"]


def test_tally_counts_values_of_keys_across_slices() -> None:
    value_of = {key: ("even", "odd")[key % 2] if key % 3 else "three" for key in range(12_001)}
    keys = set(range(0, 12_001, 2)) | {5, 7, 9}  # a set, more keys than one slice
    assert len(keys) > TALLY_SLICE
    assert tally(value_of, keys) == Counter(value_of[key] for key in keys)
    assert tally(value_of, []) == Counter()
    with pytest.raises(KeyError):  # a key with no value is an error, not a silent miss
        tally(value_of, [12_001])


def test_packed_reads_match_row_by_row_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Packed (each column joined into one string by SQLite) or not, the same rows."""
    vault = create_demo_vault(tmp_path / "vault", 80, seed=5).vault
    row_blocks = scan_module._row_blocks
    packing = [False]

    def not_while_packing(*args: Any) -> Any:
        assert not packing[0], "a packed read fell back to rows"
        return row_blocks(*args)

    monkeypatch.setattr(scan_module, "_row_blocks", not_while_packing)
    with vault.session() as session:
        for columns, where, distinct in (
            (SURVIVOR_COLUMNS, (), False),  # NULL dates and numbers, JSON lists, enums
            (CASE_COLUMNS, (Case.closed_date.is_not(None),), False),
            ((Case.id, Case.referring_organisation, Case.incoming_referral_date), (), False),
            ((Referral.case_id,), (), True),
        ):
            rows = scan(session, columns, *where, named=False, distinct=distinct)
            packing[0] = True
            packed = scan(session, columns, *where, named=False, distinct=distinct, packed=True)
            packing[0] = False
            assert len(rows) > 0 and sorted(packed, key=repr) == sorted(rows, key=repr)
        nulls = scan(session, (Survivor.birth_date, Survivor.estimated_age), packed=True)
        assert {None} < {value for row in nulls for value in row}  # NULLs read as None
    vault.lock()


def test_free_text_holding_the_separator_is_read_row_by_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = create_demo_vault(tmp_path / "vault", 20, seed=6).vault
    odd = f"Harbour{SEPARATOR}Light{SEPARATOR}"
    with vault.transaction() as session:
        case = session.execute(select(Case).limit(1)).scalar_one()
        case.referring_organisation = odd
    read_row_by_row: list[bool] = []
    row_blocks = scan_module._row_blocks

    def spy(*args: Any) -> Any:
        read_row_by_row.append(True)
        return row_blocks(*args)

    monkeypatch.setattr(scan_module, "_row_blocks", spy)
    with vault.session() as session:
        rows = scan(session, (Case.id, Case.referring_organisation), named=False, packed=True)
    assert (case.id, odd) in rows and len(rows) == 20
    assert read_row_by_row == [True]
    vault.lock()


def test_text_that_may_be_null_is_not_packed(tmp_path: Path) -> None:
    """Its NULL and a text equal to the NULL marker would read the same."""
    vault = create_demo_vault(tmp_path / "vault", 5, seed=7).vault
    with vault.session() as session, pytest.raises(TypeError, match="may be NULL"):
        scan(session, (Case.id, Case.assigned_caseworker_id), packed=True)
    vault.lock()


def test_a_snapshot_pair_reads_one_state_while_saves_go_on(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)

    def add_case(name: str) -> None:
        with amina.transaction() as session:
            cases.record_survivor(
                session,
                actor_of(amina),
                cases.SurvivorInput(first_name=name, intake_date=today),
                today,
            )

    add_case("Before")
    with staffed_vault.session() as session, snapshot_pair(session) as pair:
        assert pair is not None
        first, second = pair
        add_case("After")  # committed once both readers have begun
        seen = [len(scan(reader, (Case.id,), named=False)) for reader in (first, second)]
        assert seen == [1, 1]  # neither sees the case saved after they began
        assert len(scan(session, (Case.id,), named=False)) == 2  # a reader begun since does
    amina.lock()


def test_no_pair_while_a_long_write_holds_the_lock(staffed_vault: OpenVault) -> None:
    writer = raw_connection(staffed_vault.folder.database, staffed_vault.secrets.database_key)
    try:
        writer.execute("BEGIN IMMEDIATE")
        with staffed_vault.session() as session, snapshot_pair(session) as pair:
            assert pair is None
        writer.execute("ROLLBACK")
        with staffed_vault.session() as session, snapshot_pair(session) as pair:
            assert pair is not None
    finally:
        writer.close()
