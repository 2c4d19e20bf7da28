"""Who decided: the judge named in the caption, the signature block or the docket entry.

A name counts only in the places where a court names its own judge: a header line ending in a
judicial title ("TERRENCE G. BERG, UNITED STATES DISTRICT JUDGE", "Kane, J.", "ROBERT W. PRATT,
Judge"), a line opening with one ("JUDGE CAMPBELL", "Chief Judge Beryl A. Howell"), a signature
(name over a title line), "Signed by District Judge ... on", "delivered by: ...". A judge named
inside a sentence ("the Honorable Jane Roe, United States District Judge, sentenced him") is
usually another judge (the sentencing judge, a cited one), so it does not count.
The earliest such place in the text wins; none gives None.
"""
from __future__ import annotations

import re

from model.extract.names import display_name

_WORD = r"[A-Z][\w.'\u2019\-]*"
_NAME = r"(?P<name>" + _WORD + r"(?:[ \t]+" + _WORD + r"){0,5}?(?:,?[ \t]+(?:jr|sr|ii|iii|iv)\b\.?)?)"
_TITLE = (r"(?:(?:(?:chief|senior|presiding)\s+)?(?:united\s+states|u\.\s?s\.)?[ \t]*(?:(?:chief|senior)\s+)?"
          r"(?:district(?:\s+court)?|magistrate|bankruptcy|circuit)\s+judges?\b"
          r"|(?:chief|senior)\s+judge\b|u\.\s?s\.\s?[dm]\.\s?j\.|[dc]\.\s?j\.)")
_HONORIFIC = r"(?:(?:before[ \t]*:?|honorable|hon\.?|the[ \t]+honorable|/s/|s/)[ \t]*)*"
_LINE = r"(?m:^)[ \t|*]*"
_NOT_PROSE = r"(?![ \t]*,?[ \t]+(?-i:[a-z]))"          # "..., District Judge, sentenced him": a sentence
_END = r"[ \t]*[.:,]?[ \t]*(?:$|\|)"
PLACES = tuple(re.compile(p, re.I | re.M) for p in (
    _LINE + r"(?:(?P<first>" + _WORD + r")[ \t]*\n[ \t]*)?" + _HONORIFIC + _NAME + r"[ \t]*,?[ \t]*" + _TITLE + _NOT_PROSE,  # NAME, U.S. District Judge
    _LINE + _HONORIFIC + _NAME + r"[ \t]*,?[ \t]*(?:judge|j\.)" + _END,                 # ROBERT W. PRATT, Judge / Kane, J.
    _LINE + _HONORIFIC + _NAME + r"[ \t]*,?[ \t]*\n[ \t|*]*" + _TITLE + _END,           # signature: name over title
    r"(?m:^)[ \t|*]*/?s/[ \t_]*(?:\n[ \t|*]*)?" + _NAME + r"[ \t]*(?:$|\|)",              # /s/ Jane Roe
    r"(?:(?m:^)[ \t|*]*|\()(?:(?:chief|senior|district|magistrate)[ \t]+)?judge[ \t]+(?P<lead>" + _WORD + r"(?:,?[ \t]+" + _WORD + r"){0,6})",
    r"\bsigned\s+by\s+(?:(?:chief|senior|district|magistrate|u\.\s?s\.)\s+)*(?:judge|honorable)\s+" + _NAME + r"\s+on\b",
    r"\bdelivered\s+by\s*:?\s*" + _HONORIFIC + _NAME + r"(?=\s*(?:,|$|\|))",
    r"(?-i:(?P<caps>[A-Z][A-Z.'\u2019\-]*(?:[ \t]+[A-Z][A-Z.'\u2019\-]*){1,4}))[ \t]*,?[ \t]*" + _TITLE + _NOT_PROSE,
    r"(?-i:\b(?P<caps>[A-Z]{3,}[A-Z'\u2019\-]*)),[ \t]*(?:" + _TITLE + r"|j\.)(?<![sS])[ \t]*:?" + _NOT_PROSE,  # SEYBERT, District Judge:
    _NAME + r"[ \t]*,[ \t]*u\.\s?s\.\s?[dm]\.\s?j\.",                                            # Jane Roe, U.S.D.J.
))
STOP_WORDS = frozenset("""united states america court district order opinion memorandum defendant defendants plaintiff
government report recommendation of and the for in re chambers ruling entry proceedings judge motion granting denying
summary before filing signed by pursuant to on v vs this that is was has matter cause magistrate chief senior
honorable hon bankruptcy circuit presiding reduce sentence release compassionate modify terminate supervised
vacate correct set aside designated assign notice hearing transfer regarding decision step act first""".split())
_SUFFIX = re.compile(r"(?i)^(?:jr|sr|ii|iii|iv)\.?$")


def find_judge(text: str) -> str | None:
    found: list[tuple[int, str]] = []
    for pattern in PLACES:
        for match in pattern.finditer(text):
            if "lead" in pattern.groupindex:     # JUDGE EDMUND A. SARGUS, JR. OPINION AND ORDER
                name = _clean(_leading_name(match.group("lead")))
            elif "caps" in pattern.groupindex:
                name = _clean(match.group("caps"))
            else:
                name = match.group("name")
                first = match.groupdict().get("first")
                if first and re.match(r"[A-Z]\.", name):   # "GORDON\nJ. QUIST": a name broken over two lines
                    name = f"{first} {name}"
                name = _clean(name)
            if name:
                found.append((match.start(), name))
                break
    return min(found)[1] if found else None


def _leading_name(words: str) -> str:
    """The words before the first one that cannot be part of a name."""
    keep = []
    for word in re.sub(r"\s+", " ", words).split(" "):
        if word.lower().strip(".,:") in STOP_WORDS:
            break
        keep.append(word)
    return " ".join(keep)


def _clean(name: str) -> str | None:
    words = re.sub(r"\s+", " ", name).strip(" ,").split(" ")
    keep: list[str] = []
    for word in reversed(words):                 # "CHAMBERS OF SUSAN D. WIGENTON" -> "SUSAN D. WIGENTON"
        if word.lower().strip(".,:") in STOP_WORDS:
            break
        keep.insert(0, word)
    if not keep or not any(len(re.sub(r"[^A-Za-z]", "", w)) >= 2 and not _SUFFIX.match(w) for w in keep):
        return None
    last = keep[-1]
    if last.endswith(".") and len(last.strip(".")) > 1 and last.lower() not in ("jr.", "sr."):
        keep[-1] = last.rstrip(".")              # "Danny C Reeves." -> "Danny C Reeves"
    return display_name(" ".join(keep)).strip(" ,")
