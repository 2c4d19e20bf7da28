"""Reason thresholds chosen per reason, shared by all reasons, or shrunk from the first toward the
second: which generalizes, judged on the training split alone (nested out of fold).

The reason heads' out-of-fold probabilities on the train split come from grouped, stratified
5-fold splits (as ``MotionOutcomeModel.fit`` makes them). Each strategy then chooses thresholds on
four folds' probabilities and is scored on the fifth, fold by fold: micro- and macro-F1 of the
pooled held-out predictions. Prints and writes bench/results/reason_thresholds.json.

    python bench/reason_thresholds.py [--corpus PATH] [--seeds 0,1]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.preprocessing import MultiLabelBinarizer

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from model.pipeline import (build_reasons_pipeline, choose_f1_threshold,  # noqa: E402
                            choose_shared_threshold, out_of_fold_multilabel)
from model.schema import load_schema  # noqa: E402
from training.corpus import read_corpus  # noqa: E402
from training.splits import select  # noqa: E402

DEFAULT_CORPUS = Path(os.environ.get("MOTION_OUTCOME_CORPUS", REPO.parent / "shared" / "corpus" / "decisions.jsonl"))


def per_reason(scores: np.ndarray, truth: np.ndarray) -> np.ndarray:
    return np.array([choose_f1_threshold(scores[:, j], truth[:, j]) if truth[:, j].any() else 1.0
                     for j in range(truth.shape[1])])


def shrunk(k: float):
    """Per-reason thresholds pulled toward the shared one, less so for reasons with many positives."""
    def choose(scores: np.ndarray, truth: np.ndarray) -> np.ndarray:
        weight = truth.sum(axis=0) / (truth.sum(axis=0) + k)
        return weight * per_reason(scores, truth) + (1 - weight) * choose_shared_threshold(scores, truth)
    return choose


STRATEGIES = {"per_reason": per_reason, "shared": choose_shared_threshold,
              "shrunk_k20": shrunk(20), "shrunk_k100": shrunk(100)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--split", default="train")
    parser.add_argument("--seeds", default="0,1", help="fold seeds; each gives its own splits")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "reason_thresholds.json"))
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)
    schema = load_schema()
    records = select(read_corpus(args.corpus, schema, require_labels=True).records, args.split)
    texts = [r.text for r in records]
    truth = MultiLabelBinarizer(classes=list(schema.reasons)).fit_transform([r.label("reasons") for r in records])
    dispositions = np.array([r.label("disposition") for r in records], dtype=object)
    seeds = [int(s) for s in args.seeds.split(",")]
    result = {"corpus": args.corpus, "split": args.split, "records": len(records), "seeds": seeds,
              "strategies": {name: {"micro_f1": [], "macro_f1": []} for name in STRATEGIES}}
    for seed in seeds:
        splits = list(StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=seed)
                      .split(texts, dispositions, [r.group for r in records]))
        print(f"seed {seed}: out-of-fold reason probabilities on {len(records)} records of split "
              f"'{args.split}' ...", flush=True)
        scores = out_of_fold_multilabel(build_reasons_pipeline(schema), texts, truth, splits)
        for name, choose in STRATEGIES.items():
            predicted = np.zeros_like(truth)
            for train, test in splits:
                predicted[test] = scores[test] >= choose(scores[train], truth[train])
            row = result["strategies"][name]
            row["micro_f1"].append(round(float(f1_score(truth, predicted, average="micro", zero_division=0)), 4))
            row["macro_f1"].append(round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4))
    for name, row in result["strategies"].items():
        row["micro_f1_mean"], row["macro_f1_mean"] = (round(float(np.mean(row[k])), 4) for k in ("micro_f1", "macro_f1"))
        print(f"{name:>12}: nested out-of-fold reasons micro-F1 {row['micro_f1_mean']:.4f}, "
              f"macro-F1 {row['macro_f1_mean']:.4f} (per seed: {row['micro_f1']}, {row['macro_f1']})", flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
