"""Readable text from an HTML decision: block elements become line breaks, inline elements do
not (a sentence with a link in it stays one sentence), page chrome and scripts are dropped."""
from __future__ import annotations

from bs4 import BeautifulSoup

from model.documents import DocumentError, require_text

_DROP = ("script", "style", "noscript", "nav", "header", "footer", "form", "button", "svg", "head")
_BLOCKS = ("p", "div", "section", "article", "main", "blockquote", "pre", "li", "ul", "ol", "table",
           "tr", "h1", "h2", "h3", "h4", "h5", "h6", "center", "dd", "dt", "dl", "hr", "address")


def text_from_html(data: bytes | str, name: str = "document.html") -> str:
    try:
        soup = BeautifulSoup(data, "html.parser")
    except Exception as exc:  # the parser is lenient; anything it raises means unusable input
        raise DocumentError(f"{name}: is not readable HTML ({type(exc).__name__})") from None
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for cell in soup.find_all(("td", "th")):
        cell.insert_after(" ")
    for block in soup.find_all(_BLOCKS):
        block.insert_before("\n\n")
        block.insert_after("\n\n")
    return require_text(soup.get_text(), name)
