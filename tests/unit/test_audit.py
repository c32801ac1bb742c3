"""The audit trail's forward-secure chain catches edits, deletions and truncation."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from casework.services import audit, cases
from casework.services.integrity import verify_vault
from casework.vault.vault import OpenVault, VaultFolder
from tests.conftest import WORKER_PASSWORD


@pytest.fixture
def busy_vault(staffed_vault: OpenVault, vault_folder: VaultFolder, today: date) -> OpenVault:
    amina = vault_folder.unlock("amina", WORKER_PASSWORD)
    for name in ("Ana", "Bea", "Cruz"):
        with amina.transaction() as session:
            detail = cases.record_survivor(
                session, amina.actor, cases.SurvivorInput(first_name=name, intake_date=today), today
            )
        with amina.transaction() as session:
            cases.open_case(session, amina.actor, detail.case_id)
    amina.lock()
    return staffed_vault


def chain(vault: OpenVault) -> audit.ChainReport:
    with vault.session() as session:
        return audit.verify(session, vault.secrets.audit_root_key or b"")


def test_an_untouched_chain_verifies(busy_vault: OpenVault) -> None:
    report = verify_vault(busy_vault)
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


def test_an_edited_row_is_named(busy_vault: OpenVault) -> None:
    with busy_vault.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET action = 'case.create' WHERE seq = 9"))
    report = chain(busy_vault)
    assert (report.first_bad_seq, report.ok) == (9, False)
    assert "altered" in report.reason


def test_a_rows_detail_is_covered_by_its_mac(busy_vault: OpenVault) -> None:
    with busy_vault.transaction() as session:
        seq = audit.record(
            session,
            busy_vault.actor.user_id,
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


def test_a_deleted_row_is_named(busy_vault: OpenVault) -> None:
    with busy_vault.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE seq = 6"))
    report = chain(busy_vault)
    assert report.first_bad_seq == 6 and "missing" in report.reason


def test_rows_stored_out_of_sequence_still_verify(busy_vault: OpenVault) -> None:
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


def test_a_truncated_tail_is_noticed(busy_vault: OpenVault) -> None:
    with busy_vault.engine.begin() as connection:
        last = connection.execute(text("SELECT max(seq) FROM audit_events")).scalar_one()
        connection.execute(text("DELETE FROM audit_events WHERE seq > :s"), {"s": last - 3})
    report = chain(busy_vault)
    assert report.first_bad_seq == last - 2 and "removed" in report.reason


def test_a_truncation_that_rewinds_the_head_is_noticed(busy_vault: OpenVault) -> None:
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
    amina = vault_folder.unlock("amina", WORKER_PASSWORD)
    assert amina.secrets.audit_root_key is None
    assert amina.secrets.backup_private_key is None
    amina.lock()
    sara = vault_folder.unlock("sara", "seven quiet lanterns glowing")
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
        actor = busy_vault.actor
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
    amina = vault_folder.unlock("amina", WORKER_PASSWORD)
    with pytest.raises(PermissionDenied), amina.session() as session:
        trail(session, amina.actor, AuditFilter())
    amina.lock()
