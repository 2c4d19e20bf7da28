"""One row per decision, from human labels and/or model predictions.

The human label wins where it says what the court did; the model fills in the rest (a prediction
flagged ``needs_review`` counts as unknown unless asked otherwise). Court, date and judge come
from the labels where present, else from the text (model.extract). Which labels are "granted"
and which is "unknown" comes from the label schema, never from constants here.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import pandas as pd

from model.extract import extract_metadata
from model.extract.court import court_table
from model.schema import LabelSchema

COLUMNS = ("id", "split", "disposition", "disposition_source", "human_disposition", "model_disposition",
           "needs_review", "decided", "granted", "motion_type", "reasons", "court", "circuit", "date",
           "judge", "docket", "defendant", "citations")
METADATA = ("court", "date", "judge", "docket", "defendant")


def decisions_table(records: Iterable[Any] = (), predictions: Iterable[Mapping] = (), *,
                    schema: LabelSchema, extract: bool = True, review_as_unknown: bool = True) -> pd.DataFrame:
    """``records``: objects with ``id``, ``text`` and ``fields`` (training.corpus.Record);
    ``predictions``: rows of the prediction contract (optionally with ``metadata``/``citations``)."""
    by_id = {str(p["id"]): p for p in predictions}
    rows, seen = [], set()
    for record in records:
        seen.add(record.id)
        rows.append(_row(record.id, record.text, dict(record.fields), by_id.get(record.id), schema, extract, review_as_unknown))
    for pid, prediction in by_id.items():
        if pid not in seen:
            rows.append(_row(pid, None, {}, prediction, schema, extract, review_as_unknown))
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    table["date"] = pd.to_datetime(table["date"], errors="coerce")
    for column in ("decided",):
        table[column] = table[column].astype(bool)
    table["granted"] = table["granted"].astype("boolean")
    table["needs_review"] = table["needs_review"].astype("boolean")
    return table


def _row(rid, text, fields, prediction, schema: LabelSchema, extract: bool, review_as_unknown: bool) -> dict:
    unknown = schema.unknown_disposition
    human = fields.get("disposition")
    model = prediction.get("disposition") if prediction else None
    needs_review = prediction.get("needs_review") if prediction else None
    if human is not None and human != unknown:
        disposition, source = human, "human"
    elif model is not None and model != unknown and not (review_as_unknown and needs_review):
        disposition, source = model, "model"
    else:
        disposition, source = unknown, None
    decided = disposition is not None and disposition != unknown
    reasons = fields.get("reasons")
    if reasons is None and prediction:
        reasons = [r["label"] for r in prediction.get("reasons", [])]
    meta = dict(prediction.get("metadata") or {}) if prediction else {}
    if extract and text and not meta:
        meta = extract_metadata(text)
    values = {name: fields.get(name) or meta.get(name) for name in METADATA}
    court = court_table().lookup(values["court"]) if values["court"] else None
    return {
        "id": rid, "split": fields.get("split"), "disposition": disposition, "disposition_source": source,
        "human_disposition": human, "model_disposition": model, "needs_review": needs_review,
        "decided": decided, "granted": (disposition in schema.positive_dispositions) if decided else None,
        "motion_type": fields.get("motion_type") or (prediction.get("motion_type") if prediction else None),
        "reasons": list(reasons or []),
        "court": court.abbreviation if court else values["court"],
        "circuit": court.circuit if court else meta.get("circuit"),
        **{name: values[name] for name in ("date", "judge", "docket", "defendant")},
        "citations": prediction.get("citations") if prediction else None,
    }
