"""summary.pdf: the quarterly tables rendered from summary.csv alone (nothing else is read, so
the PDF can never show more than the CSV), with the methods note."""

from __future__ import annotations

import csv
import io
from collections import OrderedDict

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Table, TableStyle

from casework.reporting.pdf import BODY, HEADING, SHORT, TITLE, para, printable, render

STATISTICS_BANNER = (
    "De-identified statistics — share only as the data-sharing agreement with the recipient allows."
)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=7.5, leading=9)
HEAD = ParagraphStyle("head", parent=CELL, fontName="SafeholdSans-Bold")

TITLES = {
    "T1": "T1 · Cases by trafficking type",
    "T2": "T2 · People by age band and gender",
    "T3": "T3 · People by citizenship region and trafficking type",
    "T4": "T4 · People served, by service",
    "T5": "T5 · Shelter",
    "T6": "T6 · Referrals in and out",
    "T7": "T7 · Closures by reason",
}


def methods_note(threshold: int, base: int) -> str:
    rounding = (
        f"Every published count is randomly rounded to a multiple of {base}, totals on their own, "
        "so rows and columns may not add up."
        if base > 1
        else "Counts are not rounded."
    )
    return (
        "Each figure counts distinct people whose case was active in the quarter and who consented "
        "to sharing non-identifying figures. A person is counted once per cell however many cases "
        f"or services they had. Counts from 1 to {threshold - 1} are withheld and shown as x, and "
        "further cells are withheld where a withheld figure could otherwise be worked out from a "
        f"total. Shelter nights are withheld when fewer than {threshold} people contribute or one "
        f"person contributes more than half. {rounding}"
    )


def _cell(text: str) -> str | Paragraph:
    """A cell as read from the CSV: a short one as it is, a long one wrapped and cut (the CSV is
    the app's own, but the PDF must lay out whatever it holds)."""
    return printable(text) if len(text) <= 14 else para(text, CELL, limit=SHORT)


def _grid(body: OrderedDict[str, OrderedDict[str, str]]) -> Table:
    single = all(len(cells) == 1 for cells in body.values())
    columns = (
        ["value"]
        if single
        else list(OrderedDict.fromkeys(c for cells in body.values() for c in cells))
    )
    data = [["", *(para(c, HEAD, limit=SHORT) for c in columns)]] + [
        [
            _cell(row),
            *map(_cell, list(cells.values()) if single else [cells.get(c, "") for c in columns]),
        ]
        for row, cells in body.items()
    ]
    grid = Table(
        data,
        hAlign="LEFT",
        repeatRows=1,
        splitInRow=1,
        colWidths=[60 * mm] + [max(14 * mm, 110 * mm / max(len(columns), 1))] * len(columns),
    )
    grid.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), "SafeholdSans"),
                ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                ("FONTNAME", (0, 0), (-1, 0), "SafeholdSans-Bold"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9eef2")),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c5ced6")),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 4),
            ]
        )
    )
    return grid


def summary_pdf(csv_bytes: bytes, period: str, profile: str, threshold: int, base: int) -> bytes:
    rows = list(csv.DictReader(io.StringIO(csv_bytes.decode("utf-8"))))
    tables: OrderedDict[str, OrderedDict[str, OrderedDict[str, str]]] = OrderedDict()
    for row in rows:
        table = tables.setdefault(row["table_id"], OrderedDict())
        table.setdefault(row["row_key"], OrderedDict())[row["col_key"]] = row["value"]
    story: list[Flowable] = [
        para(f"Quarterly summary {period}", TITLE),
        para(
            f"Prepared for: {printable(profile, SHORT)}. De-identified figures; no person can be "
            "named from them."
        ),
        para("Method", HEADING),
        para(methods_note(threshold, base)),
    ]
    for table_id, body in tables.items():
        # T6 holds two tables (rows "in:..." and "out:..."): each gets its own grid
        parts: OrderedDict[str, OrderedDict[str, OrderedDict[str, str]]] = OrderedDict()
        for row_key, cells in body.items():
            prefix = row_key.split(":", 1)[0] if row_key.startswith(("in:", "out:")) else ""
            parts.setdefault(prefix, OrderedDict())[row_key] = cells
        grids: list[Flowable] = [para(TITLES.get(table_id, table_id), HEADING)]
        for part in parts.values():
            grids.append(_grid(part))
        story.append(KeepTogether(grids))
    story.append(
        para("x: withheld to protect people. Figures are rounded as described above.", BODY)
    )
    return render(story, profile, f"Quarterly summary {period}", banner=STATISTICS_BANNER)
