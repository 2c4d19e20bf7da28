"""The case (docket) number, as written: "2:18-cr-201-TC", "17-CR-424 (PKC)", "CR-98-16-B-W".

Decisions also cite docket *entries* ("Dkt. No. 24", "ECF No. 66"); those are bare integers,
so a case number must have the shape of one (digits joined by hyphens or a colon) and stand after
a case-number label or open a header line.
"""
from __future__ import annotations

import re

_NUMBER = (r"(?P<number>(?:[A-Z]{1,4}[ \t]?-?[ \t]?)?\d[\w:]*(?:-[\w]+)+(?:[ \t]*\([A-Z]{2,5}\))?)")
_LABEL = (r"\b(?:case|criminal(?:[ \t]+action|[ \t]+case)?|crim\.?(?:[ \t]+action)?|cr\.?|civil(?:[ \t]+action)?|civ\.?"
          r"|cause|misc\.?|action|cv\.?|docket)")
LABELED = re.compile(_LABEL + r"[ \t]*(?:(?:no|nos|number)\.?|#)?[ \t]*:?[ \t]*" + _NUMBER, re.I)
HEADER_LINE = re.compile(r"(?m)^[ \t|*]*(?:no\.?[ \t]*)?" + _NUMBER, re.I)
_DOCKET_LIKE = re.compile(r"(?i)\d:\d|\b(?:cr|cv|crim|mj|civ)\b|-(?:cr|cv|mj)-|^(?:cr|cv)")
HEADER_WINDOW = 600


def find_docket(text: str) -> str | None:
    for match in LABELED.finditer(text):
        number = _clean(match.group("number"))
        if number:
            return number
    for match in HEADER_LINE.finditer(text[:HEADER_WINDOW]):
        number = _clean(match.group("number"))
        if number and _DOCKET_LIKE.search(number):
            return number
    return None


def _clean(number: str) -> str | None:
    number = re.sub(r"[ \t]+", " ", number).strip(" .,;:")
    if not re.search(r"\d", number) or re.fullmatch(r"\d{1,2}-\d{1,2}-\d{2,4}|\d{4}-\d{2}-\d{2}", number):
        return None                      # a date such as 09-15-2020, not a case number
    return number
