"""Train/dev splits. A corpus that names its split keeps it; one that does not gets a split by
hashing the group, so that copies of one decision land on the same side and the split never
changes when records are added."""
from __future__ import annotations

import hashlib

from training.corpus import Record


def split_of(record: Record, dev_fraction: float = 0.2) -> str:
    if record.split:
        return str(record.split)
    bucket = int(hashlib.sha256(record.group.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "dev" if bucket < dev_fraction else "train"


def select(records: list[Record], split: str | None, dev_fraction: float = 0.2) -> list[Record]:
    """Records of ``split`` (``None`` or ``'all'``: every record)."""
    if split in (None, "all"):
        return list(records)
    return [r for r in records if split_of(r, dev_fraction) == split]
