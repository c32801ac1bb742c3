"""The audit trail's forward-secure chain catches edits, deletions and truncation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import text

from casework.services import audit, cases
from casework.services.audit_chain import Helper, Pending, Segment
from casework.services.integrity import verify_vault
from casework.vault.opened import OpenVault
from casework.vault.vault import VaultFolder
from tests.conftest import SUPERVISOR_PASSWORD, WORKER_PASSWORD
from tests.factories import actor_of, record_survivor, unlock


@pytest.fixture
def busy_vault(staffed_vault: OpenVault, vault_folder: VaultFolder, today: date) -> OpenVault:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    for name in ("Ana", "Bea", "Cruz"):
        with amina.transaction() as session:
            detail = cases.record_survivor(
                session,
                actor_of(amina),
                cases.SurvivorInput(first_name=name, intake_date=today),
                today,
            )
        with amina.transaction() as session:
            cases.open_case(session, actor_of(amina), detail.case_id)
    amina.lock()
    return staffed_vault


Check = Callable[[OpenVault], audit.ChainReport]


@pytest.fixture(params=["in one process", "in two processes"])
def chain(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> Check:
    """Every test below runs twice: the chain checked whole, and in two halves, the second
    in a helper process (as a long chain is), each naming the same first bad row."""
    if request.param == "in one process":

        def check(vault: OpenVault) -> audit.ChainReport:
            with vault.session() as session:
                return audit.verify(session, vault.secrets.audit_root_key or b"")

        return check
    monkeypatch.setattr(audit, "PARALLEL_MIN_ROWS", 0)

    def check_in_halves(vault: OpenVault) -> audit.ChainReport:
        root_key = vault.secrets.audit_root_key or b""
        helper = Helper(vault.folder.database, vault.secrets.database_key, root_key)
        with helper as in_other_process, vault.session() as session:
            report = audit.verify(session, root_key, helper=in_other_process)
        assert "helper process failed" not in caplog.text  # the helper did its half
        return report

    return check_in_halves


def test_an_untouched_chain_verifies(busy_vault: OpenVault) -> None:
    report = verify_vault(busy_vault, actor_of(busy_vault))
    assert report.ok and report.database == "ok"
    assert report.chain.rows_checked >= 12


def test_rows_name_ids_never_people(busy_vault: OpenVault) -> None:
    with busy_vault.session() as session:
        rows = session.execute(
            text("SELECT actor_id, action, entity, entity_id FROM audit_events")
        ).all()
    flat = " ".join(" ".join(r) for r in rows)
    assert "Cruz" not in flat and "amina" not in flat
    actions = {r[1] for r in rows}
    assert {"case.view", "case.create", "survivor.create", "session.unlock", "user.add"} <= actions


def test_an_edited_row_is_named(busy_vault: OpenVault, chain: Check) -> None:
    with busy_vault.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET action = 'case.create' WHERE seq = 9"))
    report = chain(busy_vault)
    assert (report.first_bad_seq, report.ok) == (9, False)
    assert "altered" in report.reason


def test_a_rows_detail_is_covered_by_its_mac(busy_vault: OpenVault, chain: Check) -> None:
    with busy_vault.transaction() as session:
        seq = audit.record(
            session,
            actor_of(busy_vault).user_id,
            "export.quarterly",
            "profile",
            "p1",
            {"period": "2026-Q3", "sha256": {"summary.csv": "ab" * 32}},
        )
    assert chain(busy_vault).ok
    with busy_vault.engine.begin() as connection:
        stored = connection.execute(
            text("SELECT detail FROM audit_events WHERE seq = :s"), {"s": seq}
        ).scalar_one()
        assert '"period":"2026-Q3"' in stored
        connection.execute(
            text("UPDATE audit_events SET detail = :d WHERE seq = :s"),
            {"d": stored.replace("2026-Q3", "2026-Q2"), "s": seq},
        )
    report = chain(busy_vault)
    assert (report.first_bad_seq, report.ok) == (seq, False)


def test_a_deleted_row_is_named(busy_vault: OpenVault, chain: Check) -> None:
    with busy_vault.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE seq = 6"))
    report = chain(busy_vault)
    assert report.first_bad_seq == 6 and "missing" in report.reason


def test_rows_stored_out_of_sequence_still_verify(busy_vault: OpenVault, chain: Check) -> None:
    """The walk reads the table in its own order; rows stored in another order (as a sync
    peer might write them) are walked again in sequence instead of reported."""
    with busy_vault.engine.begin() as connection:
        connection.execute(
            text("CREATE TEMP TABLE moved AS SELECT * FROM audit_events WHERE seq = 4")
        )
        connection.execute(text("DELETE FROM audit_events WHERE seq = 4"))
        connection.execute(text("INSERT INTO audit_events SELECT * FROM moved"))
        order = connection.execute(text("SELECT seq FROM audit_events ORDER BY rowid")).scalars()
        assert list(order)[-1] == 4  # now stored last
    assert chain(busy_vault).ok
    with busy_vault.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE seq = 7"))
    report = chain(busy_vault)
    assert report.first_bad_seq == 7 and "missing" in report.reason


def test_a_truncated_tail_is_noticed(busy_vault: OpenVault, chain: Check) -> None:
    with busy_vault.engine.begin() as connection:
        last = connection.execute(text("SELECT max(seq) FROM audit_events")).scalar_one()
        connection.execute(text("DELETE FROM audit_events WHERE seq > :s"), {"s": last - 3})
    report = chain(busy_vault)
    assert report.first_bad_seq == last - 2 and "removed" in report.reason


def test_a_truncation_that_rewinds_the_head_is_noticed(busy_vault: OpenVault, chain: Check) -> None:
    """Someone holding only the database key deletes the last rows and rewinds the head: they
    cannot rewind the key, because SHA-256 does not run backwards."""
    with busy_vault.engine.begin() as connection:
        last = connection.execute(text("SELECT max(seq) FROM audit_events")).scalar_one()
        keep = last - 2
        mac = connection.execute(
            text("SELECT mac FROM audit_events WHERE seq = :s"), {"s": keep}
        ).scalar_one()
        connection.execute(text("DELETE FROM audit_events WHERE seq > :s"), {"s": keep})
        connection.execute(
            text("UPDATE audit_state SET next_seq = :n, head_mac = :m"), {"n": keep + 1, "m": mac}
        )
    report = chain(busy_vault)
    assert not report.ok and "key" in report.reason


def test_a_caseworker_does_not_hold_the_audit_root_key(
    busy_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    assert amina.secrets.audit_root_key is None
    assert amina.secrets.backup_private_key is None
    amina.lock()
    sara = unlock(vault_folder, "sara", "seven quiet lanterns glowing")
    assert sara.secrets.audit_root_key == busy_vault.secrets.audit_root_key
    assert sara.secrets.backup_private_key is None
    sara.lock()


def test_the_trail_filters_by_user_case_action_and_date(
    busy_vault: OpenVault, vault_folder: VaultFolder
) -> None:
    from datetime import timedelta

    from casework.errors import PermissionDenied
    from casework.services.audit_review import AuditFilter, trail, users

    with busy_vault.session() as session:
        actor = actor_of(busy_vault)
        amina_id = next(uid for uid, name in users(session, actor) if name == "Amina K.")
        views = trail(session, actor, AuditFilter(user_id=amina_id, action="case.view"))
        assert len(views) == 3 and {r.user for r in views} == {"Amina K."}
        assert all(r.case_reference for r in views)
        one = trail(session, actor, AuditFilter(case_id=views[0].entity_id))
        assert {r.entity_id for r in one} == {views[0].entity_id} and len(one) >= 2
        today = date.today()
        assert trail(session, actor, AuditFilter(start=today + timedelta(days=1))) == []
        assert len(trail(session, actor, AuditFilter(start=today, end=today))) >= 12
        newest = trail(session, actor, AuditFilter(), limit=5)
        assert [r.seq for r in newest] == sorted((r.seq for r in newest), reverse=True)
    amina = unlock(vault_folder, "amina", WORKER_PASSWORD)
    with pytest.raises(PermissionDenied), amina.session() as session:
        trail(session, actor_of(amina), AuditFilter())
    amina.lock()


def rowid_middle(vault: OpenVault) -> tuple[int, int]:
    """The sequence numbers on either side of where the chain is cut in two."""
    with vault.engine.begin() as connection:
        low, high = connection.execute(
            text("SELECT min(rowid), max(rowid) FROM audit_events")
        ).one()
        middle = (low + high) // 2
        before = connection.execute(
            text("SELECT seq FROM audit_events WHERE rowid = :r"), {"r": middle}
        ).scalar_one()
    return before, before + 1


EDITS = {
    "action": text("UPDATE audit_events SET action = :v WHERE seq = :s"),
    "prev_mac": text("UPDATE audit_events SET prev_mac = :v WHERE seq = :s"),
}


def edit(vault: OpenVault, seq: int, column: str = "action", value: object = "case.close") -> None:
    with vault.engine.begin() as connection:
        connection.execute(EDITS[column], {"v": value, "s": seq})


def test_two_halves_name_the_first_bad_row_wherever_it_is(
    busy_vault: OpenVault, chain: Check
) -> None:
    last_of_first, first_of_second = rowid_middle(busy_vault)
    assert chain(busy_vault).ok
    edit(busy_vault, first_of_second + 2)  # in the helper's half only
    assert chain(busy_vault).first_bad_seq == first_of_second + 2
    edit(busy_vault, last_of_first - 1)  # now one in each half: the earlier one is named
    assert chain(busy_vault).first_bad_seq == last_of_first - 1


def test_the_row_where_the_halves_meet_is_checked_against_the_row_before(
    busy_vault: OpenVault, chain: Check
) -> None:
    """The helper takes its first row's stored prev_mac as given; the join must not."""
    _, first_of_second = rowid_middle(busy_vault)
    edit(busy_vault, first_of_second, "prev_mac", bytes(32))
    report = chain(busy_vault)
    assert (report.first_bad_seq, report.reason) == (
        first_of_second,
        f"row {first_of_second} was altered",
    )


