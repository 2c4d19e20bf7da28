"""Load test of the HTTP service on loopback: requests/s and latency percentiles for /v1/predict at
1, 8 and 32 concurrent clients, with 1 and 2 server workers, and documents/s through
/v1/predict/batch compared with in-process ``Predictor.predict`` on the same documents.

    .venv/bin/python bench/load.py [--model model/default] [--seconds 8] [--corpus PATH]

Starts its own servers (``motion-outcome serve`` on a free 127.0.0.1 port) and stops them; every
cell runs for a fixed time, so the whole run is bounded (about 10 cells x --seconds plus start-ups).
Documents are typical corpus decisions (lengths between the 25th and 75th percentile), read at run
time. The load generator (httpx, asyncio) shares the machine's cores with the server, so absolute
numbers understate a server with its own machine; compare ratios within one run.
Writes bench/results/load.json.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "decisions.jsonl"
DEFAULT_MODEL = REPO / "model" / "default"
OUT = REPO / "bench" / "results" / "load.json"


def say(message: str) -> None:
    print(f"[load] {message}", file=sys.stderr, flush=True)


def typical_texts(corpus: Path, n: int, seed: int = 0) -> list[str]:
    """``n`` decision texts of typical length (interquartile range), chosen reproducibly."""
    texts = [json.loads(line)["text"] for line in corpus.open(encoding="utf-8") if line.strip()]
    lengths = sorted(len(t) for t in texts)
    lo, hi = lengths[len(lengths) // 4], lengths[3 * len(lengths) // 4]
    typical = [t for t in texts if lo <= len(t) <= hi and t.strip()]
    return random.Random(seed).sample(typical, min(n, len(typical)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``motion-outcome serve`` in a subprocess on loopback; a context manager that always stops it."""

    def __init__(self, model: Path, workers: int, extra_env: dict[str, str] | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, **(extra_env or {})}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "motion_outcome.cli", "serve", "--model", str(model), "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", str(workers), "--log-level", "warning"],
            env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def __enter__(self) -> "Server":
        started = time.perf_counter()
        while time.perf_counter() - started < 600:
            if self.process.poll() is not None:
                raise SystemExit(f"server exited with {self.process.returncode} before it was ready")
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    self.ready_seconds = time.perf_counter() - started
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        self.stop()
        raise SystemExit("server not ready after 600 s")

    def pids(self) -> list[int]:
        """The serve process and its children (uvicorn workers)."""
        found = [self.process.pid]
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    stat = Path(f"/proc/{pid}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    found.append(int(pid))
        return found

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __exit__(self, *exc) -> None:
        self.stop()


def percentiles(latencies: list[float]) -> dict[str, float]:
    if len(latencies) < 2:
        return {"p50_ms": float("nan"), "p95_ms": float("nan"), "p99_ms": float("nan")}
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"p50_ms": round(q[49] * 1000, 2), "p95_ms": round(q[94] * 1000, 2), "p99_ms": round(q[98] * 1000, 2)}


