"""The house style of every Safehold PDF: a confidentiality banner and the organisation's name on
every page, page numbers, A4 or Letter, and metadata that names no user."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.fonts import addMapping
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from casework.vault.files import write_private_file

FONTS = Path(__file__).resolve().parent / "fonts"
# DejaVu Sans (Bitstream Vera licence, beside the files): survivors' names come in every
# script, and ReportLab's built-in fonts cover Latin-1 only.
pdfmetrics.registerFont(TTFont("SafeholdSans", str(FONTS / "DejaVuSans.ttf")))
pdfmetrics.registerFont(TTFont("SafeholdSans-Bold", str(FONTS / "DejaVuSans-Bold.ttf")))
for bold, italic, face in (
    (0, 0, "SafeholdSans"),
    (1, 0, "SafeholdSans-Bold"),
    (0, 1, "SafeholdSans"),
    (1, 1, "SafeholdSans-Bold"),
):
    addMapping("SafeholdSans", bold, italic, face)

BANNER = "CONFIDENTIAL — contains personal information about a survivor. Do not copy or forward."
STYLES = getSampleStyleSheet()
BODY = ParagraphStyle(
    "body", parent=STYLES["BodyText"], fontName="SafeholdSans", fontSize=10, leading=13
)
HEADING = ParagraphStyle(
    "heading", parent=STYLES["Heading2"], fontName="SafeholdSans-Bold", fontSize=13, spaceBefore=8
)
TITLE = ParagraphStyle(
    "title", parent=STYLES["Title"], fontName="SafeholdSans-Bold", fontSize=18, alignment=0
)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def para(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def key_values(rows: Sequence[tuple[str, str]]) -> Table:
    table = Table([[para(k), para(v)] for k, v in rows], colWidths=[50 * mm, None], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TEXTCOLOR", (0, 0), (0, -1), colors.HexColor("#4a5b68")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#d5dbe1")),
            ]
        )
    )
    return table


def render(
    story: list[Flowable], organisation: str, title: str, letter: bool = False, banner: str = BANNER
) -> bytes:
    """Lay out ``story`` in the house style and return the PDF's bytes (nothing touches disk)."""
    buffer = io.BytesIO()
    page = LETTER if letter else A4

    def decorate(canvas: Any, document: Any) -> None:
        canvas.saveState()
        width, height = page
        canvas.setFillColor(colors.HexColor("#a4262c"))
        canvas.rect(0, height - 14 * mm, width, 14 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont("SafeholdSans-Bold", 8.5)
        canvas.drawCentredString(width / 2, height - 9 * mm, banner)
        canvas.setFillColor(colors.HexColor("#4a5b68"))
        canvas.setFont("SafeholdSans", 8.5)
        canvas.drawString(18 * mm, 10 * mm, organisation)
        canvas.drawRightString(width - 18 * mm, 10 * mm, f"Page {document.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=page,
        title=title,
        author="",
        subject="",
        creator="Safehold",
        producer="Safehold",
        keywords="",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=22 * mm,
        bottomMargin=18 * mm,
    )
    document.build([*story, Spacer(1, 1)], onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def save(data: bytes, path: Path) -> None:
    """Write a report where the user chose, atomically and user-only: a cancelled or failed save
    leaves no partial file."""
    if not path.parent.is_dir():
        raise FileNotFoundError(os.strerror(2))
    write_private_file(path, data)
