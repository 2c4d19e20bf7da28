"""A large synthetic corpus for scale benchmarks, made by resampling sentences of a labeled corpus.

Each synthetic document starts from one real training record (its opening and closing sentences,
where the ruling is stated, are kept) and has a share of its middle sentences swapped for sentences
of other records with the same disposition, so labels stay plausible and texts keep their length.
Every record is marked ``"synthetic": true``: these files exist to measure time and memory, and
must never be used to report accuracy (they repeat the source sentences). Write them to a
temporary folder, never into the repository.
"""
from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Callable

import numpy as np

from model.schema import DEFAULT_SCHEMA_PATH, load_schema
from model.sentences import sentence_spans
from training.corpus import read_corpus
from training.splits import select

KEEP_EDGE_SENTENCES = 2


def default_output_dir(n: int) -> Path:
    return Path(tempfile.gettempdir()) / "motion-outcome-synthetic" / f"n{n}"


def make_synthetic(corpus_path: str | Path, n: int, out_dir: str | Path, *, partition_size: int = 10_000,
                   swap_fraction: float = 0.5, seed: int = 0, schema_path: str | Path = DEFAULT_SCHEMA_PATH,
                   progress: Callable[[str], None] = print) -> list[Path]:
    """Write ``n`` synthetic records as ``out_dir/part-00000.jsonl``, ...; returns the files."""
    schema = load_schema(schema_path)
    sources = select(read_corpus(corpus_path, schema, require_labels=True).records, "train")
    sentences = [[r.text[s.start:s.end] for s in sentence_spans(r.text)] for r in sources]
    pool: dict[str, list[str]] = defaultdict(list)  # disposition -> middle sentences of its records
    for r, ss in zip(sources, sentences):
        pool[r.label("disposition")].extend(ss[KEEP_EDGE_SENTENCES:-KEEP_EDGE_SENTENCES])
    rng = np.random.default_rng(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("part-*.jsonl"):  # a smaller earlier run must not leave extra partitions
        stale.unlink()
    files = []
    for part, lo in enumerate(range(0, n, partition_size)):
        path = out_dir / f"part-{part:05d}.jsonl"
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "w", encoding="utf-8") as handle:
            for i in range(lo, min(n, lo + partition_size)):
                b = int(rng.integers(len(sources)))
                base, ss = sources[b], list(sentences[b])
                same = pool[base.label("disposition")]
                for k in range(KEEP_EDGE_SENTENCES, len(ss) - KEEP_EDGE_SENTENCES):
                    if same and rng.random() < swap_fraction:
                        ss[k] = same[int(rng.integers(len(same)))]
                row = {"id": f"syn-{i:08d}", "text": " ".join(ss), "synthetic": True, "source_id": base.id,
                       "split": "train", "group": f"syn-{i:08d}",
                       **{k: base.label(k) for k in ("disposition", "reasons", "motion_type", "evidence")}}
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        os.replace(tmp, path)
        files.append(path)
        progress(f"wrote {min(n, lo + partition_size)}/{n} synthetic records ({path})")
    return files
