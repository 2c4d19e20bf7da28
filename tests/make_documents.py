"""Decision files for tests, written by the tests themselves: PDF (with a text layer, via fpdf2),
HTML and plain text, with page headers and footers like court filings have."""
from __future__ import annotations

from pathlib import Path


def write_pdf(path: Path, pages: list[str], header: str | None = None, footer: str | None = None) -> Path:
    """One PDF page per item of ``pages``; ``header``/``footer`` may use {page} and {pages}."""
    from fpdf import FPDF

    pdf = FPDF(format="letter")
    pdf.set_auto_page_break(False)
    for number, body in enumerate(pages, start=1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=9)
        if header:
            pdf.set_xy(15, 8)
            pdf.cell(0, 5, header.format(page=number, pages=len(pages)))
        pdf.set_font("Helvetica", size=11)
        pdf.set_xy(15, 25)
        pdf.multi_cell(180, 6, body)
        if footer:
            pdf.set_font("Helvetica", size=9)
            pdf.set_xy(15, 265)
            pdf.cell(0, 5, footer.format(page=number, pages=len(pages)))
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def write_html(path: Path, title: str, paragraphs: list[str]) -> Path:
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<!doctype html><html><head><title>{title}</title><style>p {{margin: 0}}</style>"
                    f"<script>var tracking = 1;</script></head><body><nav>Home | Search | Login</nav>"
                    f"<article><h1>{title}</h1>\n{body}</article><footer>Copyright notice</footer></body></html>",
                    encoding="utf-8")
    return path
