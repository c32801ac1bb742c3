"""A linear-programming audit of suppression (docs/reporting.md): with every published cell known
exactly, each suppressed cell's feasible range must be at least t wide.

The release publishes a total only where a line's cells partition its people, so every total is
the exact sum of its line (checked here on the true counts); the attacker's constraints are
those sums and non-negativity.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from casework.demo import create_demo_vault
from casework.model.vocab import Role
from casework.reporting import profiles, quarterly
from casework.reporting.disclosure import TOTAL, Table, suppress
from casework.services import accounts
from casework.vault.crypto import KdfParams
from tests.factories import actor_of


def feasible_ranges(table: Table) -> dict[tuple[str, str], tuple[float, float]]:
    """For each suppressed cell, (min, max) over every table consistent with what is published."""
    hidden = sorted(table.suppressed)
    index = {cell: i for i, cell in enumerate(hidden)}
    equalities: list[tuple[np.ndarray, float]] = []

    def linear(cells: list[tuple[str, str]], signs: list[float]) -> tuple[np.ndarray, float]:
        a, b = np.zeros(len(hidden)), 0.0
        for cell, sign in zip(cells, signs, strict=True):
            if cell in index:
                a[index[cell]] += sign
            else:
                b -= sign * table.get(*cell)
        return a, b  # a @ x == b  encodes  sum(sign * cell) == 0

    lines = [(True, r, [(r, c) for c in table.cols]) for r in table.rows]
    lines += [(False, c, [(r, c) for r in table.rows]) for c in table.cols]
    for is_row, _, line in lines:
        if line[-1][1 if is_row else 0] != TOTAL or len(line) < 2:
            continue
        total, parts = line[-1], line[:-1]
        assert table.get(*total) == sum(table.get(*p) for p in parts), (table.table_id, line)
        equalities.append(linear([*parts, total], [1.0] * len(parts) + [-1.0]))
    ranges = {}
    for cell in hidden:
        bounds = []
        for sign in (1.0, -1.0):
            objective = np.zeros(len(hidden))
            objective[index[cell]] = sign
            result = linprog(
                objective,
                A_eq=np.array([a for a, _ in equalities]) if equalities else None,
                b_eq=np.array([b for _, b in equalities]) if equalities else None,
                bounds=[(0, None)] * len(hidden),
                method="highs",
            )
            if result.status == 3:  # unbounded above (x >= 0 bounds it below)
                assert sign < 0
                bounds.append(float("inf"))
            else:
                assert result.status == 0, (table.table_id, cell, result.message)
                bounds.append(result.fun * sign)
        ranges[cell] = (bounds[0], bounds[1])
    return ranges


def audit(table: Table, threshold: int) -> list[str]:
    problems = []
    for cell, (low, high) in feasible_ranges(table).items():
        if high - low < threshold - 1e-6:
            problems.append(f"{table.table_id} {cell}: [{low:g}, {high:g}]")
    return problems


@pytest.fixture(scope="module")
def demo_release(tmp_path_factory: pytest.TempPathFactory) -> list[quarterly.Release]:
    folder: Path = tmp_path_factory.mktemp("lp") / "vault"
    demo = create_demo_vault(folder, 900, seed=5, kdf=KdfParams())
    vault = demo.vault
    accounts.add_user(
        vault, actor_of(vault), "dora", "orchid basalt ferry lamp", frozenset({Role.DATA_OFFICER})
    )
    with vault.transaction() as session:
        profiles.add_profile(session, actor_of(vault), "National", "KE-NRM")
        profile = profiles.get_profile(session, actor_of(vault), "National")
    today = date.today()
    releases = []
    for back in range(1, 5):
        quarter = (today.month - 1) // 3 + 1 - back
        year = today.year + (quarter - 1) // 4
        period = quarterly.Period.parse(f"{year}-Q{(quarter - 1) % 4 + 1}")
        with vault.transaction() as session:
            releases.append(
                quarterly.build_release(session, actor_of(vault), profile, period, today)
            )
    vault.lock()
    return releases


def test_every_suppressed_cell_of_demo_releases_is_protected(
    demo_release: list[quarterly.Release],
) -> None:
    audited = 0
    problems = []
    for release in demo_release:
        for table in release.tables:
            if table.table_id == "T5-nights":
                continue
            audited += len(table.suppressed)
            problems += audit(table, 10)
    assert audited > 20  # the demo data has small cells to protect
    assert problems == []


def additive_table(values: list[list[int]]) -> Table:
    rows = [f"r{i}" for i in range(len(values))] + [TOTAL]
    cols = [f"c{j}" for j in range(len(values[0]))] + [TOTAL]
    table = Table("T2", rows, cols)
    for i, line in enumerate(values):
        for j, value in enumerate(line):
            table.values[(f"r{i}", f"c{j}")] = value
        table.values[(f"r{i}", TOTAL)] = sum(line)
    for j in range(len(values[0])):
        table.values[(TOTAL, f"c{j}")] = sum(line[j] for line in values)
    table.values[(TOTAL, TOTAL)] = sum(map(sum, values))
    return table


@settings(max_examples=150, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda width: st.lists(
            st.lists(
                st.one_of(st.integers(0, 12), st.integers(10, 60)), min_size=width, max_size=width
            ),
            min_size=2,
            max_size=6,
        )
    ),
    st.sampled_from([5, 10]),
)
def test_suppression_protects_random_tables(values: list[list[int]], threshold: int) -> None:
    table = additive_table(values)
    suppress(table, threshold)
    assert audit(table, threshold) == []
