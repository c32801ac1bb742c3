"""Password policy: at least 12 characters or four words, and nothing obvious."""

from __future__ import annotations

import re

from casework.errors import WeakPassword

MIN_LENGTH = 12
MIN_WORDS = 4

# Stems of the passwords that lead every breached-password list; a password that is one of these
# padded with digits, symbols or repetition is refused.
COMMON_STEMS = frozenset(
    {
        "password",
        "passw0rd",
        "qwerty",
        "qwertyuiop",
        "asdfghjkl",
        "zxcvbnm",
        "letmein",
        "iloveyou",
        "welcome",
        "admin",
        "administrator",
        "abc",
        "abcdef",
        "monkey",
        "dragon",
        "football",
        "baseball",
        "sunshine",
        "princess",
        "trustno",
        "master",
        "shadow",
        "superman",
        "michael",
        "whatever",
        "safehold",
        "changeme",
        "secret",
        "default",
        "login",
        "qazwsx",
        "starwars",
        "freedom",
        "hello",
        "charlie",
        "donald",
        "computer",
        "azerty",
        "motdepasse",
        "bonjour",
        "soleil",
        "correcthorsebatterystaple",
    }
)


def _stem(password: str) -> str:
    lowered = password.casefold()
    letters = re.sub(r"[^a-z]", "", lowered)
    # Collapse a repeated unit ("abcabcabcabc" -> "abc").
    for size in range(1, len(letters) // 2 + 1):
        unit = letters[:size]
        if unit * (len(letters) // size) == letters and len(letters) % size == 0:
            return unit
    return letters


def check_password(password: str, *, username: str = "", organisation: str = "") -> None:
    """Raise WeakPassword with a reason a person can act on, or return quietly."""
    words = [w for w in re.split(r"[\s\-_.,;:]+", password.strip()) if w]
    if len(password) < MIN_LENGTH and len(words) < MIN_WORDS:
        raise WeakPassword(
            f"Use at least {MIN_LENGTH} characters, or a phrase of {MIN_WORDS} or more words."
        )
    lowered = password.casefold()
    for name, what in ((username, "your user name"), (organisation, "the organisation's name")):
        compact = re.sub(r"\s+", "", name.casefold())
        if len(compact) >= 3 and compact in re.sub(r"\s+", "", lowered):
            raise WeakPassword(f"The password must not contain {what}.")
    if len(set(lowered)) <= 3:
        raise WeakPassword("The password repeats too few different characters.")
    stem = _stem(password)
    if not stem or stem in COMMON_STEMS or re.fullmatch(r"[0-9\W_]*", lowered):
        raise WeakPassword("That password is too common; choose something less guessable.")