async def closed_loop(base: str, path: str, bodies: list[dict], clients: int, seconds: float) -> dict:
    """``clients`` concurrent clients, each sending its next request as soon as the last one is
    answered, for ``seconds``."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        deadline = time.perf_counter() + seconds

        async def client(k: int) -> None:
            i = k
            while time.perf_counter() < deadline:
                body = bodies[i % len(bodies)]
                i += clients
                sent = time.perf_counter()
                try:
                    response = await http.post(path, json=body)
                    ok = response.status_code == 200
                    key = str(response.status_code)
                except httpx.HTTPError as exc:
                    ok, key = False, type(exc).__name__
                if ok:
                    latencies.append(time.perf_counter() - sent)
                else:
                    errors[key] = errors.get(key, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(client(k) for k in range(clients)))
        elapsed = time.perf_counter() - started
    return {"clients": clients, "seconds": round(elapsed, 2), "requests": len(latencies),
            "requests_per_s": round(len(latencies) / elapsed, 1), **percentiles(latencies), "errors": errors}


def in_process_throughput(model: Path, texts: list[str], batch_size: int, seconds: float) -> dict:
    from model.predict import Document, Predictor

    predictor = Predictor.from_directory(model)
    docs = [Document(str(i), t) for i, t in enumerate(texts)]
    predictor.predict(docs[:batch_size])  # warm-up
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        lo = done % len(docs)
        batch = (docs + docs)[lo:lo + batch_size]
        predictor.predict(batch)
        done += len(batch)
    elapsed = time.perf_counter() - started
    single = []
    for doc in docs[:50]:
        t = time.perf_counter()
        predictor.predict([doc])
        single.append(time.perf_counter() - t)
    return {"model_version": predictor.model_version, "batch_size": batch_size,
            "docs_per_s": round(done / elapsed, 1), "single_document": percentiles(single)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(DEFAULT_MODEL))
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--seconds", type=float, default=8.0, help="duration of each measurement cell")
    parser.add_argument("--docs", type=int, default=64, help="distinct typical documents to cycle through")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args(argv)
    model, corpus = Path(args.model), Path(args.corpus)
    if not corpus.is_file():
        raise SystemExit(f"error: corpus not found at {corpus}")
    texts = typical_texts(corpus, args.docs)
    say(f"{len(texts)} typical documents, {min(map(len, texts))}-{max(map(len, texts))} characters")
    singles = [{"id": str(i), "text": t} for i, t in enumerate(texts)]
    batches = [{"documents": [singles[(b + j) % len(singles)] for j in range(args.batch_size)]}
               for b in range(0, len(singles), args.batch_size)]

    say(f"in-process Predictor.predict, batches of {args.batch_size}, {args.seconds:.0f} s")
    in_process = in_process_throughput(model, texts, args.batch_size, args.seconds)
    say(f"  {in_process['docs_per_s']} docs/s; one document at a time p50 {in_process['single_document']['p50_ms']} ms")

    results = {"machine": {"cpus": os.cpu_count(), "loadavg_start": os.getloadavg()},
               "settings": {"seconds_per_cell": args.seconds, "documents": len(texts), "batch_size": args.batch_size,
                            "model": str(model), "client": f"httpx {httpx.__version__}, asyncio, one process"},
               "in_process": in_process, "servers": []}
    for workers in [int(w) for w in args.workers.split(",")]:
        say(f"starting a server with {workers} worker(s)")
        with Server(model, workers) as server:
            say(f"  ready in {server.ready_seconds:.1f} s")
            asyncio.run(closed_loop(server.base, "/v1/predict", singles, 2, 2.0))  # warm-up
            entry = {"workers": workers, "ready_seconds": round(server.ready_seconds, 1), "predict": []}
            for clients in [int(c) for c in args.clients.split(",")]:
                cell = asyncio.run(closed_loop(server.base, "/v1/predict", singles, clients, args.seconds))
                entry["predict"].append(cell)
                say(f"  /v1/predict {clients:>2} clients: {cell['requests_per_s']} req/s, p50 {cell['p50_ms']} ms, "
                    f"p95 {cell['p95_ms']} ms, p99 {cell['p99_ms']} ms, errors {cell['errors']}")
            cell = asyncio.run(closed_loop(server.base, "/v1/predict/batch", batches, workers, args.seconds))
            cell["docs_per_s"] = round(cell["requests_per_s"] * args.batch_size, 1)
            cell["vs_in_process"] = round(cell["docs_per_s"] / in_process["docs_per_s"], 3)
            entry["batch"] = cell
            say(f"  /v1/predict/batch ({args.batch_size} docs, {workers} client(s)): {cell['docs_per_s']} docs/s = "
                f"{cell['vs_in_process']:.0%} of in-process; p50 {cell['p50_ms']} ms per batch")
            results["servers"].append(entry)
    results["machine"]["loadavg_end"] = os.getloadavg()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    say(f"wrote {out}")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
