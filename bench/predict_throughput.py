"""Throughput of in-process prediction on the labeled corpus, and training time.

Prints and writes bench/results/predict_throughput.json: documents/s and MB/s of decision text for
``Predictor.predict`` (single process, batches like ``motion-outcome predict``), and the seconds to
train on the whole corpus. The machine is shared and noisy: compare runs as ratios, not absolutes.

    python bench/predict_throughput.py [--corpus PATH] [--repeats 3] [--skip-training]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from model.predict import Document, Predictor  # noqa: E402
from training.corpus import read_corpus  # noqa: E402

DEFAULT_CORPUS = Path(os.environ.get("MOTION_OUTCOME_CORPUS", REPO.parent / "shared" / "corpus" / "decisions.jsonl"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--model", default=str(REPO / "model" / "default"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "predict_throughput.json"))
    args = parser.parse_args()

    records = read_corpus(args.corpus).records
    documents = [Document(r.id, r.text) for r in records]
    megabytes = sum(len(d.text.encode("utf-8")) for d in documents) / 1e6
    predictor = Predictor.from_directory(args.model)
    predictor.predict(documents[:8])  # warm-up

    runs = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        for lo in range(0, len(documents), args.batch_size):
            predictor.predict(documents[lo:lo + args.batch_size])
        runs.append(time.perf_counter() - started)
    best = min(runs)
    result = {
        "documents": len(documents), "megabytes": round(megabytes, 3), "repeats": args.repeats,
        "predict_seconds_best": round(best, 3), "predict_seconds_all": [round(r, 3) for r in runs],
        "documents_per_second": round(len(documents) / best, 1),
        "megabytes_per_second": round(megabytes / best, 3),
        "cpu_count": os.cpu_count(), "model_version": predictor.model_version,
    }
    if not args.skip_training:
        from training.train import train
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            train(args.corpus, Path(tmp) / "m", split="all", eval_split="", progress=lambda m: None)
            result["train_all_seconds"] = round(time.perf_counter() - started, 2)
    for key, value in result.items():
        print(f"{key:>24}: {value}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
