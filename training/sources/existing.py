"""An existing corpus file as a source: its records (labels and all) join the build unchanged, so
new documents can be checked against it for duplicates."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from training.build.document import SourceDocument
from training.build.provenance import provenance
from training.corpus import CorpusError, read_corpus


def read_existing(path: str | Path) -> Iterator[SourceDocument | CorpusError]:
    corpus = read_corpus(path, skip_invalid=True)
    yield from corpus.skipped
    for record in corpus.records:
        fields = dict(record.fields)
        kept = fields.pop("provenance", None)
        origin = kept if isinstance(kept, dict) else provenance(
            "corpus", record.text, url=fields.get("source_url"), path=None if fields.get("source_url") else str(path))
        yield SourceDocument(id=record.id, text=record.text, provenance=origin, fields=fields, raw=False)
