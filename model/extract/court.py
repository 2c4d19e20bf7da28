"""Which court decided: a federal district or circuit, normalized to its Bluebook abbreviation.

Decisions mention many courts (the sentencing court of a transferred case, courts whose rulings
they cite), so a name counts only where its place shows it is *this* court: in the caption
("United States District Court for the District of Kansas", "Court: District Court, E.D.
Tennessee", a header line of its own), or, failing that, in the name of a local office (the grand
jury or the U.S. Attorney "for the Southern District of Georgia") when all such mentions agree.
Anything else is a citation or background, and the answer is None rather than a guess.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from model.schema import REPO_ROOT

COURTS_PATH = REPO_ROOT / "data" / "courts.json"
_CAPTION_LEAD = re.compile(
    r"(?:district\s+court|court\s+of\s+appeals|court\s*:|district\s+judge|court\s+judge)"
    r"[\s,:\-\u2014\u2013]*(?:for\s+the|of\s+the|in\s+and\s+for\s+the)?[\s,]*$", re.I)
_LOCAL_LEAD = re.compile(
    r"(?:(?:grand\s+jury|probation\s+office|clerk\s+of\s+court)\s+(?:for|of|in)\s+the"
    r"|attorney(?:['\u2019]?s)?(?:\s+office)?[\s,]*(?:(?:for|of|in)\s+the)?)\s*$", re.I)
_LOCAL_TAIL = re.compile(r"\s*(?:local\s+(?:criminal\s+|civil\s+)?rules?|l\.\s?(?:cr\.\s?)?r\.|lr\b|standing\s+order)", re.I)
_OWN_CITE_LEAD = re.compile(r"(?:\bno\.?|\bcr|\bcv)[^()\n]{0,40}\(\s*$", re.I)   # "CRIMINAL NO. 89-72-WS (S.D. Ala."
OWN_CITE_WINDOW = 300
_PROSE = re.compile(r"\b(?-i:[a-z]{4,})\b[^.|]*$")
_ORDINALS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth",
             "Tenth", "Eleventh")
CAPTION_WINDOW = 400   # the opening characters, where a long PDF line may still be the caption
SHORT_LINE = 250       # a line this short is a header, not prose


@dataclass(frozen=True)
class Court:
    abbreviation: str
    name: str
    circuit: str


class CourtTable:
    """The court table (``data/courts.json``) compiled into one pattern of every way to write a court."""

    def __init__(self, raw: dict):
        self.courts: dict[str, Court] = {}
        aliases: dict[str, Court] = {}
        for row in raw["districts"]:
            court = Court(row["abbreviation"], row["name"], row["circuit"])
            self.courts[court.abbreviation] = court
            for alias in _district_aliases(row):
                aliases[_key(alias)] = court
        for row in raw["circuits"]:
            court = Court(row["abbreviation"], row["name"], row["abbreviation"])
            self.courts[court.abbreviation] = court
            for alias in _circuit_aliases(row):
                aliases[_key(alias)] = court
        self._aliases = aliases
        ordered = sorted({_alias_pattern(a) for a in _raw_aliases(raw)}, key=len, reverse=True)
        self.pattern = re.compile(r"(?<![\w.])(?:" + "|".join(ordered) + r")(?!\w)(?!\s+Circuit)", re.I)

    def lookup(self, written: str) -> Court | None:
        return self._aliases.get(_key(written))


@lru_cache(maxsize=1)
def court_table(path: str | Path = COURTS_PATH) -> CourtTable:
    return CourtTable(json.loads(Path(path).read_text(encoding="utf-8")))


def find_court(text: str, table: CourtTable | None = None) -> Court | None:
    table = table or court_table()
    local: list[Court] = []
    for match in table.pattern.finditer(text):
        court = table.lookup(match.group(0))
        if court is None:
            continue
        place = _place(text, match.start(), match.end())
        if place == "caption":
            return court
        if place == "local" and court.circuit != court.abbreviation:
            local.append(court)
    return local[0] if local and len(set(local)) == 1 else None


def _place(text: str, start: int, end: int) -> str | None:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start:line_end if line_end >= 0 else len(text)]
    before = text[line_start:start]
    written = text[start:end]
    in_header = start < CAPTION_WINDOW or len(line.strip()) <= SHORT_LINE or written.isupper()
    in_header = in_header and not _PROSE.search(before[-120:])   # "...imposed by the District Court for the"
    if in_header and (_CAPTION_LEAD.search(before[-80:]) or written.lower().startswith("court")):
        return "caption"
    if len(line.strip()) <= 100 and re.fullmatch(r"[\s,|*]*(?:(?:in\s+and\s+)?for\s+the)?\s*", before, re.I):
        previous = text[max(0, line_start - 200):line_start]
        if not before.strip(" \t,|*") or re.search(r"district\s+court\W*$", previous, re.I):
            return "caption"                  # the court's name on a line of its own, under the caption
    if start < OWN_CITE_WINDOW and _OWN_CITE_LEAD.search(before[-60:]):
        return "caption"
    if _LOCAL_LEAD.search(before[-60:]) or _LOCAL_TAIL.match(text, end):
        return "local"
    return None


def _district_aliases(row: dict) -> list[str]:
    name, state, abbreviation = row["name"], row["state"], row["abbreviation"]
    aliases = [abbreviation, name]
    if name.startswith("District of the "):
        aliases.append(name.replace("District of the ", "District of "))
    if state != "Columbia":
        direction = name.split()[0][0] + ".D." if not name.startswith("District") else "D."
        aliases.append(f"{direction} {state}")           # "E.D. Tennessee", "D. Maine"
    return aliases


def _circuit_aliases(row: dict) -> list[str]:
    number = row["name"].split()[0]
    aliases = [row["abbreviation"], f"Court of Appeals for the {row['name']}"]
    if number in _ORDINALS:
        aliases.append(f"{number} Circuit Court of Appeals")
    return aliases


def _raw_aliases(raw: dict) -> list[str]:
    out = [a for row in raw["districts"] for a in _district_aliases(row)]
    return out + [a for row in raw["circuits"] for a in _circuit_aliases(row)]


def _key(written: str) -> str:
    return re.sub(r"[^a-z0-9]", "", written.lower().replace("the ", ""))


def _alias_pattern(alias: str) -> str:
    """Spacing and a final period are free ("S.D. W. Va." = "S.D.W. Va" = "S.D. W.Va.")."""
    parts = [re.escape(p) for p in re.split(r"\s+", alias.strip())]
    pattern = r"\s*".join(p.replace(r"\.", r"\.\s*") for p in parts)
    pattern = re.sub(r"(\\s\*)+", r"\\s*", pattern)
    if pattern.endswith(r"\.\s*"):
        pattern = pattern[: -len(r"\.\s*")] + r"\.?"
    return pattern.replace(r"of\s*", r"of\s+(?:the\s+)?")
