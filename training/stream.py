"""Read a labeled corpus as chunks of records, in memory bounded by the chunk size.

``read_corpus`` holds every record; this reader holds one chunk. It reads the same formats with the
same checks and ``path:line`` errors (it reuses ``training.corpus``), over one file or a glob of
partition files (``'corpus/*.jsonl'``). Duplicate ids are still caught across the whole stream:
ids are remembered as 8-byte hashes with where each was first seen (8 bytes more), not as
strings: about 16 MB per million records, the only memory of the reader that grows with the corpus.
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
    """Ids seen so far, as sorted runs of 64-bit hashes, each with where it was first seen packed
    into one 64-bit number (file index and line, 32 bits each).

    A hash collision would report a false duplicate; at 1M ids its chance is about 3e-8.
    """

    def __init__(self, flush_every: int = 4096, max_runs: int = 8):
        self.flush_every, self.max_runs = flush_every, max_runs
        self._pending: dict[int, int] = {}  # hash -> packed (file, line)
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []  # (sorted hashes, packed (file, line))

    @staticmethod
    def _hash(record_id: str) -> int:
        return int.from_bytes(hashlib.blake2b(record_id.encode(), digest_size=8).digest(), "little", signed=True)

    def first_seen(self, record_id: str, file_index: int, line: int) -> tuple[int, int] | None:
        """Remember ``record_id``; if it was seen before, return (file index, line) of the first."""
        if not (0 <= file_index < 2 ** 31 and 0 <= line < 2 ** 32):
            raise ValueError(f"file index {file_index} or line {line} out of range")
        key = self._hash(record_id)
        if key in self._pending:
            return self._unpack(self._pending[key])
        for hashes, where in self._runs:
            i = int(np.searchsorted(hashes, key))
            if i < len(hashes) and hashes[i] == key:
                return self._unpack(int(where[i]))
        self._pending[key] = file_index << 32 | line
        if len(self._pending) >= self.flush_every:
            self._flush()
        return None

    @staticmethod
    def _unpack(where: int) -> tuple[int, int]:
        return where >> 32, where & 0xFFFFFFFF

    def _flush(self) -> None:
        hashes = np.fromiter(self._pending.keys(), dtype=np.int64, count=len(self._pending))
        where = np.fromiter(self._pending.values(), dtype=np.int64, count=len(self._pending))
        self._pending = {}
        self._runs.append((hashes, where))
        if len(self._runs) > self.max_runs:
            hashes = np.concatenate([h for h, _ in self._runs])
            where = np.concatenate([w for _, w in self._runs])
            self._runs = []
        order = np.argsort(hashes, kind="stable")
        if self._runs:
            self._runs[-1] = (hashes[order], where[order])
        else:
            self._runs = [(hashes[order], where[order])]


def iter_records(source: str | Path | list, schema: LabelSchema | None = None, *, require_labels: bool = False,
                 skip_invalid: bool = False, stats: StreamStats | None = None) -> Iterator[Record]:
    """Records of every file of ``source``, one at a time, checked like ``read_corpus`` checks them."""
    files = expand_sources(source)
    stats = stats if stats is not None else StreamStats()
    seen = SeenIds()
    for file_index, path in enumerate(files):
        for line, row in corpus_rows(path):
            try:
                record = record_from_row(path, line, row, schema, require_labels)
                first = seen.first_seen(record.id, file_index, line or 0)
                if first is not None:
                    where = f"{files[first[0]]}:{first[1]}" if first[1] else str(files[first[0]])
                    raise CorpusError(path, line, f"duplicate id '{record.id}' (first at {where})")
            except CorpusError as error:
                if not skip_invalid:
                    raise
                stats.skip(error)
                continue
            stats.records += 1
            yield record
    if stats.records == 0:
        raise CorpusError(str(source), None, "no usable records" + (f" ({stats.skipped} skipped)" if stats.skipped else ""))


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
