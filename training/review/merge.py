"""Take a reviewed file back: validate every label, merge into the corpus (the reviewer wins),
and log every change (JSONL: id, field, old, new, reviewer, time, source).

Empty label cells mean "not reviewed" and change nothing. ``evidence`` (optional) is the sentence
that states the ruling, quoted verbatim; training learns where rulings are stated from it. Every problem is reported with its row
(CSV: spreadsheet row, the header being row 1; JSONL: line); by default one bad row stops the
import before anything is written, and ``skip_invalid`` imports the good rows and lists the rest.
Reviewed records get a ``review`` field (who, when, which fields), so a later export can leave
them out and training can tell checked labels from unchecked ones.
"""
from __future__ import annotations

import csv
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from model.schema import LabelSchema
from training.build.provenance import sha256_of, utc_now
from training.corpus import LABEL_FIELDS, CorpusError, Record, jsonl_rows
from training.output import AtomicJsonl

EMPTY_REASONS = {"none", "-", "[]", "no reasons"}
_PROBABILITY = re.compile(r"\s*\([^)]*\)")


@dataclass
class ReviewRow:
    where: str  # "row 5" or "line 5"
    id: str
    labels: dict[str, Any]
    reviewer: str | None
    text_sha256: str | None


@dataclass
class ImportReport:
    rows: int = 0
    reviewed: int = 0
    unreviewed: int = 0
    changed_fields: int = 0
    confirmed_fields: int = 0
    errors: list[str] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)


def _label(value: str) -> str:
    return re.sub(r"[\s\-]+", "_", value.strip().lower())


def _read_rows(path: Path) -> Iterator[tuple[str, dict[str, Any] | None, str | None]]:
    """(where, row, problem) for each row of a .csv or .jsonl review file."""
    if path.suffix.lower() == ".csv":
        csv.field_size_limit(sys.maxsize)
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or "id" not in reader.fieldnames or not set(LABEL_FIELDS) & set(reader.fieldnames):
                raise CorpusError(path, 1, f"not a review file: the header needs 'id' and at least one of {', '.join(LABEL_FIELDS)}")
            for number, row in enumerate(reader, start=2):
                yield f"row {number}", row, None
    elif path.suffix.lower() in (".jsonl", ".ndjson"):
        for number, row in jsonl_rows(path):
            if isinstance(row, CorpusError):
                yield f"line {number}", None, row.message
            else:
                yield (f"line {number}", row, None) if isinstance(row, dict) else (f"line {number}", None, "expected a JSON object")
    else:
        raise CorpusError(path, None, "review files are .csv or .jsonl")


def parse_labels(row: dict[str, Any], schema: LabelSchema) -> tuple[dict[str, Any], list[str]]:
    """The labels the reviewer filled in, and what is wrong with them."""
    labels, problems = {}, []
    allowed = {"disposition": schema.dispositions, "motion_type": schema.motion_types}
    for name in LABEL_FIELDS:
        value = row.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if name == "reasons":
            if isinstance(value, str):
                text = value.strip()
                if text.startswith("["):
                    try:
                        value = json.loads(text)
                    except json.JSONDecodeError:
                        problems.append("reasons: not a JSON list")
                        continue
                elif text.lower() in EMPTY_REASONS:
                    value = []
                else:
                    value = [part for part in re.split(r"[;,]", _PROBABILITY.sub("", text)) if part.strip()]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems.append("reasons: expected a list of labels")
                continue
            reasons = list(dict.fromkeys(_label(v) for v in value))
            unknown = [r for r in reasons if r not in schema.reasons]
            if unknown:
                problems.append(f"unknown reason(s) {', '.join(repr(u) for u in unknown)} "
                                f"(expected: {', '.join(schema.reasons)}; 'none' for no reason)")
                continue
            labels[name] = reasons
        else:
            if not isinstance(value, str):
                problems.append(f"{name}: expected a label, got {type(value).__name__}")
                continue
            label = _label(value)
            if label not in allowed[name]:
                problems.append(f"unknown {name} '{value.strip()}' (expected one of: {', '.join(allowed[name])})")
                continue
            labels[name] = label
    return labels, problems


def read_review(path: str | Path, schema: LabelSchema, records: dict[str, Record]
                ) -> tuple[list[ReviewRow], list[str], int]:
    """(valid rows, errors, rows read). Every row is checked, so one run reports every problem."""
    path = Path(path)
    valid: list[ReviewRow] = []
    errors: list[str] = []
    first_seen: dict[str, ReviewRow] = {}
    count = 0
    for where, row, problem in _read_rows(path):
        count += 1
        if problem:
            errors.append(f"{path.name} {where}: {problem}")
            continue
        record_id = str(row.get("id") or "").strip()
        if not record_id:
            errors.append(f"{path.name} {where}: missing id")
            continue
        labels, problems = parse_labels(row, schema)
        quote = str(row.get("evidence") or "").strip()
        if record_id not in records:
            problems.append("no record with this id in the corpus")
        else:
            if quote and quote not in records[record_id].text:
                problems.append("evidence is not a verbatim quote of the document's text (copy the sentence exactly)")
            elif quote:
                labels["evidence"] = quote
            expected = str(row.get("text_sha256") or "").strip()
            if expected and expected != sha256_of(records[record_id].text):
                problems.append("the record's text changed since the review file was exported; export again")
        earlier = first_seen.get(record_id)
        if earlier and labels and earlier.labels and earlier.labels != labels:
            problems.append(f"conflicts with {earlier.where} for the same id")
        if problems:
            errors.extend(f"{path.name} {where} (id {record_id}): {p}" for p in problems)
            continue
        reviewer = str(row.get("reviewer") or "").strip() or None
        parsed = ReviewRow(where, record_id, labels, reviewer, str(row.get("text_sha256") or "") or None)
        first_seen.setdefault(record_id, parsed)
        valid.append(parsed)
    return valid, errors, count


def merge_review(records: list[Record], rows: list[ReviewRow], *, reviewer: str, source: str,
                 now: str | None = None) -> ImportReport:
    """Apply reviewed labels to ``records`` in place; return what changed."""
    now = now or utc_now()
    by_id = {r.id: r for r in records}
    report = ImportReport()
    for row in rows:
        if not row.labels:
            report.unreviewed += 1
            continue
        record = by_id[row.id]
        who = row.reviewer or reviewer
        report.reviewed += 1
        for name, new in row.labels.items():
            old = record.fields.get(name)
            if old == new:
                report.confirmed_fields += 1
            else:
                report.changed_fields += 1
                report.changes.append({"id": row.id, "field": name, "old": old, "new": new, "reviewer": who,
                                       "time": now, "source": source, "where": row.where})
            record.fields[name] = new
        previous = record.fields.get("review") or {}
        fields = sorted(set(previous.get("fields", [])) | set(row.labels))
        record.fields["review"] = {"by": who, "at": now, "fields": fields, "source": source}
    return report


def write_corpus(records: list[Record], path: str | Path) -> None:
    with AtomicJsonl(path) as sink:
        for record in records:
            sink.write({"id": record.id, "text": record.text, **record.fields})


def append_changes(changes: list[dict[str, Any]], path: str | Path) -> None:
    if not changes:
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        for change in changes:
            handle.write(json.dumps(change, ensure_ascii=False) + "\n")
