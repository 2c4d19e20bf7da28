"""The authorities a decision cites: cases, statutes, regulations (eyecite) and the Sentencing
Guidelines (a small pattern of our own: eyecite does not know "U.S.S.G. § 1B1.13").

Each citation is ``{"text", "kind", "start", "end", ...normalized fields}`` with ``text ==
document[start:end]``. Short forms ("Id.", "Brooker, 976 F.3d at 235") are kept only when eyecite
resolves them to a full case cite in the same text, and then carry that case's fields, so counting
``authority`` per decision counts every reliance on a case.
"""
from __future__ import annotations

import logging
import re
from typing import Any

from eyecite import get_citations, resolve_citations
from eyecite.models import (FullCaseCitation, FullJournalCitation, FullLawCitation, IdCitation,
                            ShortCaseCitation, SupraCitation)

# eyecite warns (through logging's last-resort handler, i.e. on stderr) about overlapping cites it
# then handles; an application that configures logging still sees them.
logging.getLogger("eyecite").addHandler(logging.NullHandler())

KINDS = ("case", "case_reference", "statute", "regulation", "rule", "journal", "guideline", "guideline_amendment")
GUIDELINE = re.compile(
    r"(?:(?:U\.\s?S\.\s?S\.\s?G\.|USSG|U\.S\. Sentencing Guidelines?(?: Manual)?|Sentencing Guidelines?(?: Manual)?"
    r"|Guidelines?(?: Manual)?)\s*)?§+\s*(?P<section>\d[A-Z]\d\.\d+[A-Za-z]?)(?P<pin>(?:\([a-z0-9]{1,4}\))*)")
AMENDMENT = re.compile(r"\b(?:U\.\s?S\.\s?S\.\s?G\.\s*App(?:endix|\.)\s*C,?\s*)?Amend(?:ment|\.)\s+(?P<number>\d{3})\b")


def find_citations(text: str) -> list[dict[str, Any]]:
    """Every citation in ``text``, in order of position."""
    found = _eyecite(text) + _guidelines(text)
    found.sort(key=lambda c: (c["start"], c["end"]))
    return found


def _eyecite(text: str) -> list[dict[str, Any]]:
    if not text.strip():
        return []                             # eyecite raises on empty text
    citations = get_citations(text)
    full_case_of: dict[int, FullCaseCitation] = {}
    for resource, cites in resolve_citations(citations).items():
        head = getattr(resource, "citation", None)
        if isinstance(head, FullCaseCitation):
            for cite in cites:
                full_case_of[id(cite)] = head
    out = []
    for cite in citations:
        start, end = cite.span()
        row: dict[str, Any] = {"text": text[start:end], "start": start, "end": end}
        if isinstance(cite, FullCaseCitation):
            row.update(kind="case", **_case_fields(cite))
        elif isinstance(cite, (ShortCaseCitation, SupraCitation, IdCitation)):
            head = full_case_of.get(id(cite))
            if head is None:
                continue                      # an "Id." that points at a statute or at nothing known
            row.update(kind="case_reference", **_case_fields(head))
        elif isinstance(cite, FullLawCitation):
            row.update(kind=_law_kind(cite.groups.get("reporter", "")), **_law_fields(cite))
        elif isinstance(cite, FullJournalCitation):
            row.update(kind="journal", authority=cite.corrected_citation())
        else:
            continue                          # UnknownCitation: a bare "§"
        out.append(row)
    return out


def _case_fields(cite: FullCaseCitation) -> dict[str, Any]:
    meta = cite.metadata
    return {"authority": cite.corrected_citation(), "volume": cite.groups.get("volume"),
            "reporter": cite.groups.get("reporter"), "page": cite.groups.get("page"),
            "court": meta.court, "year": meta.year, "plaintiff": meta.plaintiff, "defendant": meta.defendant}


def _law_kind(reporter: str) -> str:
    if "C.F.R." in reporter or "Fed. Reg." in reporter:
        return "regulation"
    if "R." in reporter and "Fed." in reporter:
        return "rule"
    return "statute"


def _law_fields(cite: FullLawCitation) -> dict[str, Any]:
    groups = cite.groups
    return {"authority": cite.corrected_citation(), "reporter": groups.get("reporter"),
            "title": groups.get("title") or groups.get("chapter"), "section": groups.get("section"),
            "pin_cite": cite.metadata.pin_cite}


def _guidelines(text: str) -> list[dict[str, Any]]:
    out = []
    for m in GUIDELINE.finditer(text):
        out.append({"text": m.group(0), "start": m.start(), "end": m.end(), "kind": "guideline",
                     "authority": f"U.S.S.G. § {m.group('section')}", "section": m.group("section"),
                     "pin_cite": m.group("pin") or None})
    for m in AMENDMENT.finditer(text):
        out.append({"text": m.group(0), "start": m.start(), "end": m.end(), "kind": "guideline_amendment",
                     "authority": f"U.S.S.G. Amendment {m.group('number')}", "number": m.group("number")})
    return out
