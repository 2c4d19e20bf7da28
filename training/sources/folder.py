"""A folder (recursive) of ``.txt``, ``.pdf`` and ``.html`` decisions."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from model.documents import DocumentError, text_from_bytes, text_from_pdf
from training.build.document import SourceDocument
from training.build.html_text import text_from_html
from training.build.provenance import provenance, utc_now
from training.corpus import CorpusError

READERS = {".txt": text_from_bytes, ".pdf": text_from_pdf, ".html": text_from_html, ".htm": text_from_html}


def read_folder(root: str | Path) -> Iterator[SourceDocument | CorpusError]:
    """Ids are paths relative to ``root`` without the suffix, so they are stable across runs."""
    root = Path(root)
    if not root.is_dir():
        yield CorpusError(root, None, "no such folder")
        return
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in READERS)
    if not files:
        yield CorpusError(root, None, f"folder holds no {', '.join(READERS)} files")
        return
    for file in files:
        relative = file.relative_to(root)
        data = file.read_bytes()
        try:
            text = READERS[file.suffix.lower()](data, str(relative))
        except DocumentError as exc:
            yield CorpusError(file, None, str(exc).split(": ", 1)[-1])
            continue
        yield SourceDocument(
            id=relative.with_suffix("").as_posix(), text=text,
            provenance=provenance("folder", data, path=str(file), retrieved_at=utc_now(),
                                  format=file.suffix.lower().lstrip(".")))
