"""``motion-outcome corpus build | review export | review import | retrain``: the researcher's loop
(gather decisions, review what the model is unsure of, retrain on the reviewed labels)."""
from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from model.artifact import DEFAULT_MODEL_DIR
from model.schema import DEFAULT_SCHEMA_PATH


def _say(message: str) -> None:
    print(f"[motion-outcome] {message}", file=sys.stderr, flush=True)


def register(commands: argparse._SubParsersAction) -> None:
    corpus = commands.add_parser("corpus", help="build a corpus file from folders, CourtListener, other corpora")
    corpus_commands = corpus.add_subparsers(dest="corpus_command", required=True, metavar="ACTION")
    p = corpus_commands.add_parser("build", help="extract, clean, de-duplicate and write a JSONL corpus with provenance")
    p.add_argument("--out", required=True, help="corpus JSONL file to write")
    p.add_argument("--folder", action="append", default=[], help="folder of .txt/.pdf/.html decisions (repeatable)")
    p.add_argument("--include", action="append", default=[], help="an existing corpus (.jsonl/.csv) to merge in, labels kept (repeatable)")
    p.add_argument("--courtlistener", metavar="QUERY", help="search CourtListener (token in $COURTLISTENER_API_TOKEN) and fetch the hits")
    p.add_argument("--court", help="CourtListener court id(s), space separated (e.g. 'nysd ksd')")
    p.add_argument("--type", default="o", choices=("o", "r", "rd"), help="CourtListener search type: o opinions, r/rd RECAP documents")
    p.add_argument("--max-documents", type=int, help="stop the CourtListener download after this many documents (rerun to continue)")
    p.add_argument("--downloads", help="CourtListener downloads file (default: <out>.courtlistener.jsonl)")
    p.add_argument("--state", help="CourtListener resume state (default: <out>.courtlistener-state.json)")
    p.add_argument("--bulk-csv", action="append", default=[], help="CourtListener bulk opinions CSV (.csv/.csv.bz2, repeatable)")
    p.add_argument("--bulk-match", help="regular expression selecting bulk opinions (e.g. '3582\\(c\\)\\(1\\)\\(A\\)')")
    p.add_argument("--bulk-limit", type=int, help="stop after this many selected bulk opinions")
    p.add_argument("--near-duplicate", type=float, default=0.5, help="Jaccard similarity (word 5-grams) at which two texts are one decision")
    p.add_argument("--report", help="build report JSON (default: <out>.report.json)")
    p.set_defaults(run=run_build)

    review = commands.add_parser("review", help="export predictions that need a person; import the reviewed labels")
    review_commands = review.add_subparsers(dest="review_command", required=True, metavar="ACTION")
    p = review_commands.add_parser("export", help="the review queue as CSV or JSONL (needs_review first, then by uncertainty)")
    p.add_argument("--corpus", required=True)
    p.add_argument("--model", default=str(DEFAULT_MODEL_DIR))
    p.add_argument("--out", required=True, help="review file to write: .csv or .jsonl")
    p.add_argument("--limit", type=int, help="how many documents to put in the queue (default: all)")
    p.add_argument("--audit", type=float, default=0.05, help="share of the queue drawn at random from confident predictions")
    p.add_argument("--seed", type=int, default=0, help="seed of the audit sample")
    p.add_argument("--include-reviewed", action="store_true", help="also queue records a person has already reviewed")
    p.add_argument("--skip-invalid", action="store_true")
    p.set_defaults(run=run_export)

    p = review_commands.add_parser("import", help="validate a reviewed file and merge its labels into the corpus")
    p.add_argument("--review", required=True, help="the reviewed .csv or .jsonl file")
    p.add_argument("--corpus", required=True, help="the corpus the review was exported from")
    p.add_argument("--out", help="merged corpus to write (default: replace --corpus)")
    p.add_argument("--changes", help="change log to append to (default: <out>.changes.jsonl)")
    p.add_argument("--model", help="take the label schema from this model (default: --schema)")
    p.add_argument("--schema", default=str(DEFAULT_SCHEMA_PATH), help="label schema JSON file")
    p.add_argument("--reviewer", help="name for rows without a reviewer (default: your user name)")
    p.add_argument("--skip-invalid", action="store_true", help="import the valid rows and list the invalid ones")
    p.set_defaults(run=run_import)

    p = commands.add_parser("retrain", help="retrain on the corpus's labels and compare with the model before review")
    p.add_argument("--corpus", required=True)
    p.add_argument("--before", default=str(DEFAULT_MODEL_DIR), help="the model the review started from")
    p.add_argument("--out", required=True, help="directory of the retrained model")
    p.add_argument("--report", help="retraining report JSON (default: <out>/../retraining-report.json)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=run_retrain)


def run_build(args) -> int:
    from training.build.builder import build_corpus, write_report
    from training.sources.courtlistener_bulk import BulkOpinions
    from training.sources.existing import read_existing
    from training.sources.folder import read_folder

    out = Path(args.out)
    sources, bulk = [], []
    sources += [read_folder(folder) for folder in args.folder]
    sources += [read_existing(path) for path in args.include]
    if args.courtlistener:
        from training.sources.courtlistener import CourtListenerClient, CourtListenerError
        from training.sources.courtlistener_harvest import harvest, read_downloads

        downloads = Path(args.downloads or f"{out}.courtlistener.jsonl")
        state = Path(args.state or f"{out}.courtlistener-state.json")
        try:
            with CourtListenerClient(progress=_say) as client:
                result = harvest(client, args.courtlistener, downloads, state, court=args.court, type=args.type,
                                 max_documents=args.max_documents, progress=_say)
        except CourtListenerError as exc:
            print(f"error: {exc}", file=sys.stderr)
            print(f"(documents fetched so far are kept in {downloads}; rerun the same command to continue)", file=sys.stderr)
            return 2
        _say(f"CourtListener: {result.fetched} fetched now, {len(result.failed)} unavailable"
             + ("" if result.finished else "; the search is not finished, rerun to continue"))
        if downloads.exists():
            sources.append(read_downloads(downloads))
    for path in args.bulk_csv:
        reader = BulkOpinions(path, match=args.bulk_match, limit=args.bulk_limit, progress=_say)
        bulk.append(reader)
        sources.append(reader)
    if not sources:
        raise SystemExit("error: nothing to build from: give --folder, --include, --courtlistener or --bulk-csv")
    report = build_corpus(sources, out, near_threshold=args.near_duplicate, progress=_say)
    for reader in bulk:
        _say(f"bulk {reader.path}: {dict(reader.counts)}")
    report_path = Path(args.report or f"{out}.report.json")
    write_report(report, report_path)
    _say(f"build report written to {report_path}")
    return 0


def run_export(args) -> int:
    from model.predict import Predictor
    from training.corpus import LABEL_FIELDS, read_corpus
    from training.review.export import export_review
    from training.review.queue import ReviewQueue

    if args.limit is not None and args.limit < 1:
        raise SystemExit("error: --limit must be at least 1")
    predictor = Predictor.from_directory(args.model)
    corpus = read_corpus(args.corpus, skip_invalid=args.skip_invalid)
    for error in corpus.skipped:
        _say(f"skipped {error}")
    records = corpus.records if args.include_reviewed else [r for r in corpus.records if not r.fields.get("review")]
    if len(records) < len(corpus.records):
        _say(f"left out {len(corpus.records) - len(records)} records already reviewed (--include-reviewed to queue them)")
    if not records:
        _say("nothing to review")
        return 0
    rows = export_review(predictor, records, args.out, limit=args.limit,
                         queue=ReviewQueue(audit_fraction=args.audit, seed=args.seed), progress=_say)
    flagged = sum(1 for row in rows if row["queue"] == "needs_review")
    audit = sum(1 for row in rows if row["queue"] == "audit")
    _say(f"wrote {len(rows)} documents to review to {args.out} ({flagged} flagged needs_review, {audit} audit sample); "
         f"fill in the columns {', '.join(LABEL_FIELDS)} (and evidence), then run 'motion-outcome review import'")
    return 0


def run_import(args) -> int:
    from model.schema import LabelSchema, load_schema
    from training.corpus import CorpusError, read_corpus
    from training.review.merge import append_changes, merge_review, read_review, write_corpus

    if args.model:
        from model.artifact import load_model
        _, metadata = load_model(args.model)
        schema = LabelSchema.from_dict(metadata["label_schema"])
    else:
        schema = load_schema(args.schema)
    corpus = read_corpus(args.corpus)
    records = {r.id: r for r in corpus.records}
    rows, errors, count = read_review(args.review, schema, records)
    if errors and not args.skip_invalid:
        listing = "\n  ".join(errors)
        raise CorpusError(args.review, None, f"{len(errors)} problem(s) in {count} rows; nothing was imported "
                                             f"(fix them, or --skip-invalid to import the valid rows):\n  {listing}")
    for error in errors:
        _say(f"skipped {error}")
    out = Path(args.out or args.corpus)
    if out.suffix.lower() not in (".jsonl", ".ndjson"):
        raise SystemExit(f"error: the merged corpus is written as JSONL; give --out with a .jsonl name (not {out})")
    reviewer = args.reviewer or os.environ.get("MOTION_OUTCOME_REVIEWER") or getpass.getuser()
    report = merge_review(corpus.records, rows, reviewer=reviewer, source=Path(args.review).name)
    write_corpus(corpus.records, out)
    changes = Path(args.changes or f"{out}.changes.jsonl")
    append_changes(report.changes, changes)
    _say(f"{count} rows: {report.reviewed} reviewed, {report.unreviewed} left blank, {len(errors)} invalid; "
         f"{report.changed_fields} labels changed, {report.confirmed_fields} confirmed")
    _say(f"merged corpus written to {out}" + (f"; changes appended to {changes}" if report.changes else ""))
    return 0


def run_retrain(args) -> int:
    from model.predict import Predictor
    from training.retrain import format_retraining, retrain

    before = Predictor.from_directory(args.before)
    report = retrain(args.corpus, args.out, before, seed=args.seed, progress=_say)
    print(format_retraining(report))
    path = Path(args.report or Path(args.out).parent / "retraining-report.json")
    path.write_text(json.dumps(report, indent=2) + "\n")
    _say(f"retraining report written to {path}")
    return 0
