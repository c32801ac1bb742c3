"""How long a piece of text may be, and which characters it may hold: one place for the intake
form, the importer, search and attachments, so that each refuses the same things in the same
words.

The short limits are the sizes the database columns declare (``String(100)`` for a name and so
on) and the ones the importer already used: generous for real names (a part of a name of more
than 100 characters is a paste gone wrong, not a person), tight enough that a value always fits a
printed page and a search pattern. An alias holds a whole other name, so it gets the length of a
whole name.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from casework.errors import ValidationError

NAME = 100  # first, middle or last name: each column is String(100)
ALIAS = 200  # another whole name the person uses
ALIASES = 20  # how many aliases one person may have
PHONE = 50  # String(50): room for a country code, spaces and an extension
EMAIL = 200
REFERENCE = 40  # a case reference, String(40) ("SH-2026-ABC234" is 14)
PROVINCE = 100
ORGANISATION = 200  # a referring or partner organisation's name
SHORT_TEXT = 100  # the other one-line HTCDS fields (education, industry, recruitment...)
LONG_TEXT = 100_000  # notes and other free text, as a note (notes.MAX_NOTE_CHARS)
SEARCH = 3 * NAME + 2  # longer than anything a person search can match: nothing to find
FILE_NAME = 120  # an attachment's stored name, in characters...
FILE_NAME_BYTES = 240  # ...and in UTF-8 bytes, so that a copy saved under it fits every disk

# Characters that reorder the text shown around them (embeddings, overrides, isolates and the
# invisible marks): "invoice\u202efdp.exe" shows as "invoiceexe.pdf".
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def is_surrogate(char: str) -> bool:
    """A lone half of a UTF-16 pair (from a broken paste or file name): not storable as UTF-8."""
    return "\ud800" <= char <= "\udfff"


def is_control(char: str) -> bool:
    """A C0 or C1 control character (NUL, escape, DEL...), tab and line feed included."""
    return unicodedata.category(char) == "Cc"


def text_problem(value: str, limit: int, multiline: bool = False) -> str | None:
    """Why ``value`` cannot be stored, in a few words (for the importer's list of problems),
    or None if it can. A one-line field refuses control characters other than tab and line feed;
    every field refuses lone surrogates and NUL."""
    if len(value) > limit:
        return f"longer than {limit} characters"
    for char in value:
        if is_surrogate(char):
            return "holds a broken character that cannot be stored"
        if char == "\x00" or (not multiline and is_control(char) and char not in "\t\n"):
            return "holds a control character that cannot be stored"
    return None


def check_text(value: str, limit: int, what: str, field: str, multiline: bool = False) -> None:
    """Refuse ``value`` (what the user typed, as it will be stored) with a clear sentence naming
    ``what`` it is ("the first name"). The value itself is never quoted: it may be survivor data."""
    problem = text_problem(value, limit, multiline)
    if problem is None:
        return
    if problem.startswith("longer"):
        message = f"{what.capitalize()} is longer than {limit} characters; shorten it."
    elif "broken" in problem:
        message = (
            f"{what.capitalize()} holds a broken character (often from copying and pasting) "
            "that cannot be stored; retype it."
        )
    else:
        message = (
            f"{what.capitalize()} holds an invisible control character that cannot be stored; "
            "retype it."
        )
    raise ValidationError(message, field=field)


def check_aliases(aliases: Sequence[str]) -> None:
    """At most ``ALIASES`` aliases, each a storable name of at most ``ALIAS`` characters."""
    if len(aliases) > ALIASES:
        raise ValidationError(
            f"A person may have at most {ALIASES} aliases; keep the ones in use.", field="aliases"
        )
    for alias in aliases:
        check_text(alias.strip(), ALIAS, "an alias", "aliases")


def storable(value: str) -> bool:
    """Whether one-line text could be stored, so whether a search for it could match anything:
    no lone surrogate and no control character other than tab and line feed."""
    return text_problem(value, len(value)) is None


def clean_file_name(name: str) -> str:
    """A file name safe to store and show: control characters, lone surrogates and
    bidirectional controls removed, spaces trimmed, and cut to ``FILE_NAME`` characters and
    ``FILE_NAME_BYTES`` bytes, keeping a short extension."""
    kept = "".join(
        c for c in name if not (is_control(c) or is_surrogate(c) or c in BIDI_CONTROLS)
    ).strip()
    stem, dot, extension = kept.rpartition(".")
    if not dot or not stem or len(extension) > 10:
        stem, extension = kept, ""
    suffix = f".{extension}" if extension else ""
    while stem and (
        len(stem) + len(suffix) > FILE_NAME
        or len((stem + suffix).encode("utf-8")) > FILE_NAME_BYTES
    ):
        stem = stem[: min(len(stem) - 1, FILE_NAME - len(suffix))]
    return (stem.rstrip() + suffix) if stem.strip() else ""
