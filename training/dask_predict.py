"""Batch scoring of partitioned files on a Dask cluster: one task per input partition.

``motion-outcome predict --input 'corpus/*.jsonl' --output out/ --dask local`` (or
``--dask tcp://host:8786``). The model's files are scattered to every worker once; each worker
loads them once (through ``Predictor.from_directory``, so the same integrity and trust checks run)
and keeps the loaded predictor for every later task of that model. Each input partition gives one
output file with the same stem. A failed task is retried; a partition that still fails, or whose
output count differs from its input count, fails the run with its name: nothing is lost silently.

Input and output paths must be visible to the workers under the same names (a local cluster, or
shared storage for a remote one).
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

from model.artifact import CARD_FILE, METADATA_FILE, MODEL_FILE, read_metadata
from training.stream import expand_sources

FORMATS = ("jsonl", "parquet")
_LOADED: dict[str, Any] = {}  # per worker process: model_sha256 -> Predictor
_LOADING = threading.Lock()


class PartitionError(RuntimeError):
    """Partitions that could not be scored; the message names each one and why."""


# -- model shipping ------------------------------------------------------------------------------
def model_blob(model_dir: str | Path) -> dict[str, Any]:
    """The model directory as bytes, to scatter once to every worker."""
    model_dir = Path(model_dir)
    metadata = read_metadata(model_dir)
    files = {name: (model_dir / name).read_bytes() for name in (MODEL_FILE, METADATA_FILE, CARD_FILE)
             if (model_dir / name).is_file()}
    return {"sha256": metadata.get("model_sha256", ""), "files": files}


def _predictor(blob: dict[str, Any]):
    """The worker's predictor for ``blob``, loaded at most once per process."""
    from model.predict import Predictor

    key = blob["sha256"]
    with _LOADING:
        if key not in _LOADED:
            with tempfile.TemporaryDirectory(prefix="motion-outcome-model-") as tmp:
                for name, data in blob["files"].items():
                    Path(tmp, name).write_bytes(data)
                _LOADED[key] = Predictor.from_directory(tmp)
        return _LOADED[key]


# -- one partition -------------------------------------------------------------------------------
def output_path(input_path: str | Path, output_dir: str | Path, fmt: str) -> Path:
    return Path(output_dir) / f"{Path(input_path).stem}.{fmt}"


def score_partition(input_path: str, output_file: str, fmt: str, blob: dict[str, Any],
                    batch_size: int = 256, skip_invalid: bool = False,
                    options: dict[str, bool] | None = None) -> dict[str, Any]:
    """Score one partition and write its output atomically; runs on a worker.
    ``options``: keyword arguments of ``Predictor.predict`` (with_citations, with_metadata)."""
    from model.predict import Document
    from training.corpus import read_corpus

    started = time.perf_counter()
    predictor = _predictor(blob)
    corpus = read_corpus(input_path, skip_invalid=skip_invalid)
    rows: list[dict] = []
    for lo in range(0, len(corpus.records), batch_size):
        batch = corpus.records[lo:lo + batch_size]
        rows.extend(predictor.predict([Document(r.id, r.text) for r in batch], **(options or {})))
    write_rows(rows, output_file, fmt)
    return {"input": input_path, "output": output_file, "records": len(corpus.records), "written": len(rows),
            "skipped": [str(e) for e in corpus.skipped], "seconds": round(time.perf_counter() - started, 3)}


def write_rows(rows: list[dict], path: str | Path, fmt: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        if fmt == "jsonl":
            with open(tmp, "w", encoding="utf-8") as handle:
                for row in rows:
                    handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        elif fmt == "parquet":
            import pyarrow.parquet as pq
            pq.write_table(_arrow_table(rows), tmp)
        else:
            raise ValueError(f"unknown output format '{fmt}' (expected one of: {', '.join(FORMATS)})")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _arrow_schema():
    import pyarrow as pa
    evidence = pa.list_(pa.struct([("text", pa.string()), ("start", pa.int64()), ("end", pa.int64())]))
    return pa.schema([
        ("id", pa.string()), ("disposition", pa.string()),
        ("disposition_probabilities", pa.map_(pa.string(), pa.float64())),
        ("disposition_evidence", evidence),
        ("reasons", pa.list_(pa.struct([("label", pa.string()), ("probability", pa.float64()),
                                        ("evidence", evidence)]))),
        ("motion_type", pa.string()), ("motion_type_probability", pa.float64()),
        ("needs_review", pa.bool_()), ("model_version", pa.string()),
    ])


def _arrow_table(rows: list[dict]):
    """Typed columns for the contract's keys; keys added to the contract later are kept as JSON text."""
    import pyarrow as pa
    schema = _arrow_schema()
    known = set(schema.names)
    extra = sorted({k for row in rows for k in row} - known)
    columns = {name: [row.get(name) for row in rows] for name in schema.names}
    columns["disposition_probabilities"] = [list(p.items()) if p is not None else None
                                            for p in columns["disposition_probabilities"]]
    table = pa.table(columns, schema=schema)
    for name in extra:
        table = table.append_column(name, pa.array([json.dumps(row.get(name)) for row in rows], pa.string()))
    return table


def count_rows(path: str | Path, fmt: str) -> int:
    """Rows in an output file, read back from disk (a truncated or unreadable file raises)."""
    if fmt == "parquet":
        import pyarrow.parquet as pq
        return pq.ParquetFile(path).metadata.num_rows
    with open(path, encoding="utf-8") as handle:
        return sum(1 for line in handle if json.loads(line) is not None)


# -- the run -------------------------------------------------------------------------------------
def connect(dask: str, workers: int | None = None, processes: bool = True):
    """A client for ``'local'`` (a new local cluster, closed with the client) or a scheduler address."""
    from distributed import Client, LocalCluster

    if dask == "local":
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                               processes=processes, host="127.0.0.1" if processes else None,
                               scheduler_port=0, dashboard_address=":0")
        client = Client(cluster)
        client._motion_outcome_cluster = cluster
        return client
    if dask.startswith(("tcp://", "tls://", "ucx://", "inproc://")):
        return Client(dask)
    raise ValueError(f"--dask must be 'local' or a scheduler address like tcp://host:8786, not '{dask}'")


