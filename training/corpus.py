"""Read decisions from JSONL, CSV or a folder of ``.txt``/``.pdf`` files, and check their labels.

Nothing is dropped silently: a bad row stops the run with its file and line number, or, when the
caller asks to skip bad rows, is counted and listed in ``Corpus.skipped``.
"""
from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from model.documents import DocumentError, text_from_file_bytes
from model.schema import LabelSchema

LABEL_FIELDS = ("disposition", "reasons", "motion_type")


class CorpusError(ValueError):
    """A corpus problem, located: ``path:line: message``."""

    def __init__(self, path: str | Path, line: int | None, message: str):
        self.path, self.line, self.message = str(path), line, message
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


@dataclass
class Record:
    id: str
    text: str
    fields: dict[str, Any]
    line: int | None = None

    @property
    def split(self) -> str | None:
        return self.fields.get("split")

    @property
    def group(self) -> str:
        return str(self.fields.get("group") or self.id)

    def label(self, name: str):
        return self.fields.get(name)


@dataclass
class Corpus:
    records: list[Record]
    source: str
    skipped: list[CorpusError] = field(default_factory=list)

    def where(self, split: str | None) -> list[Record]:
        return [r for r in self.records if split is None or r.split == split]


def read_corpus(path: str | Path, schema: LabelSchema | None = None, *, require_labels: bool = False,
                skip_invalid: bool = False) -> Corpus:
    """Read every record; validate labels against ``schema`` when it is given.

    ``require_labels``: each record must carry the label fields (for training and evaluation).
    """
    path = Path(path)
    rows = corpus_rows(path)
    corpus = Corpus(records=[], source=str(path))
    seen: dict[str, int | None] = {}
    for line, row in rows:
        try:
            record = record_from_row(path, line, row, schema, require_labels)
            if record.id in seen:
                raise CorpusError(path, line, f"duplicate id '{record.id}' (first at line {seen[record.id]})")
            seen[record.id] = line
            corpus.records.append(record)
        except CorpusError as error:
            if not skip_invalid:
                raise
            corpus.skipped.append(error)
    if not corpus.records:
        raise CorpusError(path, None, "no usable records" + (f" ({len(corpus.skipped)} skipped)" if corpus.skipped else ""))
    return corpus


def corpus_rows(path: str | Path) -> Iterator[tuple[int | None, Any]]:
    """Raw ``(line, row)`` pairs of a corpus file or folder, read lazily; a row that cannot be
    parsed comes as a ``CorpusError`` in place of the row, so the caller decides to stop or skip."""
    path = Path(path)
    if not path.exists():
        raise CorpusError(path, None, "no such file or folder")
    if path.is_dir():
        return _folder_rows(path)
    if path.suffix.lower() == ".csv":
        return _csv_rows(path)
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        return jsonl_rows(path)
    raise CorpusError(path, None, "unknown corpus format: expected .jsonl, .csv or a folder of .txt/.pdf files")


def record_from_row(path: str | Path, line: int | None, row: Any, schema: LabelSchema | None = None,
                    require_labels: bool = False) -> Record:
    """One row of ``corpus_rows`` checked and turned into a ``Record``; raises ``CorpusError``."""
    if isinstance(row, CorpusError):
        raise row
    return _to_record(Path(path), line, row, schema, require_labels)


def jsonl_rows(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed object) per non-blank line; a bad line yields a ``CorpusError``."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield number, CorpusError(path, number, "line is not valid UTF-8")
                continue
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, CorpusError(path, number, f"malformed JSON ({exc.msg} at character {exc.pos + 1})")
                continue
            yield number, row


def _csv_rows(path: Path) -> Iterator[tuple[int, Any]]:
    csv.field_size_limit(sys.maxsize)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            row = {k: v for k, v in row.items() if k is not None}
            reasons = row.get("reasons")
            if reasons is not None:
                reasons = reasons.strip()
                if reasons.startswith("["):
                    try:
                        row["reasons"] = json.loads(reasons)
                    except json.JSONDecodeError:
                        yield reader.line_num, CorpusError(path, reader.line_num, "field 'reasons' is not a JSON list")
                        continue
                else:
                    row["reasons"] = [r.strip() for r in reasons.replace(";", ",").split(",") if r.strip()]
            for key in ("court", "date", "judge", "evidence", "split", "group"):
                if row.get(key) == "":
                    row[key] = None
            yield reader.line_num, row


def _folder_rows(path: Path) -> Iterator[tuple[int | None, Any]]:
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".txt", ".pdf"))
    if not files:
        yield None, CorpusError(path, None, "folder holds no .txt or .pdf files")
        return
    for file in files:
        relative = file.relative_to(path)
        try:
            text = text_from_file_bytes(file.read_bytes(), str(relative))
        except DocumentError as exc:
            yield None, CorpusError(file, None, str(exc).split(": ", 1)[-1])
            continue
        yield None, {"id": str(relative.with_suffix("")), "text": text, "source_path": str(file)}


def _to_record(path: Path, line: int | None, row: Any, schema: LabelSchema | None,
               require_labels: bool) -> Record:
    if not isinstance(row, dict):
        raise CorpusError(path, line, f"expected a JSON object, got {type(row).__name__}")
    for name in ("id", "text"):
        if name not in row or row[name] is None:
            raise CorpusError(path, line, f"missing field '{name}'")
    if not isinstance(row["text"], str):
        raise CorpusError(path, line, "field 'text' must be a string")
    if not row["text"].strip():
        raise CorpusError(path, line, "empty text")
    record_id = str(row["id"]).strip()
    if not record_id:
        raise CorpusError(path, line, "empty id")
    if require_labels:
        for name in LABEL_FIELDS:
            if row.get(name) is None:
                raise CorpusError(path, line, f"missing label field '{name}'")
    if schema is not None:
        _check_labels(path, line, row, schema)
    fields = {k: v for k, v in row.items() if k not in ("id", "text")}
    return Record(id=record_id, text=row["text"], fields=fields, line=line)


def _check_labels(path: Path, line: int | None, row: dict, schema: LabelSchema) -> None:
    def check(name: str, value: Any, allowed: tuple[str, ...]) -> None:
        if value not in allowed:
            raise CorpusError(path, line, f"unknown {name} label '{value}' (expected one of: {', '.join(allowed)})")

    if row.get("disposition") is not None:
        check("disposition", row["disposition"], schema.dispositions)
    if row.get("motion_type") is not None:
        check("motion_type", row["motion_type"], schema.motion_types)
    reasons = row.get("reasons")
    if reasons is not None:
        if not isinstance(reasons, list):
            raise CorpusError(path, line, "field 'reasons' must be a list of labels")
        for reason in reasons:
            check("reason", reason, schema.reasons)
