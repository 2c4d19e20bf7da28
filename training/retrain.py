"""Retrain on the labels a corpus has now (reviewed ones included) and report what review bought:
the model before review and the retrained one, side by side on the same dev records, scored
against the reviewed labels.

Records without labels (never reviewed) are left out of training and counted; the split rule is
the usual one (``training.splits``), so a record lands on the same side in every retraining.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

from model.predict import Document, Predictor
from model.schema import LabelSchema
from training.corpus import LABEL_FIELDS, CorpusError, read_corpus
from training.evaluate import HEADLINE, all_metrics
from training.splits import select
from training.train import compare_with_baselines, data_hash, fit_model, save_trained


def headline(metrics: dict[str, Any]) -> dict[str, float | None]:
    """The metrics ``motion-outcome evaluate`` leads with, by name."""
    out = {}
    for name, path in HEADLINE:
        value: Any = metrics
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        out[name] = value if isinstance(value, (int, float)) else None
    return out


def retrain(corpus_path: str | Path, out: str | Path, before: Predictor, *, schema: LabelSchema | None = None,
            seed: int = 0, progress: Callable[[str], None] = print) -> dict[str, Any]:
    schema = schema or LabelSchema.from_dict(before.metadata["label_schema"])
    corpus = read_corpus(corpus_path, schema)
    labeled = [r for r in corpus.records if all(r.label(name) is not None for name in LABEL_FIELDS)]
    unlabeled = len(corpus.records) - len(labeled)
    reviewed = sum(1 for r in labeled if r.fields.get("review"))
    train, dev = select(labeled, "train"), select(labeled, "dev")
    if len(train) < 10:
        raise CorpusError(corpus_path, None, f"only {len(train)} labeled records in split 'train'; need at least 10")
    if not dev:
        raise CorpusError(corpus_path, None, "no labeled records in split 'dev' to compare the models on")
    progress(f"retraining on {len(train)} labeled records ({reviewed} reviewed in the whole corpus; "
             f"{unlabeled} unlabeled left out); comparing on {len(dev)} dev records")
    started = time.perf_counter()
    model = fit_model(train, schema, seed, progress)
    seconds = time.perf_counter() - started
    after_metrics = compare_with_baselines(Predictor(model, {"model_version": "evaluation"}), train, dev, schema)
    written = save_trained(
        model, out, progress, created_by="motion-outcome retrain",
        training_data={"source": str(corpus_path), "split": "train", "records": len(train),
                       "sha256": data_hash(train), "skipped": 0, "unlabeled": unlabeled, "reviewed": reviewed},
        seed=seed, seconds=seconds, schema=schema, metrics={"split": "dev", "n": len(dev), **after_metrics},
        retrained_from=before.model_version)
    before_metrics = all_metrics(dev, before.predict([Document(r.id, r.text) for r in dev]), schema)
    b, a = headline(before_metrics), headline(after_metrics["model"])
    return {
        "corpus": str(corpus_path), "dev_n": len(dev), "train_n": len(train), "reviewed": reviewed,
        "unlabeled": unlabeled,
        "before": {"model_version": before.model_version, "metrics": b},
        "after": {"model_version": written["model_version"], "metrics": a},
        "change": {name: (round(a[name] - b[name], 4) if a[name] is not None and b[name] is not None else None)
                   for name in a},
    }


def format_retraining(report: dict[str, Any]) -> str:
    width = max(len(name) for name in report["change"]) + 2
    lines = [f"dev records: {report['dev_n']}; trained on {report['train_n']} "
             f"({report['reviewed']} reviewed, {report['unlabeled']} unlabeled left out)",
             f"{'':<{width}}{'before':>10}{'after':>10}{'change':>10}"]
    for name, change in report["change"].items():
        b, a = report["before"]["metrics"][name], report["after"]["metrics"][name]
        cells = [f"{v:>10.4f}" if isinstance(v, (int, float)) else f"{'-':>10}" for v in (b, a, change)]
        lines.append(f"{name:<{width}}" + "".join(cells))
    return "\n".join(lines)
