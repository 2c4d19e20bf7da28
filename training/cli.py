"""``motion-outcome train | evaluate | predict``: the researcher's commands."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from model.artifact import DEFAULT_MODEL_DIR
from model.schema import DEFAULT_SCHEMA_PATH, LabelSchema


def _say(message: str) -> None:
    print(f"[motion-outcome] {message}", file=sys.stderr, flush=True)


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("train", help="train a model on a labeled corpus and save it")
    p.add_argument("--corpus", required=True, help="labeled corpus: .jsonl, .csv")
    p.add_argument("--out", required=True, help="model directory to write (replaced atomically)")
    p.add_argument("--schema", default=str(DEFAULT_SCHEMA_PATH), help="label schema JSON file")
    p.add_argument("--split", default="train", help="split to train on ('all' for every record)")
    p.add_argument("--eval-split", default="dev", help="split to evaluate on after training ('' to skip)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--skip-invalid", action="store_true", help="skip and count invalid records instead of stopping")
    p.add_argument("--streaming", action="store_true",
                   help="out-of-core: read the corpus (a file or a quoted glob of partitions) in chunks; memory bounded by --chunk-size")
    p.add_argument("--chunk-size", type=int, default=1000, help="records per chunk with --streaming")
    p.add_argument("--epochs", type=int, default=5, help="passes over the corpus with --streaming (1 is enough for large corpora)")
    p.set_defaults(run=run_train)

    p = commands.add_parser("evaluate", help="metrics of a saved model on a labeled split, beside baselines")
    p.add_argument("--model", default=str(DEFAULT_MODEL_DIR))
    p.add_argument("--corpus", required=True)
    p.add_argument("--split", default="dev", help="split to evaluate ('all' for every record)")
    p.add_argument("--train-split", default="train", help="split the baselines are fitted on")
    p.add_argument("--json", dest="json_out", default=None, help="where to write the metrics (default: evaluation-<split>.json)")
    p.add_argument("--skip-invalid", action="store_true")
    p.set_defaults(run=run_evaluate)

    p = commands.add_parser("predict", help="predict dispositions and reasons for unlabeled decisions")
    p.add_argument("--model", default=str(DEFAULT_MODEL_DIR))
    p.add_argument("--input", required=True, help=".jsonl or .csv with id and text, or a folder of .txt/.pdf; with --dask, a quoted glob of partitions ('corpus/*.jsonl')")
    p.add_argument("--output", required=True, help="JSONL file to write ('-' for standard output); with --dask, a directory (one file per input partition)")
    p.add_argument("--dask", default=None, metavar="local|tcp://HOST:PORT",
                   help="score partitions on a Dask cluster: 'local' starts one on this machine, an address uses a running scheduler")
    p.add_argument("--format", choices=("jsonl", "parquet"), default="jsonl", help="output format with --dask")
    p.add_argument("--workers", type=int, default=None, help="workers of a --dask local cluster (default: one per core)")
    p.add_argument("--retries", type=int, default=2, help="retries of a failed partition with --dask")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--citations", action="store_true", help="add the cited authorities (field 'citations')")
    p.add_argument("--metadata", action="store_true", help="add court, circuit, date, judge, docket, defendant read from the text (field 'metadata')")
    p.add_argument("--skip-invalid", action="store_true")
    p.set_defaults(run=run_predict)


def run_train(args) -> int:
    if args.streaming:
        from training.streaming_train import run_from_args
        return run_from_args(args, _say)
    from training.train import train
    train(args.corpus, args.out, schema_path=args.schema, split=args.split, eval_split=args.eval_split,
          seed=args.seed, skip_invalid=args.skip_invalid, progress=_say)
    return 0


def run_evaluate(args) -> int:
    from model.predict import Predictor
    from training.evaluate import format_report
    from training.splits import select
    from training.train import compare_with_baselines, load_labeled

    predictor = Predictor.from_directory(args.model)
    schema = LabelSchema.from_dict(predictor.metadata["label_schema"])
    corpus = load_labeled(args.corpus, schema, args.skip_invalid)
    test = select(corpus.records, args.split)
    train = select(corpus.records, args.train_split)
    if not test:
        raise SystemExit(f"error: no records in split '{args.split}' of {args.corpus}")
    _say(f"evaluating {predictor.model_version} on {len(test)} records of split '{args.split}'")
    report = compare_with_baselines(predictor, train or test, test, schema)
    print(format_report(report))
    out = Path(args.json_out or f"evaluation-{args.split}.json")
    payload = {"model_version": predictor.model_version, "corpus": str(args.corpus), "split": args.split,
               "n": len(test), "skipped": len(corpus.skipped), **report}
    out.write_text(json.dumps(payload, indent=2) + "\n")
    _say(f"metrics written to {out}")
    return 0


def run_predict(args) -> int:
    if args.dask:
        from training.dask_predict import run_from_args
        return run_from_args(args, _say)
    from model.predict import Document, Predictor
    from training.corpus import read_corpus
    from training.output import AtomicJsonl

    if args.batch_size < 1:
        raise SystemExit("error: --batch-size must be at least 1")
    predictor = Predictor.from_directory(args.model)
    corpus = read_corpus(args.input, skip_invalid=args.skip_invalid)
    for error in corpus.skipped:
        _say(f"skipped {error}")
    records = corpus.records
    started, done = time.perf_counter(), 0
    with AtomicJsonl(args.output) as sink:
        for lo in range(0, len(records), args.batch_size):
            batch = records[lo:lo + args.batch_size]
            for row in predictor.predict([Document(r.id, r.text) for r in batch],
                                         with_citations=args.citations, with_metadata=args.metadata):
                sink.write(row)
            done += len(batch)
            rate = done / max(1e-9, time.perf_counter() - started)
            _say(f"predicted {done}/{len(records)} ({rate:.0f} docs/s)")
    _say(f"wrote {done} predictions to {args.output}" + (f"; skipped {len(corpus.skipped)} invalid" if corpus.skipped else ""))
    return 0