def test_without_a_helper_process_the_second_half_is_checked_here(
    busy_vault: OpenVault, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(audit, "PARALLEL_MIN_ROWS", 0)
    asked: list[tuple[int, int]] = []

    class Broken(Pending):
        """What a helper whose process failed answers (there is no process behind it)."""

        def __init__(self) -> None:
            pass

        def result(self) -> Segment:
            raise OSError("the audit check's helper process failed")

    def broken(first_rowid: int, last_rowid: int) -> Broken:
        asked.append((first_rowid, last_rowid))
        return Broken()

    _, first_of_second = rowid_middle(busy_vault)
    root_key = busy_vault.secrets.audit_root_key or b""
    with busy_vault.session() as session:
        assert audit.verify(session, root_key, helper=broken).ok
    edit(busy_vault, first_of_second + 1)
    with busy_vault.session() as session:
        assert audit.verify(session, root_key, helper=broken).first_bad_seq == first_of_second + 1
    assert len(asked) == 2 and "helper process failed" in caplog.text


def test_a_reassignment_says_from_whom_to_whom_and_why(
    staffed_vault: OpenVault, vault_folder: VaultFolder, today: date
) -> None:
    from casework.services import lifecycle
    from casework.services.audit_review import AuditFilter, Move, trail, users

    case = record_survivor(unlock(vault_folder, "amina", WORKER_PASSWORD), today, first_name="Esi")
    sara = unlock(vault_folder, "sara", SUPERVISOR_PASSWORD)
    with sara.transaction() as session:
        bruno = next(uid for uid, name in users(session, actor_of(sara)) if name == "Bruno L.")
        lifecycle.reassign(session, actor_of(sara), case.case_id, bruno, "Amina is on leave")
    with sara.session() as session:
        [row] = trail(session, actor_of(sara), AuditFilter(action="case.reassign"))
        stored = session.execute(
            text("SELECT detail FROM audit_events WHERE seq = :s"), {"s": row.seq}
        ).scalar_one()
    assert row.user == "Sara M." and row.case_reference == case.reference
    assert row.moved == Move("Amina K.", "Bruno L.", "Amina is on leave")
    # the row itself holds ids: no name, no reason
    assert "Amina" not in stored and "Bruno" not in stored and bruno in stored
    sara.lock()
