"""Test helpers for the service tests: the model to serve, PDFs made at test time, free ports."""
from __future__ import annotations

import os
import socket
from pathlib import Path

DECISION = ("ORDER. Defendant moves for compassionate release under 18 U.S.C. 3582(c)(1)(A), citing "
            "his asthma and the risk of COVID-19 in custody. He did not first ask the warden to file "
            "a motion on his behalf, and thirty days have not passed. Because he has not exhausted his "
            "administrative remedies, the motion is DENIED without prejudice.")
GRANT = ("MEMORANDUM AND ORDER. The defendant is 74 years old and suffers from terminal cancer. "
         "The Court finds extraordinary and compelling reasons and that the section 3553(a) factors "
         "support release. The motion for compassionate release is GRANTED and his sentence is "
         "reduced to time served.")


def model_dir_for_tests(default_model_dir: Path) -> Path:
    """The committed default model, or MOTION_OUTCOME_TEST_MODEL while the default is being rebuilt."""
    override = os.environ.get("MOTION_OUTCOME_TEST_MODEL")
    return Path(override) if override else default_model_dir


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pdf(content: bytes) -> bytes:
    """A one-page PDF whose page draws ``content`` (a content stream), with a correct xref table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_with_text(text: str, width: int = 80) -> bytes:
    """A PDF with a real text layer: ``text`` (ASCII) set in Helvetica, wrapped at ``width`` chars."""
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    escaped = [ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for ln in lines]
    ops = ["BT /F1 11 Tf 14 TL 72 720 Td"] + [f"({ln}) Tj T*" for ln in escaped] + ["ET"]
    return _pdf("\n".join(ops).encode("latin-1"))


def pdf_without_text() -> bytes:
    """What a scan looks like to a text extractor: a page with marks but no text."""
    return _pdf(b"0.5 g 72 600 468 100 re f")


def corrupt_pdf() -> bytes:
    """A PDF header followed by a truncated, garbled body."""
    return pdf_with_text("The motion is denied.")[:60] + b"\x00\xff garbage << /Root 99 0 R"
