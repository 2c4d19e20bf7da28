"""``motion-outcome train --streaming``: train on a corpus read chunk by chunk, save it like ``train``.

Only bounded samples are kept besides the current chunk: the model's held-out reservoir (for
thresholds), up to ``eval_size`` records of the evaluation split, and the labels (not texts) of up
to ``eval_size`` training records for the baselines the metrics are reported beside.
"""
from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any, Callable

from model.predict import Predictor
from model.schema import DEFAULT_SCHEMA_PATH, load_schema
from model.streaming import StreamingMotionOutcomeModel, _Reservoir
from training.corpus import LABEL_FIELDS, CorpusError, Record
from training.splits import split_of
from training.stream import StreamStats, iter_chunks
from training.train import add_to_data_hash, compare_with_baselines, save_trained


def _label_only(record: Record) -> Record:
    return Record(id=record.id, text="", fields={k: record.label(k) for k in LABEL_FIELDS}, line=record.line)


def train_streaming(corpus: str | Path | list, out: str | Path, *, schema_path: str | Path = DEFAULT_SCHEMA_PATH,
                    split: str = "train", eval_split: str = "dev", seed: int = 0, chunk_size: int = 1000,
                    epochs: int = 5, n_features: int = 2 ** 18, eval_size: int = 5000,
                    skip_invalid: bool = False, progress: Callable[[str], None] = print) -> dict[str, Any]:
    schema = load_schema(schema_path)
    model = StreamingMotionOutcomeModel(schema=schema.to_dict(), n_features=n_features, epochs=epochs,
                                        seed=seed).start()
    stats = StreamStats()
    digest = hashlib.sha256()  # the same digest as training.train.data_hash, computed as records pass
    held_for_eval, labels_for_baselines = _Reservoir(eval_size, seed + 1), _Reservoir(eval_size, seed + 2)
    evaluating = bool(eval_split) and eval_split != split
    started = time.perf_counter()
    trained = 0
    for epoch in range(epochs):
        first = epoch == 0
        seen, epoch_start = 0, time.perf_counter()
        last_report = epoch_start
        for chunk in iter_chunks(corpus, chunk_size, schema, require_labels=True, skip_invalid=skip_invalid,
                                 stats=stats if first else None):
            records = []
            for r in chunk:
                where = split_of(r)
                if where == split or split == "all":
                    records.append(r)
                    if first:
                        add_to_data_hash(digest, r)
                        if evaluating:  # the baselines are reported beside the evaluation only
                            labels_for_baselines.offer(_label_only(r))
                if first and evaluating and where == eval_split:
                    held_for_eval.offer(r)
            if records:
                model.partial_fit([r.text for r in records], [r.label("disposition") for r in records],
                                  [r.label("reasons") for r in records], [r.label("motion_type") for r in records],
                                  [r.group for r in records], [r.label("evidence") for r in records],
                                  first_pass=first)
                trained += len(records) if first else 0
            seen += len(chunk)
            if time.perf_counter() - last_report > 10:
                last_report = time.perf_counter()
                progress(f"epoch {epoch + 1}/{epochs}: read {seen} records "
                         f"({seen / max(1e-9, last_report - epoch_start):.0f} records/s)")
        if first:
            if stats.skipped:
                progress(f"skipped {stats.skipped} invalid records (first: {stats.skipped_errors[0]})")
            if trained < 10:
                raise CorpusError(str(corpus), None, f"only {trained} records in split '{split}'; need at least 10")
        progress(f"epoch {epoch + 1}/{epochs} done: {trained} records of split '{split}' "
                 f"({model.n_held_out_} held out for thresholds), {time.perf_counter() - started:.1f} s")
    model.finish(progress=progress)
    seconds = time.perf_counter() - started
    progress(f"trained in {seconds:.1f} s")

    metrics: dict[str, Any] = {}
    if held_for_eval.items:
        test = held_for_eval.items
        predictor = Predictor(model, {"model_version": "evaluation"})
        metrics = {"split": eval_split, "n": len(test), "sampled_from": held_for_eval.seen,
                   **compare_with_baselines(predictor, labels_for_baselines.items, test, schema)}
    return save_trained(
        model, out, progress, created_by="motion-outcome train --streaming",
        training_data={"source": str(corpus), "split": split, "records": trained,
                       "sha256": digest.hexdigest(), "skipped": stats.skipped},
        seed=seed, seconds=seconds, schema=schema, metrics=metrics,
        streaming={"chunk_size": chunk_size, "epochs": epochs, "n_features": n_features,
                   "held_out_for_thresholds": model.n_held_out_,
                   "threshold_records": model.n_threshold_records_})


def run_from_args(args, say: Callable[[str], None]) -> int:
    """``motion-outcome train --streaming ...``."""
    if args.chunk_size < 1 or args.epochs < 1:
        raise SystemExit("error: --chunk-size and --epochs must be at least 1")
    train_streaming(args.corpus, args.out, schema_path=args.schema, split=args.split, eval_split=args.eval_split,
                    seed=args.seed, chunk_size=args.chunk_size, epochs=args.epochs,
                    skip_invalid=args.skip_invalid, progress=say)
    return 0
