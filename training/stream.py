"""Read a labeled corpus as chunks of records, in memory bounded by the chunk size.

``read_corpus`` holds every record; this reader holds one chunk. It reads the same formats with the
same checks and ``path:line`` errors (it reuses ``training.corpus``), over one file or a glob of
partition files (``'corpus/*.jsonl'``). Duplicate ids are still caught across the whole stream:
ids are remembered as 8-byte hashes, not as strings: 8 MB per million records, the only memory of
the reader that grows with the corpus.
"""
from __future__ import annotations

import glob
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from model.schema import LabelSchema
from training.corpus import CorpusError, Record, corpus_rows, record_from_row

MAX_SKIPPED_KEPT = 100


def expand_sources(source: str | Path | list) -> list[Path]:
    """One path, a glob pattern, or a list of either -> the files, in sorted order per pattern."""
    if isinstance(source, (list, tuple)):
        return [p for item in source for p in expand_sources(item)]
    text = str(source)
    if glob.has_magic(text):
        matches = sorted(Path(p) for p in glob.glob(text))
        if not matches:
            raise CorpusError(text, None, "the pattern matches no file")
        return matches
    return [Path(text)]


@dataclass
class StreamStats:
    """What a pass over the stream saw: counts always, and the first skipped errors."""

    records: int = 0
    skipped: int = 0
    skipped_errors: list[CorpusError] = field(default_factory=list)

    def skip(self, error: CorpusError) -> None:
        self.skipped += 1
        if len(self.skipped_errors) < MAX_SKIPPED_KEPT:
            self.skipped_errors.append(error)


class SeenIds:
    """64-bit hashes of the ids seen so far, as sorted runs: 8 bytes a record.

    A hit means the id was probably seen: two ids can share a hash (about 3e-8 at a million ids),
    so the caller confirms a hit before calling it a duplicate (see ``iter_records``).
    """

    def __init__(self, flush_every: int = 4096, max_runs: int = 8):
        self.flush_every, self.max_runs = flush_every, max_runs
        self._pending: set[int] = set()
        self._runs: list[np.ndarray] = []  # sorted hashes

    @staticmethod
    def _hash(record_id: str) -> int:
        return int.from_bytes(hashlib.blake2b(record_id.encode(), digest_size=8).digest(), "little", signed=True)

    def add(self, record_id: str) -> bool:
        """Remember ``record_id``; whether its hash had been seen before."""
        key = self._hash(record_id)
        if key in self._pending:
            return True
        for hashes in self._runs:
            i = int(np.searchsorted(hashes, key))
            if i < len(hashes) and hashes[i] == key:
                return True
        self._pending.add(key)
        if len(self._pending) >= self.flush_every:
            self._flush()
        return False

    def _flush(self) -> None:
        hashes = np.fromiter(self._pending, dtype=np.int64, count=len(self._pending))
        self._pending = set()
        if len(self._runs) >= self.max_runs:
            hashes = np.concatenate([*self._runs, hashes])
            self._runs = []
        self._runs.append(np.sort(hashes))


def iter_records(source: str | Path | list, schema: LabelSchema | None = None, *, require_labels: bool = False,
                 skip_invalid: bool = False, stats: StreamStats | None = None) -> Iterator[Record]:
    """Records of every file of ``source``, one at a time, checked like ``read_corpus`` checks them.

    A repeated id is an error. Only id hashes are kept, so where the id was first seen is found by
    reading the stream again up to here: once, since the error stops the run. With
    ``skip_invalid`` there may be many, so the skipped record's message does not say where, and
    is not checked: two ids that share a hash (about 3e-8 at a million ids) would count as one.
    """
    files = expand_sources(source)
    stats = stats if stats is not None else StreamStats()
    seen = SeenIds()
    for file_index, path in enumerate(files):
        for row_index, (line, row) in enumerate(corpus_rows(path)):
            try:
                record = record_from_row(path, line, row, schema, require_labels)
                if seen.add(record.id):
                    if skip_invalid:
                        raise CorpusError(path, line, f"duplicate id '{record.id}' (an earlier record has it)")
                    first = _first_occurrence(files, file_index, row_index, record.id, schema, require_labels)
                    if first is not None:  # None: two ids that share a hash
                        raise CorpusError(path, line, f"duplicate id '{record.id}' (first at {first})")
            except CorpusError as error:
                if not skip_invalid:
                    raise
                stats.skip(error)
                continue
            stats.records += 1
            yield record
    if stats.records == 0:
        raise CorpusError(str(source), None, "no usable records" + (f" ({stats.skipped} skipped)" if stats.skipped else ""))


def _first_occurrence(files: list[Path], file_index: int, row_index: int, record_id: str,
                      schema: LabelSchema | None, require_labels: bool) -> str | None:
    """``path:line`` of the first valid record with ``record_id`` before row ``row_index`` of
    ``files[file_index]``, or None if there is none."""
    for index, path in enumerate(files[:file_index + 1]):
        for k, (line, row) in enumerate(corpus_rows(path)):
            if index == file_index and k >= row_index:
                return None
            try:
                record = record_from_row(path, line, row, schema, require_labels)
            except CorpusError:
                continue
            if record.id == record_id:
                return f"{path}:{line}" if line else str(path)
    return None


def iter_chunks(source: str | Path | list, chunk_size: int = 1000, schema: LabelSchema | None = None, *,
                require_labels: bool = False, skip_invalid: bool = False,
                stats: StreamStats | None = None) -> Iterator[list[Record]]:
    """``iter_records`` grouped into lists of at most ``chunk_size`` records."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    chunk: list[Record] = []
    for record in iter_records(source, schema, require_labels=require_labels, skip_invalid=skip_invalid,
                               stats=stats):
        chunk.append(record)
        if len(chunk) >= chunk_size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
