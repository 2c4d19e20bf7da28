"""Scale benchmark: out-of-core training time and peak memory as the corpus grows, and Dask batch
scoring throughput with 1 and 2 local workers against plain in-process prediction.

    .venv/bin/python bench/scale.py                                   # sizes 10k, 100k
    .venv/bin/python bench/scale.py --sizes 1000000 --skip compare,score   # adds a 1M row, keeps the others

Corpora are synthetic (training/synthetic.py), written under the temp dir and reused between runs;
they measure time and memory only. Each training run is a child process, so its peak RSS is its
own (measured by a fresh wrapper process with getrusage(RUSAGE_CHILDREN)). Also trains the
streaming and the in-memory model on the real corpus and compares them on its dev split.

Results are merged into bench/results/scale.json: a training row replaces only the row of the same
size, chunk size and epochs, and a skipped part keeps what an earlier run wrote, so sizes can be
run separately (the 1M run in the background) without losing the others. The file is re-read and
written under a lock at the end, so two runs that overlap do not erase each other's results.

The machine is shared, so every measurement records how much CPU other processes used while it
ran (``other_cpu_seconds``: system-wide busy time minus this benchmark's own processes), and the
scoring runs are repeated, alternating 1 and 2 workers, reporting each run and the best.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import fcntl
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
RESULTS = REPO / "bench" / "results" / "scale.json"
CLI = [sys.executable, "-m", "motion_outcome.cli"]
SYNTHETIC_FORMAT = 2  # bump when training/synthetic.py writes other records (2: with evidence quotes)
PARTS = (("streaming_training", "train"), ("real_corpus_dev", "compare"), ("dask_scoring", "score"))


# -- what else ran ------------------------------------------------------------------------------
def _busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat via psutil."""
    import psutil

    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


def _own_seconds(children_ended: float = 0.0) -> float:
    """CPU seconds of this process, its live descendants, and ``children_ended`` (reaped ones)."""
    import psutil

    total = children_ended
    me = psutil.Process()
    for process in [me, *me.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            t = process.cpu_times()
            total += t.user + t.system
    return total


class OtherLoad:
    """Context manager: CPU seconds that processes other than ours used while the block ran.
    On this shared 2-core machine that is what explains a run slower than the last one."""

    def __enter__(self):
        self.busy, self.own, self.wall = _busy_seconds(), _own_seconds(), time.perf_counter()
        self.children_ended = 0.0  # set by the block for children it waited for
        return self

    def __exit__(self, *exc):
        wall = time.perf_counter() - self.wall
        busy = _busy_seconds() - self.busy
        own = _own_seconds(self.children_ended) - self.own
        self.result = {"other_cpu_seconds": round(max(0.0, busy - own), 1),
                       "other_cores_busy": round(max(0.0, busy - own) / max(wall, 1e-9), 2)}
        return False


# -- training -----------------------------------------------------------------------------------
def measure(command: list[str]) -> dict:
    """Run ``command`` under a fresh wrapper process; wall seconds, the child's peak RSS (MB) and
    CPU seconds, and the CPU others used meanwhile."""
    wrapper = ("import json, resource, subprocess, sys, time\n"
               "t = time.perf_counter(); rc = subprocess.call(sys.argv[1:])\n"
               "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
               "print(json.dumps({'rc': rc, 'seconds': time.perf_counter() - t, "
               "'peak_rss_mb': u.ru_maxrss / 1024, 'cpu_seconds': u.ru_utime + u.ru_stime}))")
    with OtherLoad() as load:
        out = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True, text=True, cwd=REPO)
        lines = out.stdout.strip().splitlines()
        result = json.loads(lines[-1]) if lines else {"rc": -1}
        load.children_ended = result.get("cpu_seconds", 0.0)
    if result["rc"] != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{out.stderr[-3000:]}")
    return {"seconds": round(result["seconds"], 2), "peak_rss_mb": round(result["peak_rss_mb"], 1),
            "cpu_seconds": round(result["cpu_seconds"], 1), **load.result}


def synthetic(corpus: str, n: int, partition_size: int) -> Path:
    from training.synthetic import default_output_dir, make_synthetic

    out = default_output_dir(n)
    marker = out / f".complete-{partition_size}-{SYNTHETIC_FORMAT}"
    if not marker.exists():
        make_synthetic(corpus, n, out, partition_size=partition_size, progress=lambda m: None)
        marker.touch()
    return out


