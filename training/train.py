"""Train a model on a labeled corpus, evaluate it on the held-out split, save it with its card."""
from __future__ import annotations

import hashlib
from collections import Counter
import json
import time
from pathlib import Path
from typing import Any, Callable

from model.artifact import save_model
from model.pipeline import MotionOutcomeModel
from model.predict import Document, Predictor
from model.schema import DEFAULT_SCHEMA_PATH, LabelSchema, load_schema
from training.baselines import KeywordRuleBaseline, MajorityBaseline
from training.card import model_card
from training.corpus import LABEL_FIELDS, Corpus, CorpusError, Record, read_corpus
from training.evaluate import all_metrics
from training.splits import select


def add_to_data_hash(digest, record: Record) -> None:
    """Feed one record (id, text, labels, evidence) to a sha256 of the training data."""
    row = {"id": record.id, "text": record.text, **{k: record.label(k) for k in (*LABEL_FIELDS, "evidence")}}
    digest.update(json.dumps(row, sort_keys=True, ensure_ascii=False).encode())
    digest.update(b"\n")


def data_hash(records: list[Record]) -> str:
    """sha256 over the ids, texts and labels used, in order: names exactly what a model saw."""
    digest = hashlib.sha256()
    for record in records:
        add_to_data_hash(digest, record)
    return digest.hexdigest()


def fit_model(records: list[Record], schema: LabelSchema, seed: int = 0,
              progress: Callable[[str], None] | None = None) -> MotionOutcomeModel:
    """Raises ``CorpusError`` (rather than a scikit-learn traceback) when a disposition has too
    few records for the folds, stratified by disposition, that calibrate and pick thresholds."""
    model = MotionOutcomeModel(schema=schema.to_dict(), seed=seed)
    counts = Counter(r.label("disposition") for r in records)
    rare = {label: n for label, n in counts.items() if n < model.folds}
    if rare:
        listed = ", ".join(f"'{label}' ({n})" for label, n in sorted(rare.items()))
        raise CorpusError("training data", None,
                          f"too few records of disposition {listed}: each label used needs at least "
                          f"{model.folds} (label more, or relabel them)")
    return model.fit(
        [r.text for r in records], [r.label("disposition") for r in records],
        [r.label("reasons") for r in records], [r.label("motion_type") for r in records],
        groups=[r.group for r in records], evidence=[r.label("evidence") for r in records],
        progress=progress)


def compare_with_baselines(predictor: Predictor, train: list[Record], test: list[Record],
                           schema: LabelSchema) -> dict[str, dict[str, Any]]:
    """Metrics of the model and of both baselines (fitted on ``train``) on ``test``."""
    texts = [r.text for r in test]
    report = {"model": all_metrics(test, predictor.predict([Document(r.id, r.text) for r in test]), schema)}
    labels = ([r.label("disposition") for r in train], [r.label("reasons") for r in train],
              [r.label("motion_type") for r in train])
    for baseline in (MajorityBaseline(schema), KeywordRuleBaseline(schema)):
        report[baseline.name] = all_metrics(test, baseline.fit(*labels).predict(texts), schema)
    return report


def load_labeled(corpus_path: str | Path, schema: LabelSchema, skip_invalid: bool) -> Corpus:
    return read_corpus(corpus_path, schema, require_labels=True, skip_invalid=skip_invalid)


def train(corpus_path: str | Path, out: str | Path, *, schema_path: str | Path = DEFAULT_SCHEMA_PATH,
          split: str = "train", eval_split: str = "dev", seed: int = 0, skip_invalid: bool = False,
          progress: Callable[[str], None] = print) -> dict[str, Any]:
    schema = load_schema(schema_path)
    corpus = load_labeled(corpus_path, schema, skip_invalid)
    if corpus.skipped:
        progress(f"skipped {len(corpus.skipped)} invalid records (first: {corpus.skipped[0]})")
    records = select(corpus.records, split)
    if len(records) < 10:
        raise CorpusError(corpus_path, None, f"only {len(records)} records in split '{split}'; need at least 10")
    progress(f"training on {len(records)} records of split '{split}' from {corpus_path}")
    started = time.perf_counter()
    model = fit_model(records, schema, seed, progress)
    seconds = time.perf_counter() - started
    progress(f"trained in {seconds:.1f} s")

    held_out = select(corpus.records, eval_split) if eval_split else []
    metrics: dict[str, Any] = {}
    if held_out and eval_split != split:
        predictor = Predictor(model, {"model_version": "evaluation"})
        metrics = {"split": eval_split, "n": len(held_out),
                   **compare_with_baselines(predictor, records, held_out, schema)}
    training_data = {"source": str(corpus_path), "split": split, "records": len(records),
                     "sha256": data_hash(records), "skipped": len(corpus.skipped)}
    return save_trained(model, out, progress, created_by="motion-outcome train", training_data=training_data,
                        seed=seed, seconds=seconds, schema=schema, metrics=metrics)


def save_trained(model, out: str | Path, progress: Callable[[str], None], *, created_by: str,
                 training_data: dict[str, Any], seed: int, seconds: float, schema: LabelSchema,
                 metrics: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Save a fitted model with the metadata every trainer records, and its card."""
    metadata = {
        "created_by": created_by,
        "training_data": training_data,
        "seed": seed,
        "training_seconds": round(seconds, 2),
        "label_schema": schema.to_dict(),
        "review_threshold": round(float(model.review_threshold_), 4),
        "review_target": model.review_precision,
        "reason_thresholds": {label: round(float(t), 4)
                              for label, t in zip(model.reason_labels_, model.reason_thresholds_)},
        "metrics": metrics,
        **extra,
    }
    written = save_model(model, out, metadata, model_card(metadata))
    progress(f"saved model {written['model_version']} to {out}")
    return written
