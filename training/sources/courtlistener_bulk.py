"""CourtListener's bulk opinions file (``opinions-YYYY-MM-DD.csv[.bz2]``: a PostgreSQL CSV export
of the opinions table with a header row). It holds millions of opinions, so rows are streamed and
``match`` (a regular expression, tried on the raw text before any HTML is parsed) selects the
relevant ones; every row is counted as selected, not matching, or without text."""
from __future__ import annotations

import bz2
import csv
import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Callable, Iterator

from model.documents import DocumentError
from training.build.document import SourceDocument
from training.build.provenance import provenance, utc_now
from training.corpus import CorpusError
from training.sources.courtlistener import OPINION_TEXT_FIELDS, opinion_text


def _open(path: Path):
    if path.suffix == ".bz2":
        return bz2.open(path, "rt", encoding="utf-8", newline="")
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


class BulkOpinions:
    """Iterate to get the selected opinions; ``counts`` says what happened to every row."""

    def __init__(self, path: str | Path, match: str | None = None, limit: int | None = None,
                 progress: Callable[[str], None] = lambda message: None, every: int = 100_000):
        self.path, self.limit, self.progress, self.every = Path(path), limit, progress, every
        self.match = re.compile(match, re.IGNORECASE) if match else None
        self.counts: Counter[str] = Counter()

    def __iter__(self) -> Iterator[SourceDocument | CorpusError]:
        csv.field_size_limit(sys.maxsize)
        retrieved = utc_now()
        with _open(self.path) as handle:
            reader = csv.DictReader(handle)
            missing = {"id", "plain_text"} - set(reader.fieldnames or ())
            if missing:
                yield CorpusError(self.path, 1, f"not a CourtListener opinions file: no column(s) {sorted(missing)}")
                return
            for row in reader:
                self.counts["rows"] += 1
                if self.counts["rows"] % self.every == 0:
                    self.progress(f"bulk: {self.counts['rows']} rows read, {self.counts['selected']} selected")
                if self.match and not any(self.match.search(row.get(f) or "") for f in OPINION_TEXT_FIELDS):
                    self.counts["not matching"] += 1
                    continue
                name = f"cl-opinion-{row['id']}"
                try:
                    text, field = opinion_text(row, name)
                except DocumentError:
                    self.counts["no text"] += 1
                    continue
                self.counts["selected"] += 1
                source = provenance("courtlistener-bulk", json.dumps(row, sort_keys=True), path=str(self.path),
                                    url=row.get("download_url") or None, retrieved_at=retrieved,
                                    opinion_id=row["id"], text_field=field)
                fields = {k: row[k] for k in ("cluster_id", "type") if row.get(k)}
                yield SourceDocument(id=name, text=text, provenance=source, fields=fields)
                if self.limit is not None and self.counts["selected"] >= self.limit:
                    return
