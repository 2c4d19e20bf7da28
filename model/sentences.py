"""Split decision text into sentences with character offsets into the original text.

Evidence must be quoted verbatim with offsets, so splitting never rewrites the text: it only
finds boundaries. Legal text is full of periods that end no sentence ("v.", "U.S.C.", "F.3d",
"No.", initials), so a boundary after a known abbreviation is not taken.
"""
from __future__ import annotations

import re
from typing import NamedTuple

_ABBREVIATIONS = frozenset("""
v vs no nos u.s u.s.c u.s.s.g c.f.r f f.2d f.3d f.4th f.supp supp app'x fed cir ct s.ct l.ed
dkt doc ecf ex exh mr mrs ms dr jr sr st inc co corp ltd e.g i.e cf id ibid al et seq art sec
para pp p n nn ann rev stat pub l pl cr civ crim ch cl dist div j jj hon gov ord ass'n dep't
sept oct nov dec jan feb mar apr jun jul aug
ala ariz ark cal colo conn del fla ga ill ind kan ky la md mass mich minn miss mo mont neb nev okla
or pa tenn tex va vt wash wis wyo
""".split())

# A boundary: sentence-final punctuation (with closing quotes/brackets) then space, or a blank line.
_BOUNDARY = re.compile(r"""[.!?]["'”’)\]]*\s+|\n[ \t]*\n\s*""")
SHORT_LINE = 40
_LAST_TOKEN = re.compile(r"(\S+)$")
_DOTTED = re.compile(r"^(?:[a-z]{1,2}\.)+[a-z]{0,2}$")


class Span(NamedTuple):
    start: int
    end: int


def _is_abbreviation(text: str, punct_at: int) -> bool:
    match = _LAST_TOKEN.search(text, max(0, punct_at - 20), punct_at)
    if not match:
        return False
    token = match.group(1).lower().lstrip("(\"'“[§")
    if not token:
        return False
    if len(token) == 1 and token.isalpha():  # an initial: "J. Smith"
        return True
    if _DOTTED.match(token):  # "S.D.N.Y.", "U.S.D.J."
        return True
    return token in _ABBREVIATIONS or token.rstrip(".") in _ABBREVIATIONS


_UPPER = re.compile(r"[A-Z]")
_LOWER = re.compile(r"[a-z]")


def _is_heading(line: str) -> bool:
    upper = len(_UPPER.findall(line))
    return upper >= 3 and len(_LOWER.findall(line)) <= 0.25 * upper


def _blocks(text: str) -> list[Span]:
    """Runs of lines that may hold running prose. A heading line (mostly capitals) stands alone,
    and a short line (a caption, a date, a docket number, a paragraph's end) ends its run:
    captions are not sentences, but they do state rulings ("ORDER DENYING ... MOTION")."""
    blocks, start, pos = [], 0, 0
    for line in text.split("\n"):
        end = pos + len(line)
        stripped = line.strip()
        if _is_heading(stripped):
            if pos > start:
                blocks.append(Span(start, pos))
            blocks.append(Span(pos, end))
            start = end + 1
        elif stripped and len(stripped) < SHORT_LINE and not stripped.endswith((",", "-", ";")):
            blocks.append(Span(start, end))
            start = end + 1
        pos = end + 1
    if start < len(text):
        blocks.append(Span(start, len(text)))
    return blocks


def sentence_spans(text: str, max_chars: int = 1500) -> list[Span]:
    """Sentence spans, trimmed of surrounding white space; overlong runs are cut at ``max_chars``."""
    spans: list[Span] = []
    for block in _blocks(text):
        start = block.start
        for match in _BOUNDARY.finditer(text, block.start, block.end):
            boundary_char = text[match.start()]
            if boundary_char == "." and _is_abbreviation(text, match.start()):
                continue
            nxt = match.end()
            if boundary_char in ".!?" and nxt < block.end and text[nxt].islower():
                continue
            _add(text, start, nxt, spans, max_chars)
            start = nxt
        _add(text, start, block.end, spans, max_chars)
    return spans


def _add(text: str, start: int, end: int, spans: list[Span], max_chars: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > max_chars:
        spans.append(Span(start, start + max_chars))
        start += max_chars
    if end > start:
        spans.append(Span(start, end))
