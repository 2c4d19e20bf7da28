"""Out-of-fold disposition accuracy on the training split, for a few settings of the disposition
head: a check that a dev-split figure is not luck, and that a setting is worth changing, without
looking at the dev split at all.

Grouped, stratified 5-fold splits (as ``MotionOutcomeModel.fit`` makes them) for each seed; the
locator is cross-fitted as in training. Prints and writes bench/results/disposition_cv.json.

    python bench/disposition_cv.py [--corpus PATH] [--seeds 0,1]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from model.locate import RulingSentenceLocator  # noqa: E402
from model.pipeline import (build_disposition_pipeline, cross_fitted_frame,  # noqa: E402
                            out_of_fold_proba, teaches_locator)
from model.schema import load_schema  # noqa: E402
from training.corpus import read_corpus  # noqa: E402
from training.splits import select  # noqa: E402

DEFAULT_CORPUS = Path(os.environ.get("MOTION_OUTCOME_CORPUS", REPO.parent / "shared" / "corpus" / "decisions.jsonl"))
SETTINGS = {  # name: (locator parameters, classifier parameters)
    "default": ({}, {}),
    "top_k=1": ({"top_k": 1}, {}),
    "top_k=3": ({"top_k": 3}, {}),
    "C=3": ({}, {"classify__C": 3.0}),
    "C=30": ({}, {"classify__C": 30.0}),
}


def known_accuracy(records, schema, seed: int, locator_params: dict, classifier_params: dict) -> float:
    texts = [r.text for r in records]
    y = np.array([r.label("disposition") for r in records], dtype=object)
    evidence = np.array([r.label("evidence") for r in records], dtype=object)
    splits = list(StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=seed)
                  .split(texts, y, [r.group for r in records]))
    locator = RulingSentenceLocator(keywords=schema.disposition_keywords, **locator_params)
    frame = cross_fitted_frame(locator, texts, evidence, teaches_locator(evidence, y, schema.unknown_disposition),
                               splits)
    head = build_disposition_pipeline(schema)
    head.estimator.set_params(**classifier_params)
    classes = np.array(sorted(set(y)), dtype=object)
    predicted = classes[out_of_fold_proba(head, frame, y, splits, classes).argmax(axis=1)]
    known = y != schema.unknown_disposition
    return float(np.mean(predicted[known] == y[known]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--split", default="train")
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "disposition_cv.json"))
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)
    schema = load_schema()
    records = select(read_corpus(args.corpus, schema, require_labels=True).records, args.split)
    seeds = [int(s) for s in args.seeds.split(",")]
    result = {"corpus": args.corpus, "split": args.split, "records": len(records), "seeds": seeds, "settings": {}}
    for name, (locator_params, classifier_params) in SETTINGS.items():
        scores = [known_accuracy(records, schema, seed, locator_params, classifier_params) for seed in seeds]
        result["settings"][name] = {"known_accuracy_per_seed": [round(s, 4) for s in scores],
                                    "known_accuracy_mean": round(float(np.mean(scores)), 4)}
        print(f"{name:>10}: out-of-fold known-disposition accuracy {np.mean(scores):.4f} "
              f"(seeds {', '.join(f'{s:.4f}' for s in scores)})", flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
