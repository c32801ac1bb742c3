"""summary.pdf: the quarterly tables rendered from summary.csv alone (nothing else is read, so
the PDF can never show more than the CSV), with the methods note."""

from __future__ import annotations

import csv
import io
from collections import OrderedDict
from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Table, TableStyle

from casework.model.vocab import Role, Vocabulary
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


# What the CSV's keys read as: its coded values by their labels, its columns by what they count
LABELS: dict[str, str] = {
    member.value: member.label
    for vocabulary in Vocabulary.__subclasses__()
    for member in vocabulary
    if vocabulary is not Role
}
COLUMNS = {"count": "Number", "sum": "Nights"}
PARTS = {
    "in": "Referrals in, by the kind of organisation that referred",
    "out": "Referrals out, by the service asked for",
}
AVAILABLE = 170 * mm  # the narrower of A4's and Letter's text widths, with a little to spare
HEAD_SIZE = 7.5
PADDING = 14  # points: ReportLab pads each side of a cell by 6, and 2 to spare


def label(key: str) -> str:
    """A row or column key as a person reads it ("out:mental-health" -> "Mental health")."""
    bare = key.split(":", 1)[1] if key.startswith(("in:", "out:")) else key
    return COLUMNS.get(bare) or LABELS.get(bare, bare)


def _widest_word(texts: Sequence[str], font: str) -> float:
    words = [word for text in texts for word in text.split()]
    return max((stringWidth(word, font, HEAD_SIZE) for word in words), default=0.0)


def _widths(heads: list[str], cells: list[list[str]], rows: list[str]) -> list[float]:
    """Each column as wide as its widest word (a header never breaks inside a word), the row
    labels' column taking what is left, within bounds."""
    columns = []
    for index, head in enumerate(heads):
        column = [row[index] for row in cells]
        widest = max(
            _widest_word([head], "SafeholdSans-Bold"), _widest_word(column, "SafeholdSans")
        )
        columns.append(max(14 * mm, PADDING + widest))
    first = min(60 * mm, max(32 * mm, AVAILABLE - sum(columns)))
    first = max(first, min(60 * mm, PADDING + _widest_word(rows, "SafeholdSans")))
    if first + sum(columns) > AVAILABLE:  # too many columns: share the width out
        scale = (AVAILABLE - first) / sum(columns)
        columns = [width * scale for width in columns]
    return [first, *columns]


def _cell(text: str) -> str | Paragraph:
    """A cell as read from the CSV: a short one as it is, a long one wrapped and cut (the CSV is
    the app's own, but the PDF must lay out whatever it holds)."""
    return printable(text) if len(text) <= 14 else para(text, CELL, limit=SHORT)


def _grid(body: OrderedDict[str, OrderedDict[str, str]]) -> Table:
    columns = list(OrderedDict.fromkeys(c for cells in body.values() for c in cells))
    heads = [label(c) for c in columns]
    rows = [label(row) for row in body]
    values = [[cells.get(c, "") for c in columns] for cells in body.values()]
    data = [["", *(para(h, HEAD, limit=SHORT) for h in heads)]] + [
        [_cell(row), *map(_cell, cells)] for row, cells in zip(rows, values, strict=True)
    ]
    grid = Table(
        data,
        hAlign="LEFT",
        repeatRows=1,
        splitInRow=1,
        colWidths=_widths(heads, values, rows),
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
        for prefix, part in parts.items():
            if prefix:
                grids.append(para(PARTS.get(prefix, prefix), HEAD))
            grids.append(_grid(part))
        story.append(KeepTogether(grids))
    story.append(
        para("x: withheld to protect people. Figures are rounded as described above.", BODY)
    )
    return render(story, profile, f"Quarterly summary {period}", banner=STATISTICS_BANNER)
