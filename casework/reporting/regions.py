"""UN M49 regions of ISO 3166 alpha-2 country codes, for the citizenship dimension."""

from __future__ import annotations

AFRICA = (
    "DZ EG LY MA SD TN EH IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW AO CM "
    "CF TD CG CD GQ GA ST BW SZ LS NA ZA BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG"
)
AMERICAS = (
    "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI BZ CR SV "
    "GT HN MX NI PA AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE BM CA GL PM US"
)
ASIA = (
    "KZ KG TJ TM UZ CN HK MO KP JP MN KR TW BN KH ID LA MY MM PH SG TH TL VN AF BD BT IN IR MV NP "
    "PK LK AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE"
)
EUROPE = (
    "BY BG CZ HU PL MD RO RU SK UA AX DK EE FO FI GG IS IE IM IT JE LV LT NO SJ SE GB AL AD BA HR "
    "GI GR VA ME MK MT PT SM RS SI ES XK AT BE FR DE LI LU MC NL CH"
)
OCEANIA = "AU CX CC HM NZ NF FJ NC PG SB VU GU KI MH FM NR MP PW UM AS CK PF NU PN WS TK TO TV WF"

REGION_OF: dict[str, str] = {
    code: region
    for region, codes in (
        ("Africa", AFRICA),
        ("Americas", AMERICAS),
        ("Asia", ASIA),
        ("Europe", EUROPE),
        ("Oceania", OCEANIA),
    )
    for code in codes.split()
}


def region_of(code: str) -> str | None:
    return REGION_OF.get(code.strip().upper())