def _stamp() -> dict:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO)
    return {"measured_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "git_head": commit.stdout.strip() or None}


def training_scale(corpus: str, sizes: list[int], chunk_size: int, epochs: int, work: Path,
                   command: str) -> list[dict]:
    rows = []
    for n in sizes:
        data = synthetic(corpus, n, partition_size=min(n, 50_000))
        stamp = _stamp()  # the code measured is the code at the start
        row = {"documents": n, "chunk_size": chunk_size, "epochs": epochs,
               **measure([*CLI, "train", "--streaming", "--corpus", str(data / "*.jsonl"), "--out",
                          str(work / f"stream-{n}"), "--chunk-size", str(chunk_size), "--epochs", str(epochs),
                          "--eval-split", ""])}
        row["docs_per_second"] = round(n * epochs / row["seconds"], 1)
        row.update(command=command, nice=os.nice(0), **stamp)  # niceness, e.g. under `nice -n 10`
        rows.append(row)
        print(f"streaming train {n:>9} docs: {row['seconds']:>8.1f} s  peak RSS {row['peak_rss_mb']:>7.1f} MB  "
              f"({row['docs_per_second']} docs/s; others used {row['other_cores_busy']} cores)", flush=True)
    return rows


def merge_training_rows(previous: list[dict] | None, new: list[dict]) -> list[dict]:
    """Earlier rows plus ``new``; a new row replaces the earlier row of the same size, chunk size
    and epochs. Sorted by size."""
    def key(row):
        return row["documents"], row["chunk_size"], row["epochs"]

    merged = {key(row): row for row in previous or []}
    merged.update({key(row): row for row in new})
    return sorted(merged.values(), key=key)


# -- real corpus --------------------------------------------------------------------------------
def real_corpus_comparison(corpus: str, work: Path) -> dict:
    """Streaming vs in-memory model, each trained on the train split, on the dev split (real data)."""
    out = {}
    for name, extra in (("streaming", ["--streaming", "--chunk-size", "1000"]), ("in_memory", [])):
        target = work / f"real-{name}"
        try:
            cost = measure([*CLI, "train", "--corpus", corpus, "--out", str(target), *extra])
        except RuntimeError as exc:
            out[name] = {"error": str(exc)[-500:]}
            print(f"{name}: training failed", flush=True)
            continue
        metrics = json.loads((target / "metadata.json").read_text())["metrics"]
        model = metrics["model"]
        out[name] = {**cost, "dev_n": metrics["n"],
                     "disposition_accuracy_known": model["disposition"]["accuracy_known"],
                     "disposition_macro_f1_known": model["disposition"]["macro_f1_known"],
                     "disposition_brier": model["disposition"]["calibration"]["brier"],
                     "review_coverage": model["disposition"]["review"]["coverage"],
                     "review_accuracy_unflagged": model["disposition"]["review"]["accuracy_unflagged"],
                     "reasons_micro_f1": model["reasons"]["micro_f1"],
                     "reasons_macro_f1": model["reasons"]["macro_f1"],
                     "motion_type_accuracy": model["motion_type"]["accuracy"]}
        print(f"{name:>10} on dev: " + ", ".join(f"{k} {v}" for k, v in out[name].items()),
              flush=True)
    return out


# -- scoring ------------------------------------------------------------------------------------
def _score_in_process(predictor, files: list[Path], out_dir: Path) -> int:
    """The same work as the Dask tasks, in this process: read, predict in batches of 256, write."""
    from model.predict import Document
    from training.corpus import read_corpus

    out_dir.mkdir(parents=True, exist_ok=True)
    n = 0
    for f in files:
        records = read_corpus(f).records
        rows = []
        for lo in range(0, len(records), 256):
            rows.extend(predictor.predict([Document(r.id, r.text) for r in records[lo:lo + 256]]))
        with open(out_dir / f"{f.stem}.jsonl", "w") as handle:
            handle.writelines(json.dumps(r) + "\n" for r in rows)
        n += len(records)
    return n


def scoring_throughput(model_dir: Path, corpus: str, docs: int, partitions: int, work: Path,
                       repeats: int) -> dict:
    """In-process, Dask with 1 worker and Dask with 2 workers, each run ``repeats`` times in turn
    (so a burst of load from other processes hits all three alike). Each cluster is started once
    and kept: its first run also ships and loads the model (``cold_seconds``); the best run of
    each is what the ratios compare."""
    from model.predict import Predictor
    from training.dask_predict import connect, predict_partitions

    data = synthetic(corpus, docs, partition_size=max(1, docs // partitions))
    files = sorted(data.glob("*.jsonl"))
    predictor = Predictor.from_directory(model_dir)
    clusters, started = {}, {}
    result = {"partitions": len(files), "repeats": repeats,
              "model": "streaming model trained on the real train split"}
    runs: dict[str, list[dict]] = {"in_process": [], "dask_1_workers": [], "dask_2_workers": []}
    try:
        for workers in (1, 2):
            t0 = time.perf_counter()
            clusters[workers] = connect("local", workers=workers)
            started[f"dask_{workers}_workers"] = round(time.perf_counter() - t0, 2)
        n = 0
        for rep in range(repeats):
            with OtherLoad() as load:
                t0 = time.perf_counter()
                n = _score_in_process(predictor, files, work / f"inproc-{rep}")
                seconds = time.perf_counter() - t0
            runs["in_process"].append({"seconds": round(seconds, 2), **load.result})
            print(f"run {rep + 1}/{repeats} in-process: {n} docs in {seconds:.1f} s ({n / seconds:.0f} docs/s; "
                  f"others used {load.result['other_cores_busy']} cores)", flush=True)
            for workers, client in clusters.items():
                with OtherLoad() as load:
                    summary = predict_partitions([str(f) for f in files], work / f"dask-{workers}-{rep}", model_dir,
                                                 client=client, progress=lambda m: None)
                runs[f"dask_{workers}_workers"].append({
                    "seconds": round(summary["seconds"], 2),
                    "task_seconds_sum": round(sum(r["seconds"] for r in summary["results"]), 2), **load.result})
                print(f"run {rep + 1}/{repeats} dask {workers} worker(s): {summary['seconds']:.1f} s "
                      f"({n / summary['seconds']:.0f} docs/s; others used {load.result['other_cores_busy']} cores)",
                      flush=True)
    finally:
        for client in clusters.values():
            cluster = client._motion_outcome_cluster
            client.close()
            cluster.close()
    result["documents"] = n
    for name, rows in runs.items():
        best = min(rows, key=lambda r: r["seconds"])
        entry = {"seconds": best["seconds"], "docs_per_second": round(n / best["seconds"], 1),
                 "median_seconds": round(statistics.median(r["seconds"] for r in rows), 2), "runs": rows}
        if name in started:
            entry = {"cluster_start_seconds": started[name], "cold_seconds": rows[0]["seconds"], **entry}
        result[name] = entry
    best = {name: result[name]["seconds"] for name in runs}
    result["dask_1_workers"]["overhead_vs_in_process"] = round(best["dask_1_workers"] / best["in_process"] - 1, 3)
    result["speedup_2_vs_1"] = round(best["dask_1_workers"] / best["dask_2_workers"], 2)
    result["speedup_2_vs_1_median"] = round(result["dask_1_workers"]["median_seconds"]
                                            / result["dask_2_workers"]["median_seconds"], 2)
    result["speedup_2_vs_1_cold"] = round(result["dask_1_workers"]["cold_seconds"]
                                          / result["dask_2_workers"]["cold_seconds"], 2)
    print(f"2 workers vs 1 (best of {repeats}): {result['speedup_2_vs_1']}x, median {result['speedup_2_vs_1_median']}x,"
          f" first (cold) run {result['speedup_2_vs_1_cold']}x (goal >= 1.7x); Dask 1 worker vs in-process: "
          f"{result['dask_1_workers']['overhead_vs_in_process']:+.1%}", flush=True)
    return result


# -- the results file ---------------------------------------------------------------------------
def write_results(produced: dict, commands: dict[str, str], path: Path = RESULTS) -> dict:
    """Merge this run's parts into ``path``: re-read under a lock (another run may have written since
    this one started), keep every part this run did not produce, merge training rows by size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_name = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"motion-outcome-results-{lock_name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        report = json.loads(path.read_text()) if path.exists() else {}
        report["machine"] = {"cpus": os.cpu_count(), "note": "shared 2-core machine; compare ratios within one run"}
        report.setdefault("commands", {})
        for part, value in produced.items():
            if part == "streaming_training":
                value = merge_training_rows(report.get(part), value)
            report[part] = value
            report["commands"][part] = commands[part]
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(report, indent=2) + "\n")
        os.replace(tmp, path)
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus" / "decisions.jsonl"))
    parser.add_argument("--sizes", default="10000,100000", help="synthetic corpus sizes for streaming training")
    parser.add_argument("--chunk-size", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=1, help="passes in the scale runs (1 suits large corpora)")
    parser.add_argument("--score-docs", type=int, default=4000, help="synthetic documents for the scoring runs")
    parser.add_argument("--score-partitions", type=int, default=16)
    parser.add_argument("--score-repeats", type=int, default=3, help="runs of each scoring setup (best is compared)")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: train,compare,score")
    parser.add_argument("--results", default=str(RESULTS), help="JSON file to merge the results into")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    unknown = skip - {name for _, name in PARTS}
    if unknown:
        parser.error(f"unknown part(s) to skip: {', '.join(sorted(unknown))}")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    command = " ".join([Path(sys.executable).name, *sys.argv])
    produced = {}
    with tempfile.TemporaryDirectory(prefix="motion-outcome-scale-") as tmp:
        work = Path(tmp)
        if "train" not in skip:
            produced["streaming_training"] = training_scale(args.corpus, sizes, args.chunk_size, args.epochs, work,
                                                            command)
        if "compare" not in skip:
            stamp = _stamp()
            produced["real_corpus_dev"] = {**real_corpus_comparison(args.corpus, work), **stamp}
        if "score" not in skip:
            model_dir = work / "real-streaming"
            if not (model_dir / "metadata.json").exists():
                subprocess.run([*CLI, "train", "--streaming", "--corpus", args.corpus, "--out", str(model_dir),
                                "--eval-split", ""], check=True, cwd=REPO, capture_output=True)
            stamp = _stamp()
            produced["dask_scoring"] = {**scoring_throughput(model_dir, args.corpus, args.score_docs,
                                                             args.score_partitions, work, args.score_repeats),
                                        **stamp}
    write_results(produced, {part: command for part, _ in PARTS}, Path(args.results))
    print(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
