"""A resumable CourtListener download: search, then fetch each hit's text into a downloads file.

The downloads file (JSONL, one document a line, appended as each arrives) is the record of what
is done; the state file keeps the search, the cursor URL of the page in progress and the
documents that could not be fetched. A rerun with the same search skips what is done and goes on
from that page; a crash loses at most the document being fetched.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from model.documents import DocumentError
from training.build.document import SourceDocument
from training.corpus import CorpusError, jsonl_rows
from training.sources.courtlistener import CourtListenerClient, CourtListenerError, NotFound, fetch_document, targets


@dataclass
class HarvestReport:
    fetched: int = 0
    already_done: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    finished: bool = False


def _save_state(path: Path, state: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state, indent=2) + "\n")
    os.replace(tmp, path)


def _done_ids(downloads: Path) -> set[str]:
    """Ids already downloaded. A last line cut short by a crash is removed, so appends stay valid."""
    if not downloads.exists():
        return set()
    data = downloads.read_bytes()
    if data and not data.endswith(b"\n"):
        data = data[:data.rfind(b"\n") + 1]
        downloads.write_bytes(data)
    return {json.loads(line)["id"] for line in data.decode("utf-8").splitlines() if line.strip()}


def harvest(client: CourtListenerClient, query: str, downloads: str | Path, state_path: str | Path, *,
            court: str | None = None, type: str = "o", max_documents: int | None = None,
            progress: Callable[[str], None] = lambda message: None) -> HarvestReport:
    downloads, state_path = Path(downloads), Path(state_path)
    search = {"query": query, "court": court, "type": type}
    if state_path.exists():
        state = json.loads(state_path.read_text())
        if state.get("search") != search:
            raise CourtListenerError(f"state file {state_path} belongs to another search ({state.get('search')}); "
                                     "use another state file, or delete it to start over")
    else:
        state = {"search": search, "next": client.search_url(query, court=court, type=type),
                 "failed": {}, "finished": False}
        state_path.parent.mkdir(parents=True, exist_ok=True)
        _save_state(state_path, state)
    report = HarvestReport(failed=dict(state["failed"]), finished=state["finished"])
    done = _done_ids(downloads)
    report.already_done = len(done)
    if state["finished"]:
        progress(f"CourtListener search already complete ({len(done)} documents in {downloads})")
        return report
    if done:
        progress(f"resuming: {len(done)} documents already in {downloads}")
    downloads.parent.mkdir(parents=True, exist_ok=True)
    with downloads.open("a", encoding="utf-8") as sink:
        for _url, page in client.search_pages(state["next"]):
            for result in page.get("results", []):
                for target in targets(result, type):
                    if target.id in done or target.id in state["failed"]:
                        continue
                    if max_documents is not None and report.fetched >= max_documents:
                        progress(f"stopped after {report.fetched} documents (--max-documents); rerun to continue")
                        return report
                    try:
                        document = fetch_document(client, target)
                    except (NotFound, DocumentError) as exc:
                        state["failed"][target.id] = str(exc)
                        report.failed[target.id] = str(exc)
                        _save_state(state_path, state)
                        progress(f"skipped {target.id}: {exc}")
                        continue
                    sink.write(json.dumps(document.to_row(), ensure_ascii=False) + "\n")
                    sink.flush()
                    done.add(target.id)
                    report.fetched += 1
            progress(f"CourtListener: {report.fetched} fetched this run, {len(done)} in total "
                     f"(of about {page.get('count', '?')} results)")
            state["next"] = page.get("next")
            state["finished"] = not state["next"]
            _save_state(state_path, state)
    report.finished = state["finished"]
    return report


def read_downloads(path: str | Path) -> Iterator[SourceDocument | CorpusError]:
    """Documents of a downloads file, as the build reads them (their text still to be cleaned)."""
    path = Path(path)
    for number, row in jsonl_rows(path):
        if isinstance(row, CorpusError):
            yield row
            continue
        try:
            fields = {k: v for k, v in row.items() if k not in ("id", "text", "provenance")}
            yield SourceDocument(id=row["id"], text=row["text"], provenance=row["provenance"], fields=fields)
        except (KeyError, TypeError, AttributeError) as exc:
            yield CorpusError(path, number, f"unreadable download line ({type(exc).__name__})")
