"""Decision text from the files people have: plain text (UTF-8) and PDF.

Shared by corpus reading and the HTTP service, so both reject the same inputs with the same words.
"""
from __future__ import annotations

import io
import logging


class DocumentError(ValueError):
    """A document whose text cannot be used; the message says why, for the person who sent it."""


def text_from_bytes(data: bytes, name: str = "document") -> str:
    """Decode a ``.txt`` payload: UTF-8 (a BOM is allowed), not binary, not blank."""
    if b"\x00" in data[:8192]:
        raise DocumentError(f"{name}: looks like binary data, not text (send UTF-8 text or a PDF)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{name}: is not valid UTF-8 (byte {exc.start})") from None
    return require_text(text, name)


def text_from_pdf(data: bytes, name: str = "document.pdf") -> str:
    """Text layer of a PDF. A scanned PDF has none: we say so instead of returning nothing."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.lstrip()[:5] == b"%PDF-":
        raise DocumentError(f"{name}: is not a PDF (no %PDF header)")
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError) as exc:
        raise DocumentError(f"{name}: is a corrupt or unreadable PDF ({type(exc).__name__})") from None
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text.strip():
        raise DocumentError(f"{name}: PDF has no text layer (a scanned image?); run OCR on it first")
    return text


def text_from_file_bytes(data: bytes, filename: str) -> str:
    lower = filename.lower()
    if lower.endswith(".pdf") or data.lstrip()[:5] == b"%PDF-":
        return text_from_pdf(data, filename)
    return text_from_bytes(data, filename)


def require_text(text: str, name: str = "document") -> str:
    if not isinstance(text, str):
        raise DocumentError(f"{name}: text must be a string")
    if not text.strip():
        raise DocumentError(f"{name}: text is empty")
    return text
