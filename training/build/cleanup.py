"""Clean-up of extracted decision text: white space, words hyphenated across lines, and running
page headers/footers ("Case 1:20-cr-00123 Document 45 Filed 06/06/22 Page 3 of 9").

Headers and footers are found by repetition: a short line that opens or closes at least
``min_repeats`` pages is page furniture, whether identical on each page or varying only in a page
number. Pages are split at form feeds when the text has them, else at blank lines (the PDF
reader joins pages with one), so a line must repeat at such an edge, never merely in the body.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"})
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_HYPHENATED = re.compile(r"(?<=[A-Za-z])-[ \t]*\n[ \t]*(?=[a-z])")
_PAGE_SPLIT = re.compile(r"\f|\n[ \t]*\n")
_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?[-–—\s]*#[-–—\s]*(?:of\s*#)?$")


def normalize_whitespace(text: str) -> str:
    """Unify line ends and spaces; keep paragraph breaks (one blank line), drop indentation."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_LIGATURES)
    text = _INVISIBLE.sub("", text)
    text = "".join(" " if (unicodedata.category(c) == "Zs" or c == "\t") else c for c in text)
    lines = [re.sub(r" {2,}", " ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def join_hyphenated(text: str) -> str:
    """``extraordi-\\nnary`` -> ``extraordinary``: a hyphen at a line end followed by a lower-case
    word is a line-break hyphen (a real compound split at a line end is rarer than this)."""
    return _HYPHENATED.sub("", text)


def _key(line: str) -> str:
    return _DIGITS.sub("#", re.sub(r"\s+", " ", line.strip().lower()))


def _is_furniture(key: str, variants: set[str]) -> bool:
    """A repeated edge line is furniture if it is identical on every page, or if it varies only in
    its numbers and reads like a page number ("Page 3 of 9", "- 3 -", a filing stamp with "Page")."""
    letters = sum(c.isalpha() for c in key)
    if len(key) > 160:
        return False
    if _PAGE_NUMBER.match(key) or ("page #" in key and letters >= 4):
        return True
    return len(variants) == 1 and letters >= 4


def remove_repeated_edges(text: str, min_repeats: int = 3, edge_lines: int = 2) -> str:
    """Drop lines that open or close at least ``min_repeats`` pages."""
    pages = _PAGE_SPLIT.split(text)
    if len(pages) < min_repeats:
        return text
    edges: list[list[int]] = []
    counts: Counter[str] = Counter()
    variants: dict[str, set[str]] = {}
    page_lines = [page.split("\n") for page in pages]
    for lines in page_lines:
        filled = [i for i, line in enumerate(lines) if line.strip()]
        edge = sorted(set(filled[:edge_lines] + filled[-edge_lines:]))
        edges.append(edge)
        counts.update({_key(lines[i]) for i in edge})
        for i in edge:
            variants.setdefault(_key(lines[i]), set()).add(lines[i].strip())
    furniture = {k for k, n in counts.items() if n >= min_repeats and _is_furniture(k, variants[k])}
    if not furniture:
        return text
    kept_pages = []
    for lines, edge in zip(page_lines, edges):
        drop = {i for i in edge if _key(lines[i]) in furniture}
        kept = [line for i, line in enumerate(lines) if i not in drop]
        if any(line.strip() for line in kept):
            kept_pages.append("\n".join(kept))
    return "\n\n".join(kept_pages)


def clean_text(text: str) -> str:
    """The whole clean-up, in the order that makes each step see what it needs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = remove_repeated_edges(text)
    text = join_hyphenated(text)
    return normalize_whitespace(text)
