"""Assemble a corpus from sources: clean each text, give each document one id, find duplicates
across all sources, merge them, write JSONL with provenance, and report everything done.

Merging keeps one record per decision: the one with labels if any copy has them, else the
longest text. Fields the kept record lacks are filled from its copies; the copies' ids and
provenance stay in ``duplicates`` so nothing is lost.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from training.build.cleanup import clean_text
from training.build.dedupe import find_duplicates
from training.build.document import SourceDocument
from training.build.provenance import sha256_of
from training.corpus import LABEL_FIELDS, CorpusError
from training.output import AtomicJsonl


@dataclass
class BuildReport:
    written: int = 0
    by_source: Counter = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    renamed: list[dict[str, str]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"written": self.written, "by_source": dict(self.by_source), "skipped": self.skipped,
                "renamed": self.renamed, "duplicates": self.duplicates}


def _has_labels(document: SourceDocument) -> bool:
    return any(document.fields.get(name) is not None for name in LABEL_FIELDS)


def _merge(keep: SourceDocument, copies: list[tuple[SourceDocument, str, float]]) -> dict[str, Any]:
    row = keep.to_row()
    for copy, _, _ in copies:
        for key, value in copy.fields.items():
            if row.get(key) in (None, "") and value not in (None, ""):
                row[key] = value
    row["duplicates"] = [{"id": copy.id, "kind": kind, "similarity": similarity, "provenance": copy.provenance}
                         for copy, kind, similarity in copies]
    return row


def build_corpus(sources: Iterable[Iterable[SourceDocument | CorpusError]], out: str | Path, *,
                 near_threshold: float = 0.5, progress: Callable[[str], None] = lambda message: None
                 ) -> BuildReport:
    report = BuildReport()
    documents: list[SourceDocument] = []
    ids: set[str] = set()
    for source in sources:
        for item in source:
            if isinstance(item, CorpusError):
                report.skipped.append(str(item))
                progress(f"skipped {item}")
                continue
            text = clean_text(item.text) if item.raw else item.text
            if not text.strip():
                report.skipped.append(f"{item.id}: no text left after clean-up")
                continue
            item.text = text
            item.provenance.setdefault("text_sha256", sha256_of(text))
            if item.id in ids:
                new_id = next(f"{item.id}~{n}" for n in range(2, 10**6) if f"{item.id}~{n}" not in ids)
                report.renamed.append({"id": item.id, "renamed_to": new_id, "source": item.provenance["source"]})
                item.id = new_id
            ids.add(item.id)
            documents.append(item)
            report.by_source[item.provenance["source"]] += 1
    if not documents:
        raise CorpusError(out, None, "no documents to write" + (f" ({len(report.skipped)} skipped)" if report.skipped else ""))
    progress(f"read {len(documents)} documents; looking for duplicates")

    duplicates = find_duplicates([d.text for d in documents], threshold=near_threshold)
    copies_of: dict[int, list[int]] = {}
    for dup in duplicates:
        copies_of.setdefault(dup.original, []).append(dup.duplicate)
    kind_of = {d.duplicate: (d.kind, d.similarity) for d in duplicates}
    with AtomicJsonl(out) as sink:
        for i, document in enumerate(documents):
            if i in kind_of:
                continue
            cluster = [i] + copies_of.get(i, [])
            keep = max(cluster, key=lambda j: (_has_labels(documents[j]), len(documents[j].text), -j))
            # The cluster's first text has no entry of its own: its link is the kept copy's.
            copies = [(documents[j], *kind_of.get(j, kind_of.get(keep, ("near", 1.0)))) for j in cluster if j != keep]
            if len(cluster) > 1:
                report.duplicates.append({"kept": documents[keep].id,
                                          "merged": [{"id": c.id, "kind": k, "similarity": s} for c, k, s in copies]})
            sink.write(_merge(documents[keep], copies) if copies else documents[keep].to_row())
            report.written += 1
    merged = sum(len(d["merged"]) for d in report.duplicates)
    progress(f"wrote {report.written} records to {out}; merged {merged} duplicates; skipped {len(report.skipped)}")
    return report


def write_report(report: BuildReport, path: str | Path) -> None:
    Path(path).write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
