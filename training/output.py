"""Write JSONL so that a crash never leaves a truncated file that looks finished."""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path


class AtomicJsonl:
    """Context manager: rows go to a temporary file renamed over ``path`` on success ('-': stdout)."""

    def __init__(self, path: str | Path):
        self.path = str(path)

    def __enter__(self) -> "AtomicJsonl":
        if self.path == "-":
            self._handle = sys.stdout
        else:
            target = Path(self.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, self._tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            self._handle = os.fdopen(fd, "w", encoding="utf-8")
        return self

    def write(self, row: dict) -> None:
        self._handle.write(json.dumps(row, ensure_ascii=False) + "\n")

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.path == "-":
            self._handle.flush()
            return
        self._handle.close()
        if exc_type is None:
            os.replace(self._tmp, self.path)
        else:
            os.unlink(self._tmp)
