"""The defendant (the movant in a criminal case), as the caption names them.

In order of trust: the caption ("UNITED STATES OF AMERICA, Plaintiff, v. MICHAEL ENGLISH,
Defendant."), its reversed form in collateral attacks ("ROSCOE HUNTER, Movant, v. UNITED
STATES"), a short title opening the text ("United States v. Duford, Criminal No. ..."), then the
first "Defendant Jane Q. Roe" in the opening paragraphs. Cases cited later in the text are never
read as the title.
"""
from __future__ import annotations

import re

from model.extract.names import display_name

_US = r"(?:the\s+)?united\s+states(?:\s+of\s+america)?|u\.\s?s\.(?:a\.)?|usa"
_PARTY = r"(?P<name>[^\n,;()]{2,80}?)"
_ROLE = r"(?:defendants?|movants?|petitioners?|appellants?)"
CAPTION = re.compile(r"(?:" + _US + r")\s*,?\s*(?:plaintiffs?|respondents?|appellees?)?[\s,\-\u2013\u2014]*\bv(?:s)?\.?\s+"
                     + _PARTY + r"[\s,\"\u201d]*(?:\(\d+\)\s*,?\s*)?" + _ROLE + r"\b", re.I)
REVERSED = re.compile(r"(?m)(?:^|\|)[ \t]*" + _PARTY + r"\s*,\s*" + _ROLE + r"[\s,\-\u2013\u2014]*\bv(?:s)?\.?\s+(?:" + _US + r")\b", re.I)
TITLE = re.compile(r"(?:" + _US + r")\s+v(?:s)?\.\s+(?P<name>[A-Z][\w.'\u2019\-]*(?:[ \t]+[A-Z][\w.'\u2019\-]*){0,3})", re.I)
_CITED = re.compile(r"\s*,?\s*\d+\s+[A-Z]")   # "United States v. Brooker, 976 F.3d": a cited case
MENTION = re.compile(r"\b(?:defendant|movant|petitioner|prisoner),?\s+(?-i:(?P<name>[A-Z][\w.'\u2019\-]*(?:[ \t]+[A-Z][\w.'\u2019\-]*){0,3}))", re.I)
TITLE_WINDOW = 400
MENTION_WINDOW = 1200
_NOT_A_NAME = re.compile(r"\b(?:united|states|america|government|court|motion|order|plaintiff|pro|se|the|has|is|was"
                        r"|memorandum|opinion|criminal|action|case|no|community|correctional|dkt|doc|ecf|in|a)\b", re.I)


def find_defendant(text: str) -> str | None:
    for pattern, window in ((CAPTION, None), (REVERSED, None), (TITLE, TITLE_WINDOW), (MENTION, MENTION_WINDOW)):
        for match in pattern.finditer(text if window is None else text[:window]):
            if pattern is TITLE and _CITED.match(text, match.end()):
                continue
            name = _clean(match.group("name"))
            if name:
                return name
    return None


def _clean(name: str) -> str | None:
    name = re.split(r"(?i)\b(?:a/k/a|aka|a\.k\.a\.|also known as|f/k/a|et al)\b", name)[0]
    name = re.sub(r"\s+", " ", name.strip(" ,.;:-\u2013\u2014\t\n\"\u201c")).strip(" ,.")
    words = name.split(" ")
    digits = [i for i, word in enumerate(words) if re.search(r"\d", word)]
    if digits:                                   # "Case No. 2:21-cr-78 Kenneth Heard" -> "Kenneth Heard"
        words = words[digits[-1] + 1:]
    for i, word in enumerate(words):
        if word.endswith(".") and len(word) > 3 and word.lower() not in ("jr.", "sr."):
            words = words[:i + 1]                # "Nathaniel Wells. Dkt" -> "Nathaniel Wells."
            words[-1] = word.rstrip(".")
            break
    for i, word in enumerate(words):
        if re.search(r"['\u2019]s?$", word):     # "Walker's Motion" -> "Walker"; "Powers' motion"
            words = words[:i] + [re.sub(r"['\u2019]s?$", "", word)]
            break
    while words and _NOT_A_NAME.fullmatch(words[-1]):
        words.pop()                              # "Defendant Walker has moved" -> "Walker"
    name = " ".join(words)
    if not name or not re.search(r"[A-Za-z]{2}", name) or _NOT_A_NAME.search(name) or len(words) > 6:
        return None
    return display_name(name)
