"""When the decision was made, as an ISO date.

A decision is full of dates (sentencing, the motion's filing, the warden's reply), so only dates
whose place marks them as the decision's own count: after "Signed", "Decided", "Dated",
"Entered", "Date:" or "Filed", or on a header line of their own. The first of the strongest kind
wins; with none of them, the answer is None.
"""
from __future__ import annotations

import datetime as dt
import re

_MONTHS = {name: number for number, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")), start=1) for name in names}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
DATE = (r"(?:" + _MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR              # January 26, 2021
        + r"|" + _DAY.replace("day", "day2") + r"\s+(?:day\s+of\s+)?" + _MONTH.replace("month", "month2")
        + r",?\s+" + _YEAR.replace("year", "year2")                      # 26 January 2021, 5th day of May, 2021
        + r"|(?P<m>\d{1,2})[-/.](?P<d>\d{1,2})[-/.](?P<y>(?:19|20)?\d{2})"  # 09-15-2020, 11/17/16
        + r"|(?P<iy>(?:19|20)\d{2})-(?P<im>\d{2})-(?P<id>\d{2}))")       # 2021-01-26
_HEAD = r"(?m:^)[ \t|*]*"
_SIGNED = re.compile(
    r"(?:" + _HEAD + r"(?:signed|decided|dated|entered|issued|date\s+of\s+decision|decision\s+date)\b"
    r"|\b(?:signed|decided|dated|entered|date)\s*:|\bso\s+ordered\b[.,]?"
    r"|(?=\bthis\s+\d{1,2}(?:st|nd|rd|th)?\s+day\s+of\b))[\s:,]*(?:on\s+|this\s+)?" + DATE, re.I)
_OWN_LINE = re.compile(_HEAD + r"(?:dated\s*:?\s*)?" + DATE + r"[ \t.|*]*$", re.I | re.M)
_FILED = re.compile(r"(?:" + _HEAD + r"filed\b|\bfiled\s*:|\bdocument\s+\d+\s+filed\b)\s*:?\s*(?:on\s+)?" + DATE, re.I)
TIERS = (_SIGNED, _OWN_LINE, _FILED)
YEARS = (1950, 2100)


def find_date(text: str) -> str | None:
    for pattern in TIERS:
        for match in pattern.finditer(text):
            found = _to_date(match)
            if found is not None:
                return found.isoformat()
    return None


def _to_date(match: re.Match) -> dt.date | None:
    g = match.groupdict()
    if g.get("month"):
        year, month, day = g["year"], _MONTHS[g["month"].lower()], g["day"]
    elif g.get("month2"):
        year, month, day = g["year2"], _MONTHS[g["month2"].lower()], g["day2"]
    elif g.get("m"):
        year, month, day = g["y"], g["m"], g["d"]
        if len(year) == 2:
            year = "20" + year if int(year) < 50 else "19" + year
    else:
        year, month, day = g["iy"], g["im"], g["id"]
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
    return date if YEARS[0] <= date.year <= YEARS[1] else None
