"""Build the decisions table from files: a corpus, a predictions JSONL, and/or a model to run."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pandas as pd

from analysis.table import decisions_table
from model.schema import LabelSchema, load_schema


def read_predictions(path: str | Path) -> list[dict]:
    """Rows written by ``motion-outcome predict``; a malformed line stops with its number."""
    from training.corpus import CorpusError, jsonl_rows

    rows = []
    for number, row in jsonl_rows(Path(path)):
        if isinstance(row, CorpusError):
            raise row
        if not isinstance(row, dict) or "id" not in row or "disposition" not in row:
            raise CorpusError(path, number, "not a prediction (needs 'id' and 'disposition')")
        rows.append(row)
    return rows


def load_table(corpus: str | Path | None = None, *, predictions: str | Path | None = None,
               model: str | Path | None = None, schema: LabelSchema | None = None, citations: bool = False,
               batch_size: int = 256, progress: Callable[[str], None] = lambda message: None
               ) -> tuple[pd.DataFrame, LabelSchema]:
    """The table and the schema it was read with (the model's own schema when a model is given).

    With ``model``, every corpus record is predicted (so that agreement with the human labels can
    be measured); the model's answer is used only where the human label is missing or unknown.
    """
    from training.corpus import read_corpus

    if corpus is None and predictions is None:
        raise ValueError("give a corpus, predictions, or both")
    predictor = None
    if model is not None:
        from model.predict import Predictor
        predictor = Predictor.from_directory(model)
        schema = schema or LabelSchema.from_dict(predictor.metadata["label_schema"])
    schema = schema or load_schema()
    records = read_corpus(corpus, schema).records if corpus is not None else []
    progress(f"read {len(records)} records" + (f" from {corpus}" if corpus else ""))
    rows = read_predictions(predictions) if predictions is not None else []
    if predictor is not None:
        from model.predict import Document
        have = {str(r["id"]) for r in rows}
        todo = [r for r in records if r.id not in have]
        for lo in range(0, len(todo), batch_size):
            batch = todo[lo:lo + batch_size]
            rows += predictor.predict([Document(r.id, r.text) for r in batch], with_citations=citations)
            progress(f"predicted {min(lo + batch_size, len(todo))}/{len(todo)} with {predictor.model_version}")
    elif citations and records:
        from model.citations import find_citations
        by_id = {str(r["id"]): r for r in rows}
        for record in records:
            by_id.setdefault(record.id, {"id": record.id, "disposition": None})["citations"] = find_citations(record.text)
        rows = list(by_id.values())
    return decisions_table(records, rows, schema=schema), schema
