"""Scale benchmark: out-of-core training time and peak memory as the corpus grows, and Dask batch
scoring throughput with 1 and 2 local workers against plain in-process prediction.

    .venv/bin/python bench/scale.py                                   # sizes 10k, 100k
    .venv/bin/python bench/scale.py --sizes 10000,100000,1000000      # 1M: about an hour per epoch on 2 cores

Corpora are synthetic (training/synthetic.py), written under the temp dir and reused between runs;
they measure time and memory only. Each training run is a child process, so its peak RSS is its
own (measured by a fresh wrapper process with getrusage(RUSAGE_CHILDREN)). Also trains the
streaming and the in-memory model on the real corpus and compares them on its dev split.
Writes bench/results/scale.json.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
RESULTS = REPO / "bench" / "results" / "scale.json"
CLI = [sys.executable, "-m", "motion_outcome.cli"]


def measure(command: list[str]) -> dict:
    """Run ``command`` under a fresh wrapper process; wall seconds and the child's peak RSS (MB)."""
    wrapper = ("import json, resource, subprocess, sys, time\n"
               "t = time.perf_counter(); rc = subprocess.call(sys.argv[1:])\n"
               "print(json.dumps({'rc': rc, 'seconds': time.perf_counter() - t, "
               "'peak_rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))")
    out = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True, text=True, cwd=REPO)
    lines = out.stdout.strip().splitlines()
    result = json.loads(lines[-1]) if lines else {"rc": -1}
    if result["rc"] != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{out.stderr[-3000:]}")
    return {"seconds": round(result["seconds"], 2), "peak_rss_mb": round(result["peak_rss_mb"], 1)}


def synthetic(corpus: str, n: int, partition_size: int) -> Path:
    from training.synthetic import default_output_dir, make_synthetic

    out = default_output_dir(n)
    marker = out / f".complete-{partition_size}"
    if not marker.exists():
        make_synthetic(corpus, n, out, partition_size=partition_size, progress=lambda m: None)
        marker.touch()
    return out


def training_scale(corpus: str, sizes: list[int], chunk_size: int, epochs: int, work: Path) -> list[dict]:
    rows = []
    for n in sizes:
        data = synthetic(corpus, n, partition_size=min(n, 50_000))
        row = {"documents": n, "chunk_size": chunk_size, "epochs": epochs,
               **measure([*CLI, "train", "--streaming", "--corpus", str(data / "*.jsonl"), "--out",
                          str(work / f"stream-{n}"), "--chunk-size", str(chunk_size), "--epochs", str(epochs),
                          "--eval-split", ""])}
        row["docs_per_second"] = round(n * epochs / row["seconds"], 1)
        rows.append(row)
        print(f"streaming train {n:>9} docs: {row['seconds']:>8.1f} s  peak RSS {row['peak_rss_mb']:>7.1f} MB  "
              f"({row['docs_per_second']} docs/s)", flush=True)
    return rows


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


def scoring_throughput(model_dir: Path, corpus: str, docs: int, partitions: int, work: Path) -> dict:
    from model.predict import Document, Predictor
    from training.corpus import read_corpus
    from training.dask_predict import connect, predict_partitions

    data = synthetic(corpus, docs, partition_size=max(1, docs // partitions))
    files = sorted(data.glob("*.jsonl"))
    predictor = Predictor.from_directory(model_dir)
    started = time.perf_counter()
    n = 0
    for f in files:  # the same work as one Dask task, in this process: read, predict, write
        records = read_corpus(f).records
        rows = []
        for lo in range(0, len(records), 256):
            rows.extend(predictor.predict([Document(r.id, r.text) for r in records[lo:lo + 256]]))
        with open(work / f"inproc-{f.stem}.jsonl", "w") as handle:
            handle.writelines(json.dumps(r) + "\n" for r in rows)
        n += len(records)
    in_process = time.perf_counter() - started
    result = {"documents": n, "partitions": len(files), "model": "streaming model trained on the real train split",
              "in_process": {"seconds": round(in_process, 2), "docs_per_second": round(n / in_process, 1)}}
    result["in_process"]["load_average_1min_after"] = round(os.getloadavg()[0], 2)
    print(f"in-process predict: {n} docs in {in_process:.1f} s ({n / in_process:.0f} docs/s)", flush=True)
    for workers in (1, 2):
        t0 = time.perf_counter()
        client = connect("local", workers=workers)
        startup = time.perf_counter() - t0
        try:
            summary = predict_partitions([str(f) for f in files], work / f"dask-{workers}", model_dir,
                                         client=client, progress=lambda m: None)
        finally:
            cluster = client._motion_outcome_cluster
            client.close()
            cluster.close()
        seconds = summary["seconds"]
        result[f"dask_{workers}_workers"] = {
            "cluster_start_seconds": round(startup, 2), "seconds": round(seconds, 2),
            "task_seconds_sum": round(sum(r["seconds"] for r in summary["results"]), 2),
            "load_average_1min_after": round(os.getloadavg()[0], 2),
            "docs_per_second": round(n / seconds, 1),
            "overhead_vs_in_process": round(seconds / in_process - 1, 3) if workers == 1 else None}
        print(f"dask {workers} worker(s): {n} docs in {seconds:.1f} s ({n / seconds:.0f} docs/s; "
              f"cluster start {startup:.1f} s)", flush=True)
    result["speedup_2_vs_1"] = round(result["dask_1_workers"]["seconds"] / result["dask_2_workers"]["seconds"], 2)
    print(f"2 workers vs 1: {result['speedup_2_vs_1']}x (goal >= 1.7x)", flush=True)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus" / "decisions.jsonl"))
    parser.add_argument("--sizes", default="10000,100000", help="synthetic corpus sizes for streaming training")
    parser.add_argument("--chunk-size", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=1, help="passes in the scale runs (1 suits large corpora)")
    parser.add_argument("--score-docs", type=int, default=4000, help="synthetic documents for the scoring runs")
    parser.add_argument("--score-partitions", type=int, default=16)
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: train,compare,score")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    sizes = [int(s) for s in args.sizes.split(",") if s]
    report = {"machine": {"cpus": os.cpu_count(), "note": "shared 2-core machine; compare ratios within one run"},
              "command": " ".join([Path(sys.executable).name, *sys.argv])}
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    with tempfile.TemporaryDirectory(prefix="motion-outcome-scale-") as tmp:
        work = Path(tmp)
        report["streaming_training"] = (previous.get("streaming_training") if "train" in skip
                                        else training_scale(args.corpus, sizes, args.chunk_size, args.epochs, work))
        report["real_corpus_dev"] = (previous.get("real_corpus_dev") if "compare" in skip
                                     else real_corpus_comparison(args.corpus, work))
        if "score" in skip:
            report["dask_scoring"] = previous.get("dask_scoring")
        else:
            model_dir = work / "real-streaming"
            if not (model_dir / "metadata.json").exists():
                subprocess.run([*CLI, "train", "--streaming", "--corpus", args.corpus, "--out", str(model_dir),
                                "--eval-split", ""], check=True, cwd=REPO, capture_output=True)
            report["dask_scoring"] = scoring_throughput(model_dir, args.corpus, args.score_docs,
                                                        args.score_partitions, work)
    command = report.pop("command")  # which run produced each part (skipped parts keep theirs)
    report["commands"] = {part: (previous.get("commands", {}).get(part) if name in skip else command)
                          for part, name in (("streaming_training", "train"), ("real_corpus_dev", "compare"),
                                             ("dask_scoring", "score"))}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
