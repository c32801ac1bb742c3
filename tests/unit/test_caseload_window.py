"""The paged caseload: every page, count and position agrees with the full sorted list."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from casework.demo import DEMO_PASSWORD, create_demo_vault
from casework.model.vocab import CaseStatus, RiskLevel
from casework.services import cases
from casework.services.cases import CaseFilter, CaseSort
from casework.vault.vault import VaultFolder
from tests.factories import actor_of, unlock


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> VaultFolder:
    path: Path = tmp_path_factory.mktemp("window") / "vault"
    demo = create_demo_vault(path, 120, seed=3)
    demo.vault.lock()
    supervisor = unlock(VaultFolder(path), "supervisor", DEMO_PASSWORD)
    with supervisor.transaction() as session:
        for name in ("Quiet", "Quieter"):  # cases never contacted: a NULL in the sort key
            cases.record_survivor(
                session,
                actor_of(supervisor),
                cases.SurvivorInput(first_name=name, intake_date=date.today()),
                date.today(),
            )
    supervisor.lock()
    return VaultFolder(path)


FILTERS = [
    CaseFilter(),
    CaseFilter(statuses=(CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP)),
    CaseFilter(risk_levels=(RiskLevel.HIGH,)),
    CaseFilter(with_overdue_tasks_on=date.today()),
    CaseFilter(no_contact_since=date.today() - timedelta(days=60)),
]


@pytest.mark.parametrize("username", ["supervisor", "caseworker"])
def test_pages_count_and_positions_match_the_full_list(folder: VaultFolder, username: str) -> None:
    vault = unlock(folder, username, DEMO_PASSWORD)
    with vault.session() as session:
        for sort in CaseSort:
            for descending in (True, False):
                for where in FILTERS:
                    ids = cases.caseload_ids(session, actor_of(vault), sort, descending, where)
                    assert cases.caseload_count(session, actor_of(vault), where) == len(ids)
                    paged = [
                        row.case_id
                        for offset in range(0, len(ids) + 7, 7)
                        for row in cases.caseload_page(
                            session, actor_of(vault), sort, descending, where, offset, 7
                        )
                    ]
                    assert paged == ids, (sort, descending, where)
                    for position in range(0, len(ids), 9):
                        found = cases.caseload_position(
                            session, actor_of(vault), sort, descending, where, ids[position]
                        )
                        assert found == position, (sort, descending, where)
        everyone = cases.caseload_ids(session, actor_of(vault))
        hidden = CaseFilter(statuses=(CaseStatus.CLOSED,))
        closed = set(cases.caseload_ids(session, actor_of(vault), where=hidden))
        outside = next(i for i in everyone if i not in closed)
        assert (
            cases.caseload_position(session, actor_of(vault), CaseSort.NAME, False, hidden, outside)
            is None
        )
    vault.lock()
    assert len(everyone) > 20  # the caseworker sees a real caseload, not an empty one
