"""Metrics for predictions against labels, always computed the same way for the model and the
baselines, so the report can put them side by side.

Disposition metrics are over the records whose true disposition is known (a prediction of
``unknown`` on such a record counts as wrong); review metrics are over all records.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from model.schema import LabelSchema


def _per_class(truth, predicted, labels) -> dict[str, dict[str, float]]:
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    return {label: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                    "f1": round(float(f[i]), 4), "support": int(s[i])} for i, label in enumerate(labels)}


def calibration(probabilities: np.ndarray, truth_index: np.ndarray, bins: int = 10) -> dict[str, float]:
    """Multi-class Brier score and top-label expected calibration error."""
    n, k = probabilities.shape
    onehot = np.zeros((n, k))
    onehot[np.arange(n), truth_index] = 1
    brier = float(np.mean(np.sum((probabilities - onehot) ** 2, axis=1)))
    top = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == truth_index
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (top > lo) & (top <= hi)
        if inside.any():
            ece += inside.mean() * abs(correct[inside].mean() - top[inside].mean())
    return {"brier": round(brier, 4), "ece": round(float(ece), 4)}


def disposition_metrics(truth: Sequence[str], predictions: Sequence[dict], schema: LabelSchema) -> dict[str, Any]:
    truth = np.asarray(truth, dtype=object)
    predicted = np.asarray([p["disposition"] for p in predictions], dtype=object)
    known_labels = list(schema.known_dispositions)
    known = truth != schema.unknown_disposition if schema.unknown_disposition else np.ones(len(truth), bool)
    all_labels = list(schema.dispositions)
    proba = np.array([[p["disposition_probabilities"].get(label, 0.0) for label in all_labels]
                      for p in predictions])
    truth_index = np.array([all_labels.index(t) for t in truth])
    flagged = np.array([bool(p["needs_review"]) for p in predictions])
    unflagged = ~flagged
    correct = predicted == truth
    out = {
        "n": int(len(truth)),
        "n_known": int(known.sum()),
        "accuracy_known": round(float(correct[known].mean()), 4) if known.any() else None,
        "macro_f1_known": round(float(f1_score(truth[known], predicted[known], labels=known_labels,
                                               average="macro", zero_division=0)), 4) if known.any() else None,
        "micro_f1_known": round(float(f1_score(truth[known], predicted[known], labels=known_labels,
                                               average="micro", zero_division=0)), 4) if known.any() else None,
        "accuracy_all": round(float(correct.mean()), 4),
        "per_class": _per_class(truth[known], predicted[known], known_labels),
        "per_class_all": _per_class(truth, predicted, all_labels),
        "confusion_matrix": {"labels": all_labels,
                             "matrix": confusion_matrix(truth, predicted, labels=all_labels).tolist()},
        "calibration": calibration(proba, truth_index),
        "review": {
            "flagged": round(float(flagged.mean()), 4),
            "coverage": round(float(unflagged.mean()), 4),
            "accuracy_unflagged": round(float(correct[unflagged].mean()), 4) if unflagged.any() else None,
            "unknown_flagged": (round(float(flagged[~known].mean()), 4) if (~known).any() else None),
        },
    }
    return out


def reason_metrics(truth: Sequence[Sequence[str]], predictions: Sequence[dict], schema: LabelSchema) -> dict[str, Any]:
    labels = list(schema.reasons)
    y = np.array([[label in set(t) for label in labels] for t in truth], dtype=int)
    predicted_sets = [{r["label"] for r in p["reasons"]} for p in predictions]
    yhat = np.array([[label in s for label in labels] for s in predicted_sets], dtype=int)
    p, r, f, s = precision_recall_fscore_support(y, yhat, zero_division=0)
    present = s > 0
    return {
        "micro_f1": round(float(f1_score(y, yhat, average="micro", zero_division=0)), 4),
        "macro_f1": round(float(np.mean(f[present])), 4) if present.any() else None,
        "per_label": {label: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                              "f1": round(float(f[i]), 4), "support": int(s[i])}
                      for i, label in enumerate(labels)},
    }


def motion_type_metrics(truth: Sequence[str], predictions: Sequence[dict], schema: LabelSchema) -> dict[str, Any]:
    truth = np.asarray(truth, dtype=object)
    predicted = np.asarray([p["motion_type"] for p in predictions], dtype=object)
    present = [m for m in schema.motion_types if m in set(truth)]
    return {"accuracy": round(float((truth == predicted).mean()), 4),
            "macro_f1": round(float(f1_score(truth, predicted, labels=present, average="macro", zero_division=0)), 4)}


def all_metrics(records, predictions: Sequence[dict], schema: LabelSchema) -> dict[str, Any]:
    return {
        "disposition": disposition_metrics([r.label("disposition") for r in records], predictions, schema),
        "reasons": reason_metrics([r.label("reasons") for r in records], predictions, schema),
        "motion_type": motion_type_metrics([r.label("motion_type") for r in records], predictions, schema),
    }


HEADLINE = [
    ("disposition accuracy (known)", ("disposition", "accuracy_known")),
    ("disposition macro-F1 (known)", ("disposition", "macro_f1_known")),
    ("granted recall", ("disposition", "per_class", "granted", "recall")),
    ("disposition Brier", ("disposition", "calibration", "brier")),
    ("disposition ECE", ("disposition", "calibration", "ece")),
    ("review: unknown flagged", ("disposition", "review", "unknown_flagged")),
    ("review: coverage", ("disposition", "review", "coverage")),
    ("review: accuracy unflagged", ("disposition", "review", "accuracy_unflagged")),
    ("reasons micro-F1", ("reasons", "micro_f1")),
    ("reasons macro-F1", ("reasons", "macro_f1")),
    ("motion type accuracy", ("motion_type", "accuracy")),
]


def _dig(metrics: dict, path: tuple) -> Any:
    for key in path:
        if not isinstance(metrics, dict) or key not in metrics:
            return None
        metrics = metrics[key]
    return metrics


def format_report(report: dict[str, dict]) -> str:
    """A side-by-side table: one column per system (model first, then the baselines)."""
    systems = list(report)
    width = max(len(name) for name, _ in HEADLINE) + 2
    lines = [" " * width + "".join(f"{s:>16}" for s in systems)]
    for name, path in HEADLINE:
        cells = []
        for system in systems:
            value = _dig(report[system], path)
            cells.append(f"{value:>16.4f}" if isinstance(value, (int, float)) else f"{'-':>16}")
        lines.append(f"{name:<{width}}" + "".join(cells))
    model_metrics = report[systems[0]]
    lines.append("")
    lines.append("per class (model), disposition on known records:")
    for label, row in model_metrics["disposition"]["per_class"].items():
        lines.append(f"  {label:<24} P {row['precision']:.3f}  R {row['recall']:.3f}  F1 {row['f1']:.3f}  n={row['support']}")
    lines.append("per reason (model):")
    for label, row in model_metrics["reasons"]["per_label"].items():
        lines.append(f"  {label:<28} P {row['precision']:.3f}  R {row['recall']:.3f}  F1 {row['f1']:.3f}  n={row['support']}")
    cm = model_metrics["disposition"]["confusion_matrix"]
    lines.append("confusion matrix (rows: truth, columns: predicted): " + ", ".join(cm["labels"]))
    for label, row in zip(cm["labels"], cm["matrix"]):
        lines.append(f"  {label:<16}" + "".join(f"{v:>6}" for v in row))
    return "\n".join(lines)
