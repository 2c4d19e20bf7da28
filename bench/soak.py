"""Soak test: /v1/predict at a steady request rate for a long time (5 minutes by default), counting
errors and watching the resident memory (RSS) of the server processes.

    .venv/bin/python bench/soak.py [--seconds 300] [--rate 10] [--workers 1] [--model model/default]

Open loop: requests are sent on a fixed schedule whatever the answers' speed, so a slowing server
shows up as growing latency rather than as a lower rate. RSS growth is measured from the end of a
warm-up (the first 10% of the run, at least 10 s) to the end, summed over the serve process and
its workers. Goal: no errors, growth under 10%. Writes bench/results/soak.json.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import DEFAULT_CORPUS, DEFAULT_MODEL, REPO, Server, percentiles, typical_texts  # noqa: E402

OUT = REPO / "bench" / "results" / "soak.json"


def say(message: str) -> None:
    print(f"[soak] {message}", file=sys.stderr, flush=True)


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


async def soak(server: Server, bodies: list[dict], rate: float, seconds: float, sample_every: float) -> dict:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    samples: list[dict] = []
    pids = server.pids()
    pending: set[asyncio.Task] = set()
    async with httpx.AsyncClient(base_url=server.base, timeout=30,
                                 limits=httpx.Limits(max_connections=64, max_keepalive_connections=64)) as http:

        async def one(body: dict) -> None:
            sent = time.perf_counter()
            try:
                response = await http.post("/v1/predict", json=body)
                key = None if response.status_code == 200 else str(response.status_code)
            except httpx.HTTPError as exc:
                key = type(exc).__name__
            if key is None:
                latencies.append(time.perf_counter() - sent)
            else:
                errors[key] = errors.get(key, 0) + 1

        started = time.perf_counter()
        next_sample, sent = started, 0
        while (now := time.perf_counter()) - started < seconds:
            if now >= next_sample:
                samples.append({"t": round(now - started, 1), "rss_mb": round(rss_bytes(pids) / 2**20, 1),
                                "answered": len(latencies), "errors": sum(errors.values())})
                say(f"t={samples[-1]['t']:>6.1f} s  rss {samples[-1]['rss_mb']} MB  answered {len(latencies)}  "
                    f"errors {sum(errors.values())}  in flight {len(pending)}")
                next_sample += sample_every
            task = asyncio.create_task(one(bodies[sent % len(bodies)]))
            pending.add(task)
            task.add_done_callback(pending.discard)
            sent += 1
            await asyncio.sleep(max(0.0, started + sent / rate - time.perf_counter()))
        await asyncio.gather(*pending)
        elapsed = time.perf_counter() - started
        samples.append({"t": round(elapsed, 1), "rss_mb": round(rss_bytes(pids) / 2**20, 1),
                        "answered": len(latencies), "errors": sum(errors.values())})
    warm = max(10.0, 0.1 * seconds)
    baseline = next((s for s in samples if s["t"] >= warm), samples[0])
    growth = (samples[-1]["rss_mb"] - baseline["rss_mb"]) / baseline["rss_mb"]
    return {"sent": sent, "answered": len(latencies), "errors": errors, "seconds": round(elapsed, 1),
            "achieved_rate": round(len(latencies) / elapsed, 1), **percentiles(latencies),
            "rss_mb_after_warmup": baseline["rss_mb"], "rss_mb_end": samples[-1]["rss_mb"],
            "rss_growth": round(growth, 4), "samples": samples}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(DEFAULT_MODEL))
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--rate", type=float, default=10.0, help="requests per second, steady")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--docs", type=int, default=200, help="distinct typical documents to cycle through")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args(argv)
    texts = typical_texts(Path(args.corpus), args.docs)
    bodies = [{"id": str(i), "text": t} for i, t in enumerate(texts)]
    say(f"{len(texts)} typical documents; {args.rate} req/s for {args.seconds:.0f} s, {args.workers} worker(s)")
    with Server(Path(args.model), args.workers) as server:
        say(f"server ready in {server.ready_seconds:.1f} s")
        result = asyncio.run(soak(server, bodies, args.rate, args.seconds, sample_every=max(5.0, args.seconds / 60)))
    result = {"settings": {"rate": args.rate, "seconds": args.seconds, "workers": args.workers,
                           "documents": len(texts), "model": args.model},
              "machine": {"cpus": os.cpu_count(), "loadavg_end": os.getloadavg()}, **result,
              "ok": not result["errors"] and result["rss_growth"] < 0.10}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    say(f"{result['answered']}/{result['sent']} answered, errors {result['errors']}, p50 {result['p50_ms']} ms, "
        f"p99 {result['p99_ms']} ms, RSS {result['rss_mb_after_warmup']} -> {result['rss_mb_end']} MB "
        f"({result['rss_growth']:+.1%}); wrote {out}")
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
