"""The ``motion-outcome`` command: gathers the subcommands that each package registers.

Each package owns its commands (``training.cli``, ``service.cli``); this module only assembles
them, so training and the service never import each other.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMAND_MODULES = ("training.cli", "training.research_cli", "service.cli", "analysis.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="motion-outcome", description="What a court did with a motion, and why, from the decision text.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):  # a missing dependency, not a missing module
                raise
            continue
        module.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    from model.artifact import ArtifactError
    from model.documents import DocumentError
    from model.schema import SchemaError
    from training.corpus import CorpusError

    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except (CorpusError, ArtifactError, SchemaError, DocumentError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
