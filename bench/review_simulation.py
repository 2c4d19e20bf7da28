"""How much review does it take to reach the dev metrics of a model trained on every train label,
reading documents in the order of our review queue versus in random order?

Simulation on the shared labeled corpus: start from ``--seed-fraction`` of the train split's
labels (a seeded random draw, topped up so each disposition has ``--min-per-class`` examples:
the model cannot be fitted with fewer); the rest of the train split is the unlabeled pool. Each
step "reviews" a batch of ``--batch-fraction`` of the pool (the reviewer's label is the corpus
label), refits, and scores the dev split: disposition macro-F1 and accuracy (known dispositions)
and reasons micro-F1. It stops when all three reach the full model's (within ``--tolerance``),
after ``--steps`` steps, or when the pool is read.

    .venv/bin/python bench/review_simulation.py --steps 10
Prints a table and writes bench/results/review_simulation.json.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from model.predict import Document, Predictor  # noqa: E402
from model.schema import load_schema  # noqa: E402
from training.corpus import read_corpus  # noqa: E402
from training.evaluate import all_metrics  # noqa: E402
from training.review.queue import ReviewQueue  # noqa: E402
from training.splits import select  # noqa: E402
from training.train import fit_model  # noqa: E402

METRICS = {"disposition_macro_f1": ("disposition", "macro_f1_known"),
           "disposition_accuracy": ("disposition", "accuracy_known"),
           "reasons_micro_f1": ("reasons", "micro_f1")}


def say(message: str) -> None:
    print(f"[review-simulation] {message}", file=sys.stderr, flush=True)


def evaluate(model, dev, schema) -> dict[str, float]:
    predictions = Predictor(model, {"model_version": "simulation"}).predict([Document(r.id, r.text) for r in dev])
    metrics = all_metrics(dev, predictions, schema)
    return {name: metrics[a][b] for name, (a, b) in METRICS.items()}


def reached(metrics: dict, target: dict, tolerance: float) -> bool:
    return all(metrics[name] >= target[name] - tolerance for name in METRICS)


def seed_set(train, fraction: float, min_per_class: int, rng: random.Random):
    chosen = set(rng.sample(range(len(train)), max(1, round(fraction * len(train)))))
    drawn = len(chosen)
    by_class: dict[str, list[int]] = {}
    for i, record in enumerate(train):
        by_class.setdefault(record.label("disposition"), []).append(i)
    for label, members in sorted(by_class.items()):
        have = [i for i in members if i in chosen]
        missing = [i for i in members if i not in chosen]
        rng.shuffle(missing)
        chosen.update(missing[:max(0, min_per_class - len(have))])
    return sorted(chosen), drawn


def choose(strategy: str, model, pool, batch: int, step: int, rng: random.Random) -> list[int]:
    if strategy == "random":
        return rng.sample(range(len(pool)), min(batch, len(pool)))
    texts = [r.text for r in pool]
    predictions = Predictor(model, {"model_version": "simulation"}).predict(
        [Document(r.id, r.text) for r in pool])
    items = ReviewQueue(seed=step).rank(predictions, model.predict_reasons_proba(texts), model.reason_thresholds_,
                                        limit=min(batch, len(pool)))
    return [item.index for item in items]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus" / "decisions.jsonl"))
    parser.add_argument("--seed-fraction", type=float, default=0.10)
    parser.add_argument("--min-per-class", type=int, default=8)
    parser.add_argument("--batch-fraction", type=float, default=0.10, help="share of the pool reviewed per step")
    parser.add_argument("--steps", type=int, default=10, help="review steps at most, per strategy")
    parser.add_argument("--tolerance", type=float, default=0.01)
    parser.add_argument("--strategies", nargs="+", default=["queue", "random"], choices=["queue", "random"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "review_simulation.json"))
    parser.add_argument("--continue-from", help="a previous result JSON: reuse its target (the slowest fit) and keep "
                                                "its runs of the strategies not asked for now")
    args = parser.parse_args(argv)
    # Small labeled sets leave some reasons without examples; sklearn warns on each fit.
    warnings.filterwarnings("ignore", category=UserWarning, module="sklearn")

    schema = load_schema()
    records = read_corpus(args.corpus, schema, require_labels=True).records
    train, dev = select(records, "train"), select(records, "dev")
    say(f"{len(train)} train records, {len(dev)} dev records")

    previous = json.loads(Path(args.continue_from).read_text()) if args.continue_from else None
    if previous:
        target, full_seconds = previous["target_all_train_labels"], previous["full_fit_seconds"]
        say(f"all train labels (from {args.continue_from}): {target}")
    else:
        started = time.perf_counter()
        target = evaluate(fit_model(train, schema, args.seed), dev, schema)
        full_seconds = time.perf_counter() - started
        say(f"all train labels: {target} (fit + evaluate {full_seconds:.0f} s)")

    rng = random.Random(args.seed)
    seed_index, drawn = seed_set(train, args.seed_fraction, args.min_per_class, rng)
    seed = [train[i] for i in seed_index]
    initial_pool = [r for i, r in enumerate(train) if i not in set(seed_index)]
    batch = math.ceil(args.batch_fraction * len(initial_pool))
    seed_model = fit_model(seed, schema, args.seed)
    seed_metrics = evaluate(seed_model, dev, schema)
    say(f"seed: {len(seed)} labels ({drawn} drawn + {len(seed) - drawn} to reach {args.min_per_class} per "
        f"disposition): {seed_metrics}; pool {len(initial_pool)}, batch {batch}")

    runs: dict = {k: v for k, v in (previous or {}).get("runs", {}).items() if k not in args.strategies}
    result = {"corpus": args.corpus, "train": len(train), "dev": len(dev), "seed_labels": len(seed),
              "seed_drawn": drawn, "pool": len(initial_pool), "batch": batch, "tolerance": args.tolerance,
              "target_all_train_labels": target, "full_fit_seconds": round(full_seconds, 1),
              "metrics": list(METRICS), "runs": runs, "settings": vars(args), "complete": False}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)

    def save() -> None:  # after every step, so a long run that is stopped still leaves its numbers
        out.write_text(json.dumps(result, indent=2) + "\n")

    for strategy in args.strategies:
        strategy_rng = random.Random(args.seed + 1)
        labeled, pool, model = list(seed), list(initial_pool), seed_model
        steps = [{"documents_read": 0, "labels": len(labeled), **seed_metrics}]
        reached_at = 0 if reached(seed_metrics, target, args.tolerance) else None
        runs[strategy] = {"steps": steps, "documents_read_to_reach_target": reached_at}
        step = 0
        while reached_at is None and pool and step < args.steps:
            step += 1
            t0 = time.perf_counter()
            picked = set(choose(strategy, model, pool, batch, step, strategy_rng))
            labeled += [pool[i] for i in sorted(picked)]
            pool = [r for i, r in enumerate(pool) if i not in picked]
            model = fit_model(labeled, schema, args.seed)
            metrics = evaluate(model, dev, schema)
            read = len(labeled) - len(seed)
            steps.append({"documents_read": read, "labels": len(labeled), **metrics,
                          "seconds": round(time.perf_counter() - t0, 1)})
            say(f"{strategy} step {step}: read {read}: {metrics}")
            if reached(metrics, target, args.tolerance):
                reached_at = read
            runs[strategy]["documents_read_to_reach_target"] = reached_at
            save()
    result["complete"] = True
    save()

    print(f"target (all {len(train)} train labels): " + ", ".join(f"{k} {v:.4f}" for k, v in target.items()))
    print(f"start: {len(seed)} labels; pool {len(initial_pool)}; batch {batch}; tolerance {args.tolerance}")
    print(f"{'strategy':<8}{'read':>6}" + "".join(f"{name:>22}" for name in METRICS))
    for strategy, run in runs.items():
        for row in run["steps"]:
            print(f"{strategy:<8}{row['documents_read']:>6}" + "".join(f"{row[name]:>22.4f}" for name in METRICS))
    for strategy, run in runs.items():
        n = run["documents_read_to_reach_target"]
        print(f"{strategy}: " + (f"reached the target after reading {n} documents" if n is not None
                                 else f"did not reach the target within {len(run['steps']) - 1} steps"))
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
