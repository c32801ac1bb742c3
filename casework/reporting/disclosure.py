"""Disclosure control for published counts (docs/reporting.md): primary and complementary
suppression within a table, the dominance rule for sums, and deterministic random rounding."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

SUPPRESSED = "x"
ROUNDED = "r"


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
    column holds exactly one suppressed cell."""
    for cell, value in table.values.items():
        if 0 < value < threshold:
            table.suppressed.add(cell)
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