def predict_partitions(inputs: str | Path | list, output_dir: str | Path, model_dir: str | Path, *,
                       dask: str = "local", fmt: str = "jsonl", workers: int | None = None,
                       processes: bool = True, retries: int = 2, batch_size: int = 256,
                       skip_invalid: bool = False, options: dict[str, bool] | None = None, client=None,
                       progress: Callable[[str], None] = print) -> dict[str, Any]:
    """Score every partition of ``inputs`` into ``output_dir``; raise ``PartitionError`` naming the
    partitions that failed or whose output count does not match their input."""
    from distributed import as_completed

    if fmt not in FORMATS:
        raise ValueError(f"unknown output format '{fmt}' (expected one of: {', '.join(FORMATS)})")
    files = [str(p) for p in expand_sources(inputs)]
    stems: dict[str, str] = {}
    for f in files:
        if Path(f).stem in stems:
            raise PartitionError(f"partitions {stems[Path(f).stem]} and {f} would write the same output "
                                 f"{output_path(f, output_dir, fmt)}: give partitions distinct names")
        stems[Path(f).stem] = f
    blob = model_blob(model_dir)
    own_client = client is None
    client = client or connect(dask, workers, processes)
    started = time.perf_counter()
    try:
        n_workers = len(client.nthreads())
        progress(f"scoring {len(files)} partitions on {n_workers} Dask workers ({dask})")
        # One object in a list: a dict passed alone is scattered value by value under its own keys
        # ('sha256', 'files'), which two runs on one cluster would share, and race on.
        [shipped] = client.scatter([blob], broadcast=True, hash=False)
        futures = {client.submit(score_partition, f, str(output_path(f, output_dir, fmt)), fmt, shipped,
                                 batch_size, skip_invalid, options, retries=retries, pure=False,
                                 key=f"score-{Path(f).stem}-{os.urandom(4).hex()}"): f for f in files}
        results, failed = [], {}
        for done, future in enumerate(as_completed(futures), start=1):
            name = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # the task's own error, or the cluster's (lost, cancelled)
                failed[name] = f"{type(exc).__name__}: {exc}"
                progress(f"partition {done}/{len(files)} FAILED after {retries} retries: {name}: {failed[name]}")
                continue
            results.append(result)
            progress(f"partition {done}/{len(files)}: {name} -> {result['written']} rows "
                     f"({result['seconds']:.1f} s)")
    finally:
        if own_client:
            cluster = getattr(client, "_motion_outcome_cluster", None)
            client.close()
            if cluster is not None:
                cluster.close()
    seconds = time.perf_counter() - started
    failed.update(_check_outputs(results, fmt))
    records = sum(r["records"] for r in results)
    skipped = [s for r in results for s in r["skipped"]]
    if failed:
        listing = "; ".join(f"{name}: {why}" for name, why in sorted(failed.items()))
        raise PartitionError(f"{len(failed)} of {len(files)} partitions have no complete output "
                             f"(inputs: {', '.join(sorted(failed))}): {listing}")
    progress(f"wrote {records} predictions in {len(files)} partitions to {output_dir} in {seconds:.1f} s "
             f"({records / max(seconds, 1e-9):.0f} docs/s)" + (f"; skipped {len(skipped)} invalid" if skipped else ""))
    return {"partitions": len(files), "records": records, "skipped": skipped, "seconds": round(seconds, 3),
            "workers": n_workers, "results": results}


def _check_outputs(results: list[dict], fmt: str) -> dict[str, str]:
    """The final count check, read back from the files: output rows == input records."""
    problems = {}
    for r in results:
        try:
            found = count_rows(r["output"], fmt)
        except FileNotFoundError:
            problems[r["input"]] = f"output {r['output']} is missing"
            continue
        except Exception as exc:  # an unreadable output is as lost as a missing one
            problems[r["input"]] = f"output {r['output']} is unreadable ({type(exc).__name__}: {exc})"
            continue
        if found != r["records"]:
            problems[r["input"]] = f"output {r['output']} has {found} rows for {r['records']} input records"
    return problems


def run_from_args(args, say: Callable[[str], None]) -> int:
    """``motion-outcome predict --dask ...``."""
    if args.batch_size < 1:
        raise SystemExit("error: --batch-size must be at least 1")
    if args.output == "-":
        raise SystemExit("error: with --dask, --output is a directory (one output file per input partition)")
    options = {k: True for k, flag in (("with_citations", "citations"), ("with_metadata", "metadata"))
               if getattr(args, flag, False)}
    try:
        predict_partitions(args.input, args.output, args.model, dask=args.dask, fmt=args.format,
                           workers=args.workers, retries=args.retries, batch_size=args.batch_size,
                           skip_invalid=args.skip_invalid, options=options, progress=say)
    except (PartitionError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
