"""Where a text came from, in one shape for every source: source, url or path, retrieval time,
content hash. The hash is of the bytes as retrieved, so a changed upstream file is noticed."""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any


def sha256_of(content: bytes | str) -> str:
    if isinstance(content, str):
        content = content.encode("utf-8")
    return hashlib.sha256(content).hexdigest()


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def provenance(source: str, content: bytes | str, *, url: str | None = None, path: str | None = None,
               retrieved_at: str | None = None, **extra: Any) -> dict[str, Any]:
    if url is None and path is None:
        raise ValueError("provenance needs a url or a path")
    record: dict[str, Any] = {"source": source}
    if url is not None:
        record["url"] = url
    if path is not None:
        record["path"] = path
    record["retrieved_at"] = retrieved_at or utc_now()
    record["sha256"] = sha256_of(content)
    record.update({k: v for k, v in extra.items() if v is not None})
    return record
