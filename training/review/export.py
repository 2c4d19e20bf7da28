"""Write the review queue as CSV (for a spreadsheet) or JSONL (for a labeling tool).

Each row carries what the reviewer needs to decide quickly (the prediction, its probabilities,
the evidence sentences, the labels the corpus has now, where the document is) and empty label
columns to fill in. ``text_sha256`` lets the import notice a text that changed meanwhile.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from model.predict import Document, Predictor
from training.build.provenance import sha256_of
from training.corpus import LABEL_FIELDS, Record
from training.review.queue import QueueItem, ReviewQueue

REVIEW_FIELDS = (*LABEL_FIELDS, "evidence", "reviewer", "notes")
INFO_FIELDS = ("rank", "id", "queue", "uncertainty", "needs_review", "predicted_disposition",
               "disposition_probability", "predicted_reasons", "predicted_motion_type",
               "motion_type_probability", "disposition_evidence", "reason_evidence",
               *(f"current_{name}" for name in LABEL_FIELDS), "document", "opening", "text_sha256",
               "model_version")
OPENING_CHARS = 600


@dataclass
class Scored:
    predictions: list[dict]
    reason_proba: np.ndarray | None
    thresholds: np.ndarray | None


def score_records(predictor: Predictor, records: Sequence[Record], batch_size: int = 256,
                  progress: Callable[[str], None] = lambda message: None) -> Scored:
    """Predictions plus every reason's probability (the contract lists only reasons above their
    threshold; the queue also wants the ones just below)."""
    model = predictor.model
    predictions, blocks = [], []
    has_reasons = hasattr(model, "predict_reasons_proba") and hasattr(model, "reason_thresholds_")
    for lo in range(0, len(records), batch_size):
        batch = records[lo:lo + batch_size]
        predictions += predictor.predict([Document(r.id, r.text) for r in batch])
        if has_reasons:
            blocks.append(np.asarray(model.predict_reasons_proba([r.text for r in batch])))
        progress(f"scored {len(predictions)}/{len(records)}")
    if not has_reasons:
        return Scored(predictions, None, None)
    return Scored(predictions, np.vstack(blocks), np.asarray(model.reason_thresholds_, dtype=float))


def _location(record: Record) -> str:
    source = record.fields.get("provenance") or {}
    return source.get("url") or source.get("path") or record.fields.get("source_url") or ""


def review_row(rank: int, item: QueueItem, record: Record, prediction: dict) -> dict[str, Any]:
    probabilities = prediction["disposition_probabilities"]
    return {
        "rank": rank, "id": record.id, "queue": item.queue, "uncertainty": item.score,
        "needs_review": prediction["needs_review"],
        "predicted_disposition": prediction["disposition"],
        "disposition_probability": probabilities.get(prediction["disposition"]),
        "predicted_reasons": [{"label": r["label"], "probability": r["probability"]} for r in prediction["reasons"]],
        "predicted_motion_type": prediction["motion_type"],
        "motion_type_probability": prediction["motion_type_probability"],
        "disposition_evidence": [e["text"] for e in prediction["disposition_evidence"]],
        "reason_evidence": {r["label"]: [e["text"] for e in r["evidence"]] for r in prediction["reasons"] if r["evidence"]},
        **{f"current_{name}": record.fields.get(name) for name in LABEL_FIELDS},
        "document": _location(record),
        "opening": " ".join(record.text[:OPENING_CHARS].split()),
        "text_sha256": sha256_of(record.text),
        "model_version": prediction.get("model_version"),
        **{name: None for name in REVIEW_FIELDS},
    }


def _cell(name: str, value: Any) -> str:
    """A spreadsheet cell: lists as ``a; b``, reasons with probabilities, evidence by reason."""
    if value is None:
        return ""
    if name == "predicted_reasons":
        return "; ".join(f"{r['label']} ({r['probability']:.2f})" for r in value)
    if name == "reason_evidence":
        return " | ".join(f"{label}: {' / '.join(quotes)}" for label, quotes in value.items())
    if isinstance(value, list):
        return " / ".join(map(str, value)) if name.endswith("evidence") else "; ".join(map(str, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def write_review(rows: list[dict[str, Any]], path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = [*INFO_FIELDS, *REVIEW_FIELDS]
    if path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                writer.writerow({name: _cell(name, row[name]) for name in columns})
    elif path.suffix.lower() in (".jsonl", ".ndjson"):
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps({name: row[name] for name in columns}, ensure_ascii=False) + "\n")
    else:
        raise ValueError(f"{path}: review files are .csv or .jsonl")


def export_review(predictor: Predictor, records: Sequence[Record], path: str | Path, *, limit: int | None = None,
                  queue: ReviewQueue | None = None, progress: Callable[[str], None] = lambda message: None
                  ) -> list[dict[str, Any]]:
    records = list(records)
    scored = score_records(predictor, records, progress=progress)
    items = (queue or ReviewQueue()).rank(scored.predictions, scored.reason_proba, scored.thresholds, limit)
    rows = [review_row(rank, item, records[item.index], scored.predictions[item.index])
            for rank, item in enumerate(items, start=1)]
    write_review(rows, path)
    return rows
