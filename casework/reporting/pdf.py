"""The house style of every Safehold PDF: a confidentiality banner and the organisation's name on
every page, page numbers, A4 or Letter, and metadata that names no user."""

from __future__ import annotations

import errno
import io
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

from casework import limits
from casework.errors import CaseworkError, DiskFull
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
    "heading",
    parent=STYLES["Heading2"],
    fontName="SafeholdSans-Bold",
    fontSize=13,
    spaceBefore=8,
    keepWithNext=1,  # never alone at the foot of a page
)
TITLE = ParagraphStyle(
    "title", parent=STYLES["Title"], fontName="SafeholdSans-Bold", fontSize=18, alignment=0
)


# How much of one value is printed. Nothing Safehold stores today is longer than these (names
# and the like are held to limits.NAME..ORGANISATION, a note to limits.LONG_TEXT), but an old
# vault or an import may hold more; past the limit a value is cut, and a cut says so. Rows of
# every table may also split across pages, so that no value can make a report fail to lay out.
SHORT = 500  # a name, reference, partner, facility, label, title
FIELD = 5_000  # one value beside its label (the aliases, a note on safe contact, a reason)
LONG = limits.LONG_TEXT  # a note


def printable(text: str, limit: int = LONG) -> str:
    """``text`` fit to print: control characters (other than tab and line feed) as spaces,
    broken characters as U+FFFD, and cut to ``limit`` characters with a note saying so."""
    if len(text) > limit:
        text = text[:limit] + f" … [cut: {len(text) - limit:,} more characters not printed]"
    if limits.storable(text):
        return text
    return "".join(
        "\ufffd"
        if limits.is_surrogate(c)
        else " "
        if limits.is_control(c) and c not in "\t\n"
        else c
        for c in text
    )


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def para(text: str, style: ParagraphStyle = BODY, limit: int | None = None) -> Paragraph:
    """A paragraph of ``text`` as given (no markup), cut to ``limit`` characters: by default a
    title or heading to ``SHORT``, anything else to ``LONG``."""
    if limit is None:
        limit = SHORT if style in (TITLE, HEADING) else LONG
    return Paragraph(escape(printable(text, limit)), style)


def key_values(rows: Sequence[tuple[str, str]]) -> Table:
    table = Table(
        [[para(k, limit=SHORT), para(v, limit=FIELD)] for k, v in rows],
        colWidths=[50 * mm, None],
        hAlign="LEFT",
        splitInRow=1,
    )
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
    organisation = footer_text(organisation, page[0] / 2 - 18 * mm)
    title = printable(title, SHORT)

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


def footer_text(text: str, width: float) -> str:
    """``text`` cut to fit ``width`` points in the footer's font, with an ellipsis if cut."""
    text = printable(text, SHORT)
    if pdfmetrics.stringWidth(text, "SafeholdSans", 8.5) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", "SafeholdSans", 8.5) > width:
        text = text[:-1]
    return text + "…"


class CannotSave(CaseworkError):
    """A file could not be written where the user chose. The message never names the place: a
    file name may say whom the file is about."""

    code = "cannot-save"
    default_message = "The file could not be saved there; choose another place."


def save(data: bytes, path: Path) -> None:
    """Write a report or a copy of an attachment where the user chose, atomically and user-only:
    a cancelled or failed save leaves no partial file, and every way it can fail is one sentence
    saying what to do (CannotSave, or DiskFull)."""
    try:
        if not path.parent.is_dir():
            raise CannotSave("The folder to save in does not exist; choose an existing folder.")
        if path.is_dir():
            raise CannotSave("A folder already has that name; choose a name for the file.")
        if path.exists() and not path.is_file():
            raise CannotSave(
                "That name belongs to something that is not an ordinary file; choose another name."
            )
        write_private_file(path, data)
    except ValueError:  # a NUL in the path: no file system takes it
        raise CannotSave(
            "The file name holds a character that file names cannot contain; choose another name."
        ) from None
    except OSError as error:
        raise _save_error(error) from None


def _save_error(error: OSError) -> CaseworkError:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFull()
    messages = {
        errno.ENAMETOOLONG: "The file name is too long for the disk; choose a shorter name.",
        errno.EISDIR: "A folder already has that name; choose a name for the file.",
        errno.ENOTDIR: "The folder to save in does not exist; choose an existing folder.",
        errno.EACCES: PLACE_REFUSED,
        errno.EPERM: PLACE_REFUSED,
        # the folder exists but takes no new files (/proc, /sys and the like)
        errno.ENOENT: PLACE_REFUSED,
        errno.EROFS: "That disk is read-only; choose another place to save.",
    }
    if error.errno in messages:
        return CannotSave(messages[error.errno])
    reason = (error.strerror or "").rstrip(".")
    return CannotSave(
        f"The file could not be saved there ({reason}); choose another place." if reason else None
    )


PLACE_REFUSED = (
    "Files cannot be saved in that folder; choose another one, such as your Documents folder."
)
