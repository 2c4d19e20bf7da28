"""Write a synthetic corpus for scale benchmarks (see training/synthetic.py; never for accuracy).

    .venv/bin/python bench/make_synthetic.py --n 100000            # -> $TMPDIR/motion-outcome-synthetic/n100000
    .venv/bin/python bench/make_synthetic.py --n 10000 --out /tmp/syn --partition-size 2000
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from training.synthetic import default_output_dir, make_synthetic  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus" / "decisions.jsonl"))
    parser.add_argument("--n", type=int, required=True, help="number of synthetic records")
    parser.add_argument("--out", default=None, help="output folder (default: a folder under the temp dir)")
    parser.add_argument("--partition-size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    out = Path(args.out) if args.out else default_output_dir(args.n)
    if out.resolve().is_relative_to(REPO):
        parser.error(f"{out} is inside the repository: synthetic files repeat corpus sentences and must not be committed")
    make_synthetic(args.corpus, args.n, out, partition_size=args.partition_size, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
