"""``motion-outcome report``: the outcome-trend tables (CSV) and figures (PNG) for a corpus."""
from __future__ import annotations

import argparse
import datetime as dt
import sys


def _say(message: str) -> None:
    print(f"[motion-outcome] {message}", file=sys.stderr, flush=True)


def _event(text: str) -> tuple[str, str]:
    name, sep, date = text.partition("=")
    try:
        if not sep or not name:
            raise ValueError
        dt.date.fromisoformat(date)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected NAME=YYYY-MM-DD, got '{text}'") from None
    return name, date


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("report", help="grant rates, reasons, before/after and agreement tables and plots")
    p.add_argument("--corpus", help="decisions (.jsonl, .csv, or a folder of .txt/.pdf); labels used where present")
    p.add_argument("--predictions", help="predictions JSONL from 'motion-outcome predict' (joined on id)")
    p.add_argument("--model", help="model directory: predict the corpus records not in --predictions")
    p.add_argument("--out", required=True, help="folder for the CSV tables and PNG figures")
    p.add_argument("--period", default="Y", choices=("Y", "Q", "M"), help="period of the over-time table")
    p.add_argument("--event", action="append", type=_event, metavar="NAME=YYYY-MM-DD",
                   help="a date for the before/after table (repeatable; default: the built-in legal events)")
    p.add_argument("--window-days", type=int, default=None, help="compare only this many days either side")
    p.add_argument("--citations", action="store_true", help="also extract citations and count the most cited cases")
    p.set_defaults(run=run_report)


def run_report(args) -> int:
    import matplotlib
    matplotlib.use("Agg")                     # files only, no display needed

    from analysis.events import LEGAL_EVENTS
    from analysis.load import load_table
    from analysis.report import write_report

    if not args.corpus and not args.predictions:
        raise SystemExit("error: give --corpus, --predictions, or both")
    if args.model and not args.corpus:
        raise SystemExit("error: --model predicts the records of --corpus; give --corpus too")
    table, schema = load_table(args.corpus, predictions=args.predictions, model=args.model,
                               citations=args.citations, progress=_say)
    events = dict(args.event) if args.event else LEGAL_EVENTS
    written = write_report(table, schema, args.out, freq=args.period, events=events,
                           window_days=args.window_days, progress=_say)
    decided = int(table["decided"].sum())
    _say(f"{len(table)} decisions, {decided} decided; {len(written)} files in {args.out}")
    return 0
