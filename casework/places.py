"""Countries and languages: their codes as stored (ISO 3166 alpha-2, ISO 639), their names in
the reader's language (CLDR, through Babel: never a list written by hand), and the UN M49
regions and sub-regions of each country, for the citizenship and country-of-exploitation
hierarchies of the exports (alpha-2 -> sub-region -> region)."""

from __future__ import annotations

import functools

from babel import Locale, UnknownLocaleError

from casework.folding import fold

# (region, sub-region, countries); the sub-regions are M49's seventeen, without its finer
# "intermediate regions", which would split small groups further.
M49: tuple[tuple[str, str, str], ...] = (
    ("Africa", "Northern Africa", "DZ EG LY MA SD TN EH"),
    (
        "Africa",
        "Sub-Saharan Africa",
        "IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW AO CM CF TD CG CD GQ GA "
        "ST BW SZ LS NA ZA BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG",
    ),
    (
        "Americas",
        "Latin America and the Caribbean",
        "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI BZ CR "
        "SV GT HN MX NI PA AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE",
    ),
    ("Americas", "Northern America", "BM CA GL PM US"),
    ("Asia", "Central Asia", "KZ KG TJ TM UZ"),
    ("Asia", "Eastern Asia", "CN HK MO KP JP MN KR TW"),
    ("Asia", "South-eastern Asia", "BN KH ID LA MY MM PH SG TH TL VN"),
    ("Asia", "Southern Asia", "AF BD BT IN IR MV NP PK LK"),
    ("Asia", "Western Asia", "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE"),
    ("Europe", "Eastern Europe", "BY BG CZ HU PL MD RO RU SK UA"),
    ("Europe", "Northern Europe", "AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB"),
    ("Europe", "Southern Europe", "AL AD BA HR GI GR VA IT ME MK MT PT SM RS SI ES XK"),
    ("Europe", "Western Europe", "AT BE FR DE LI LU MC NL CH"),
    ("Oceania", "Australia and New Zealand", "AU CX CC HM NZ NF"),
    ("Oceania", "Melanesia", "FJ NC PG SB VU"),
    ("Oceania", "Micronesia", "GU KI MH FM NR MP PW UM"),
    ("Oceania", "Polynesia", "AS CK PF NU PN WS TK TO TV WF"),
)

REGION_OF: dict[str, str] = {code: region for region, _, codes in M49 for code in codes.split()}
SUB_REGION_OF: dict[str, str] = {code: sub for _, sub, codes in M49 for code in codes.split()}


def region_of(code: str) -> str | None:
    return REGION_OF.get(code.strip().upper())


def sub_region_of(code: str) -> str | None:
    return SUB_REGION_OF.get(code.strip().upper())


COUNTRY_CODES: frozenset[str] = frozenset(REGION_OF)
# CLDR's language codes that name no language a person speaks
_NOT_LANGUAGES = {"und", "zxx", "mul", "mis", "root"}


@functools.cache
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


@functools.cache
def countries(language: str = "en") -> tuple[tuple[str, str], ...]:
    """Every country as (code, name in ``language``), in the reader's alphabetical order
    (accents folded: "Égypte" sorts with "Egypte")."""
    names = _locale(language).territories
    english = _locale("en").territories
    pairs = [(code, names.get(code) or english.get(code) or code) for code in COUNTRY_CODES]
    return tuple(sorted(pairs, key=lambda pair: fold(pair[1])))


@functools.cache
def languages(language: str = "en") -> tuple[tuple[str, str], ...]:
    """Every language as (ISO 639 code, name in ``language``), alphabetical: the two- and
    three-letter codes CLDR names, without its regional variants ("en_GB")."""
    names = _locale(language).languages
    pairs = [
        (code, name)
        for code, name in names.items()
        if code.isalpha() and code.islower() and 2 <= len(code) <= 3 and code not in _NOT_LANGUAGES
    ]
    return tuple(sorted(pairs, key=lambda pair: fold(pair[1])))


def country_name(code: str, language: str = "en") -> str:
    """The country's name, or the code itself if it is none (from an old import)."""
    return dict(countries(language)).get(code.strip().upper(), code)


def language_name(code: str, language: str = "en") -> str:
    return dict(languages(language)).get(code.strip().lower(), code)
