"""Demo data: synthetic, complete and the same for the same seed."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from casework.demo import create_demo_vault
from casework.errors import PermissionDenied
from casework.model import (
    Case,
    CaseNote,
    ConsentRecord,
    CounselingSession,
    LegalMatter,
    Referral,
    Stay,
    Survivor,
    Task,
)


def snapshot(folder: Path, seed: int) -> list[tuple[str, ...]]:
    demo = create_demo_vault(folder, 60, seed)
    with demo.vault.session() as session:
        rows = session.execute(
            select(Case.id, Case.reference, Survivor.first_name, Survivor.last_name, Case.status)
            .join(Survivor, Survivor.id == Case.survivor_id)
            .order_by(Case.reference)
        ).all()
        counts = [
            session.execute(select(func.count()).select_from(m)).scalar_one()
            for m in (CaseNote, Task, ConsentRecord)
        ]
        indexed = session.execute(text("SELECT count(*) FROM notes_fts")).scalar_one()
        services = [
            session.execute(select(func.count()).select_from(m)).scalar_one()
            for m in (Stay, CounselingSession, LegalMatter, Referral)
        ]
        stays = session.execute(select(Stay.bed_id, Stay.admitted_on, Stay.discharged_on)).all()
    demo.vault.lock()
    assert all(counts) and indexed == counts[0] and all(services)
    by_bed: dict[str, list[tuple[date, date]]] = {}
    for bed, start, end in stays:
        by_bed.setdefault(bed, []).append((start, end or date.max))
    for intervals in by_bed.values():  # a bed never holds two people on one night
        intervals.sort()
        assert all(a[1] <= b[0] for a, b in pairwise(intervals))
    return [tuple(map(str, r)) for r in rows]


def test_the_same_seed_gives_the_same_vault(tmp_path: Path) -> None:
    first = snapshot(tmp_path / "a", 11)
    assert first == snapshot(tmp_path / "b", 11)
    assert first != snapshot(tmp_path / "c", 12)
    assert len({r[2] for r in first}) > 10  # names from several regions


def test_the_demo_has_a_data_officer_who_sees_no_case_and_holds_none(tmp_path: Path) -> None:
    from casework.demo import DEMO_PASSWORD
    from casework.model import User
    from casework.model.vocab import Role
    from casework.services import cases
    from casework.vault.vault import VaultFolder
    from tests.factories import actor_of, unlock

    demo = create_demo_vault(tmp_path / "demo", 30, 1)
    with demo.vault.session() as session:
        officer = session.execute(select(User).where(User.username == "dataofficer")).scalar_one()
        assigned = session.execute(
            select(func.count()).where(Case.assigned_caseworker_id == officer.id)
        ).scalar_one()
    demo.vault.lock()
    vault = unlock(VaultFolder(tmp_path / "demo"), "dataofficer", DEMO_PASSWORD)
    actor = actor_of(vault)
    assert actor.has(Role.DATA_OFFICER) and not actor.works_cases and assigned == 0
    with vault.session() as session, pytest.raises(PermissionDenied):
        cases.caseload_ids(session, actor)
    vault.lock()
