"""Disclosure control for published counts (docs/reporting.md): primary and complementary
suppression within a table, the dominance rule for sums, and deterministic random rounding.

Complementary suppression first applies the rule of the spec (no row or column with exactly one
suppressed cell), then proves each suppressed cell's protection: with every published cell known
exactly, how far can the cell move? A table whose rows and columns end in totals is a network:
one node per row and per column, one arc per suppressed cell, and each line's sum is fixed, so
the cell's feasible range is its value plus or minus a maximum flow. Every line is taken to be
an exact sum, even where a person can fall in several cells (the total is then the sum less an
unknown overlap): that assumes an attacker knows more than they do, so a range proved wide enough
here is at least as wide in truth. While a cell's range is narrower than t, one more cell on its
row or column is suppressed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import deque
from dataclasses import dataclass, field

SUPPRESSED = "x"
ROUNDED = "r"
TOTAL = "Total"


@dataclass
class Table:
    """Counts of people by row and column; the last row and column may be totals."""

    table_id: str
    rows: list[str]
    cols: list[str]
    values: dict[tuple[str, str], int] = field(default_factory=dict)
    suppressed: set[tuple[str, str]] = field(default_factory=set)

    def get(self, row: str, col: str) -> int:
        return self.values.get((row, col), 0)

    def lines(self) -> list[list[tuple[str, str]]]:
        """Every row and every column, totals included."""
        by_row = [[(r, c) for c in self.cols] for r in self.rows]
        by_col = [[(r, c) for r in self.rows] for c in self.cols]
        return [line for line in by_row + by_col if len(line) > 1]


def suppress(table: Table, threshold: int) -> None:
    """Primary suppression of counts 1..t-1, then complementary suppression until no row or
    column holds exactly one suppressed cell and every suppressed cell's feasible range is at
    least t wide."""
    for cell, value in table.values.items():
        if 0 < value < threshold:
            table.suppressed.add(cell)
    while True:
        _line_rule(table)
        weak = next(
            (cell for cell in sorted(table.suppressed) if _width(table, cell) < threshold), None
        )
        if weak is None:
            return
        table.suppressed.add(_strongest_partner(table, weak, threshold))


def _line_rule(table: Table) -> None:
    changed = True
    while changed:
        changed = False
        for line in table.lines():
            hidden = [cell for cell in line if cell in table.suppressed]
            if len(hidden) != 1:
                continue
            candidates = [
                cell for cell in line if cell not in table.suppressed and table.get(*cell) > 0
            ]
            if not candidates:
                continue  # the lone hidden cell is the only non-zero one: nothing can reveal it
            table.suppressed.add(min(candidates, key=lambda cell: (table.get(*cell), cell)))
            changed = True


def _strongest_partner(table: Table, weak: tuple[str, str], threshold: int) -> tuple[str, str]:
    """The published non-zero cell on the weak cell's row or column whose suppression widens
    its range the most (to at least t if possible, then the smallest such cell)."""
    row, col = weak
    candidates = sorted(
        {(row, c) for c in table.cols} | {(r, col) for r in table.rows},
        key=lambda cell: (table.get(*cell), cell),
    )
    candidates = [c for c in candidates if c not in table.suppressed and table.get(*c) > 0]
    if not candidates:  # every neighbour is hidden or zero: widen from anywhere in the table
        candidates = sorted(
            (c for c, v in table.values.items() if c not in table.suppressed and v > 0),
            key=lambda cell: (table.get(*cell), cell),
        )
    best, best_width = candidates[0], -1
    for cell in candidates:
        table.suppressed.add(cell)
        width = _width(table, weak)
        table.suppressed.discard(cell)
        if width >= threshold:
            return cell
        if width > best_width:
            best, best_width = cell, width
    return best


def _width(table: Table, cell: tuple[str, str]) -> int:
    """How far the suppressed ``cell`` can move, from its lowest to its highest feasible value,
    with every published cell known and every line's sum fixed."""
    infinity = 10**12  # beyond any count: an unbounded move
    value = table.get(*cell)
    # Arc direction row -> column carries y = s * x, with s = -1 for a marginal total (exactly
    # one coordinate is Total) and +1 otherwise; every line's sum of y is then conserved.
    capacity: dict[tuple[str, str], dict[tuple[str, str], int]] = {}

    def arc(a: tuple[str, str], b: tuple[str, str], amount: int) -> None:
        capacity.setdefault(a, {})
        capacity.setdefault(b, {})
        capacity[a][b] = capacity[a].get(b, 0) + amount

    def sign(of: tuple[str, str]) -> int:
        return -1 if (of[0] == TOTAL) != (of[1] == TOTAL) else 1

    has_row_totals = TOTAL in table.cols
    has_col_totals = TOTAL in table.rows
    free = ("free", "")
    for other in table.suppressed:
        if other == cell:
            continue
        x = table.get(*other)
        up, down = (infinity, x) if sign(other) == 1 else (x, infinity)
        arc(("r", other[0]), ("c", other[1]), up)
        arc(("c", other[1]), ("r", other[0]), down)
    # a line without a total constrains nothing: its node may take or give any amount
    loose = [("r", row) for row in table.rows if not has_row_totals]
    loose += [("c", col) for col in table.cols if not has_col_totals]
    for node in loose:
        arc(node, free, infinity)
        arc(free, node, infinity)
    row_node, col_node = ("r", cell[0]), ("c", cell[1])
    forward = _max_flow(capacity, col_node, row_node, infinity)  # x moves by s * flow
    backward = _max_flow(capacity, row_node, col_node, infinity)
    increase, decrease = (forward, backward) if sign(cell) == 1 else (backward, forward)
    return increase + min(decrease, value)


def _max_flow(
    capacity: dict[tuple[str, str], dict[tuple[str, str], int]],
    source: tuple[str, str],
    sink: tuple[str, str],
    limit: int,
) -> int:
    """Edmonds-Karp on a copy of ``capacity``, stopping once ``limit`` is reached."""
    if source not in capacity or sink not in capacity:
        return 0
    residual = {node: dict(arcs) for node, arcs in capacity.items()}
    flow = 0
    while flow < limit:
        parent: dict[tuple[str, str], tuple[str, str]] = {source: source}
        queue = deque([source])
        while queue and sink not in parent:
            node = queue.popleft()
            for nxt, cap in residual[node].items():
                if cap > 0 and nxt not in parent:
                    parent[nxt] = node
                    queue.append(nxt)
        if sink not in parent:
            break
        path, node = [], sink
        while node != source:
            path.append((parent[node], node))
            node = parent[node]
        push = min(limit - flow, *(residual[a][b] for a, b in path))
        for a, b in path:
            residual[a][b] -= push
            residual[b][a] = residual[b].get(a, 0) + push
        flow += push
    return flow


def dominated(contributions: list[int], threshold: int) -> bool:
    """A sum over people is withheld when fewer than t people contribute or one person
    contributes more than half of it."""
    total = sum(contributions)
    contributors = [c for c in contributions if c > 0]
    return len(contributors) < threshold or (total > 0 and max(contributors) * 2 > total)


def round_count(value: int, base: int, secret: bytes, context: str) -> int:
    """Random rounding to ``base``: up with probability (v mod b)/b, the draw made from
    HMAC-SHA256(secret, context|v), so the same true value always prints the same."""
    if base <= 1 or value % base == 0:
        return value
    remainder = value % base
    digest = hmac.new(secret, f"{context}|{value}".encode(), hashlib.sha256).digest()
    draw = int.from_bytes(digest[:8], "big") / 2**64
    return value - remainder + base if draw < remainder / base else value - remainder
