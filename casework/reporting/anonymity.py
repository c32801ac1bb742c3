"""k-anonymity with distinct l-diversity by climbing generalisation hierarchies
(docs/reporting.md, section 2).

Each quasi-identifier has a hierarchy: level 0 is the finest published value, the last level is
``*`` (withheld). The search raises one field by one level at a time, choosing the step after
which the fewest records still fail (ties: the step that keeps the most distinct groups, then
the earlier field), until the records that still fail are few enough to drop.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from operator import itemgetter

from casework.reporting.scan import let_go

WITHHELD = "*"


@dataclass(frozen=True)
class Generalised:
    levels: tuple[int, ...]  # the hierarchy level reached by each quasi-identifier
    kept: list[int]  # indexes of the records released
    dropped: list[int]  # indexes of the records that still failed and were left out
    k_achieved: int
    l_achieved: int


class CannotAnonymise(Exception):
    def __init__(self, records: int, failing: int, allowed: int) -> None:
        super().__init__(records, failing, allowed)
        self.records = records
        self.failing = failing
        self.allowed = allowed


@dataclass
class _Unit:
    """Records identical at every level of every hierarchy and in the sensitive value."""

    values: tuple[tuple[str, ...], ...]  # values[field][level]
    sensitive: Hashable
    members: list[int]
    flat: tuple[str, ...] = ()  # values laid end to end, for a C-speed key per trial

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass
class _State:
    levels: tuple[int, ...]
    groups: dict[tuple[str, ...], list[_Unit]]
    failing: int

    def passes(self, group: list[_Unit], k: int, l_div: int) -> bool:
        return sum(u.size for u in group) >= k and len({u.sensitive for u in group}) >= l_div


def _state(units: list[_Unit], levels: tuple[int, ...], k: int, l_div: int) -> _State:
    """Group the units at these levels; count the records in groups that fail k or l."""
    offsets = [0]
    for values in units[0].values[:-1] if units else ():
        offsets.append(offsets[-1] + len(values))
    positions = [offset + level for offset, level in zip(offsets, levels, strict=True)]
    pick = itemgetter(*positions)
    single = len(positions) == 1
    groups: dict[tuple[str, ...], list[_Unit]] = defaultdict(list)
    for unit in units:
        key = pick(unit.flat)
        groups[(key,) if single else key].append(unit)
    state = _State(levels, groups, 0)
    state.failing = sum(
        sum(u.size for u in g) for g in groups.values() if not state.passes(g, k, l_div)
    )
    return state


def generalise(
    ladders: Sequence[Sequence[Sequence[str]]],
    sensitive: Sequence[Hashable],
    k: int,
    l_div: int,
    max_dropped: int,
) -> Generalised:
    """``ladders[f][level][i]`` is record i's value of quasi-identifier f at that level.

    Raises CannotAnonymise when even the top of every hierarchy leaves more than
    ``max_dropped`` records failing. There is at least one quasi-identifier."""
    count = len(sensitive)
    tops = tuple(len(ladder) - 1 for ladder in ladders)
    by_values: dict[tuple[object, ...], _Unit] = {}
    for index in range(count):
        values = tuple(tuple(level[index] for level in ladder) for ladder in ladders)
        unit = by_values.get((values, sensitive[index]))
        if unit is None:
            flat = tuple(value for field in values for value in field)
            unit = by_values[(values, sensitive[index])] = _Unit(values, sensitive[index], [], flat)
        unit.members.append(index)
    units = list(by_values.values())
    state = _state(units, tuple(0 for _ in ladders), k, l_div)
    while state.failing > max_dropped:
        best: tuple[tuple[int, int, int, int], _State] | None = None
        for field, level in enumerate(state.levels):
            if level == tops[field]:
                continue
            trial = _state(
                units, (*state.levels[:field], level + 1, *state.levels[field + 1 :]), k, l_div
            )
            # Keep the most detail: fewest records still failing, then the most groups. A step
            # that rescues nobody (a field with one value, say) comes last, and among such
            # steps the one that merges the most groups, to make progress possible.
            if trial.failing < state.failing:
                score = (0, trial.failing, -len(trial.groups), field)
            else:
                score = (1, 0, len(trial.groups), field)
            if best is None or score < best[0]:
                best = (score, trial)
        if best is None:
            raise CannotAnonymise(count, state.failing, max_dropped)
        state = best[1]
    kept: list[list[_Unit]] = []
    dropped: list[int] = []
    for group in state.groups.values():
        if state.passes(group, k, l_div):
            kept.append(group)
        else:
            dropped.extend(i for u in group for i in u.members)
    result = Generalised(
        state.levels,
        sorted(i for group in kept for u in group for i in u.members),
        sorted(dropped),
        min((sum(len(u.members) for u in g) for g in kept), default=0),
        min((len({u.sensitive for u in g}) for g in kept), default=0),
    )
    let_go(kept, state.groups, by_values, units)
    return result


def check(rows: Sequence[Sequence[str]], sensitive: Sequence[Hashable]) -> tuple[int, int]:
    """The k and l a released file actually achieves: its smallest group, and the fewest
    distinct sensitive values in any group."""
    sizes: Counter[tuple[str, ...]] = Counter(tuple(r) for r in rows)
    kinds: dict[tuple[str, ...], set[Hashable]] = defaultdict(set)
    for row, value in zip(rows, sensitive, strict=True):
        kinds[tuple(row)].add(value)
    if not sizes:
        return 0, 0
    return min(sizes.values()), min(len(v) for v in kinds.values())
