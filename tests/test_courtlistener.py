"""The CourtListener client against recorded responses (tests/fixtures/courtlistener, shaped like
the v4 API's documented responses): paging, text extraction, retries, errors, resuming. No network."""
from __future__ import annotations

import bz2
import json
from pathlib import Path

import httpx
import pytest

from training.sources.courtlistener import CourtListenerClient, CourtListenerError
from training.sources.courtlistener_bulk import BulkOpinions
from training.sources.courtlistener_harvest import harvest, read_downloads

FIXTURES = Path(__file__).parent / "fixtures" / "courtlistener"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


class RecordedAPI:
    """Serves the fixtures by path; ``script`` maps a path to responses to give first (then the fixture)."""

    def __init__(self, script: dict[str, list] | None = None):
        self.script = {k: list(v) for k, v in (script or {}).items()}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        queued = self.script.get(path)
        if queued:
            step = queued.pop(0)
            if isinstance(step, Exception):
                raise step
            return step
        if path.endswith("/search/"):
            kind = request.url.params.get("type")
            if kind == "r":
                return httpx.Response(200, json=fixture("search_recap_page1.json"))
            page = 2 if "cursor" in request.url.params else 1
            return httpx.Response(200, json=fixture(f"search_opinions_page{page}.json"))
        for prefix, name in (("/api/rest/v4/opinions/", "opinion_{}.json"),
                             ("/api/rest/v4/recap-documents/", "recap_document_{}.json")):
            if path.startswith(prefix):
                file = FIXTURES / name.format(path[len(prefix):].strip("/"))
                if file.exists():
                    return httpx.Response(200, json=json.loads(file.read_text()))
        return httpx.Response(404, json={"detail": "Not found."})

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


def client(api: RecordedAPI, sleeps: list | None = None, **kwargs) -> CourtListenerClient:
    sleeps = sleeps if sleeps is not None else []
    return CourtListenerClient("test-token", transport=httpx.MockTransport(api), sleep=sleeps.append, **kwargs)


def test_harvest_follows_the_cursor_and_keeps_text_and_provenance(tmp_path):
    api = RecordedAPI()
    report = harvest(client(api), '"compassionate release"', tmp_path / "dl.jsonl", tmp_path / "state.json", court="ksd")
    assert report.fetched == 3 and report.finished
    docs = list(read_downloads(tmp_path / "dl.jsonl"))
    assert [d.id for d in docs] == ["cl-opinion-9200001", "cl-opinion-9200002", "cl-opinion-9200003"]
    assert all(r.headers["Authorization"] == "Token test-token" for r in api.requests)
    first = api.requests[0].url
    assert first.params["q"] == '"compassionate release"' and first.params["court"] == "ksd" and first.params["type"] == "o"
    hollis = docs[0]
    assert "DENIED" in hollis.text and "<pre" not in hollis.text and "§ 3582" in hollis.text
    assert hollis.fields["court"] == "D. Kan." and hollis.fields["date"] == "2023-04-04"
    assert hollis.provenance["source"] == "courtlistener-opinion"
    assert hollis.provenance["url"] == "https://www.courtlistener.com/opinion/9100001/x/"
    assert len(hollis.provenance["sha256"]) == 64 and hollis.provenance["retrieved_at"].endswith("Z")
    assert docs[1].provenance["text_field"] == "plain_text" and "GRANTED" in docs[1].text
    assert "DISMISSED" in docs[2].text and "<p>" not in docs[2].text


def test_recap_search_fetches_recap_document_text(tmp_path):
    api = RecordedAPI()
    harvest(client(api), "compassionate release", tmp_path / "dl.jsonl", tmp_path / "s.json", type="r")
    (doc,) = list(read_downloads(tmp_path / "dl.jsonl"))
    assert doc.id == "cl-recap-81000001" and "DENIED" in doc.text
    assert doc.fields["court"] == "S.D.N.Y." and doc.provenance["source"] == "courtlistener-recap"
    assert "/api/rest/v4/recap-documents/81000001/" in api.paths()


def test_bad_token_is_a_clear_error_without_retries():
    api = RecordedAPI({"/api/rest/v4/opinions/1/": [httpx.Response(401, json=fixture("error_401.json"))]})
    with pytest.raises(CourtListenerError, match=r"rejected the API token \(HTTP 401: Invalid token\.\).*COURTLISTENER_API_TOKEN"):
        client(api).opinion(1)
    assert len(api.requests) == 1


def test_missing_token_names_the_variable(monkeypatch):
    monkeypatch.delenv("COURTLISTENER_API_TOKEN", raising=False)
    with pytest.raises(CourtListenerError, match="COURTLISTENER_API_TOKEN"):
        CourtListenerClient(transport=httpx.MockTransport(RecordedAPI()))


def test_token_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("COURTLISTENER_API_TOKEN", "env-token")
    api = RecordedAPI()
    CourtListenerClient(transport=httpx.MockTransport(api)).opinion(9200001)
    assert api.requests[0].headers["Authorization"] == "Token env-token"


def test_rate_limit_waits_as_retry_after_says_then_retries():
    throttled = httpx.Response(429, json=fixture("error_429.json"), headers={"Retry-After": "7"})
    api = RecordedAPI({"/api/rest/v4/opinions/9200001/": [throttled, throttled]})
    sleeps: list[float] = []
    opinion = client(api, sleeps).opinion(9200001)
    assert opinion["id"] == 9200001
    assert sleeps == [7.0, 7.0] and len(api.requests) == 3


def test_rate_limit_without_retry_after_backs_off_and_gives_up_eventually():
    api = RecordedAPI({"/api/rest/v4/opinions/5/": [httpx.Response(429, json=fixture("error_429.json"))] * 4})
    sleeps: list[float] = []
    with pytest.raises(CourtListenerError, match="still rate-limited"):
        client(api, sleeps, max_rate_limit_waits=3, backoff=1.0).opinion(5)
    assert sleeps == [1.0, 2.0, 4.0]


def test_server_errors_back_off_exponentially_then_succeed():
    api = RecordedAPI({"/api/rest/v4/opinions/9200002/": [httpx.Response(502), httpx.Response(503)]})
    sleeps: list[float] = []
    assert client(api, sleeps, backoff=1.5).opinion(9200002)["id"] == 9200002
    assert sleeps == [1.5, 3.0]


def test_server_errors_that_persist_end_in_a_clear_error():
    api = RecordedAPI({"/api/rest/v4/opinions/7/": [httpx.Response(503)] * 10})
    sleeps: list[float] = []
    with pytest.raises(CourtListenerError, match=r"failed 4 times, giving up: server error HTTP 503"):
        client(api, sleeps, max_retries=3, backoff=1.0).opinion(7)
    assert sleeps == [1.0, 2.0, 4.0] and len(api.requests) == 4


def test_timeouts_are_retried_then_reported():
    timeout = httpx.ReadTimeout("read timed out")
    api = RecordedAPI({"/api/rest/v4/opinions/9200003/": [timeout]})
    assert client(api).opinion(9200003)["id"] == 9200003
    api = RecordedAPI({"/api/rest/v4/opinions/8/": [timeout] * 5})
    with pytest.raises(CourtListenerError, match="timed out"):
        client(api, max_retries=2).opinion(8)


def test_malformed_json_is_retried_then_reported():
    broken = httpx.Response(200, text='{"id": 9200001, "plain_text": "cut sho', headers={"Content-Type": "application/json"})
    api = RecordedAPI({"/api/rest/v4/opinions/9200001/": [broken]})
    assert client(api).opinion(9200001)["id"] == 9200001
    api = RecordedAPI({"/api/rest/v4/opinions/9/": [httpx.Response(200, text="<html>maintenance</html>")] * 5})
    with pytest.raises(CourtListenerError, match="malformed JSON"):
        client(api, max_retries=2).opinion(9)


def test_an_interrupted_download_resumes_where_it_stopped(tmp_path):
    downloads, state = tmp_path / "dl.jsonl", tmp_path / "state.json"
    # The second page keeps failing: the run stops with an error after the first page's documents.
    failing = RecordedAPI({"/api/rest/v4/opinions/9200003/": [httpx.Response(500)] * 10})
    with pytest.raises(CourtListenerError):
        harvest(client(failing, max_retries=1), "q", downloads, state)
    assert [d.id for d in read_downloads(downloads)] == ["cl-opinion-9200001", "cl-opinion-9200002"]
    saved = json.loads(state.read_text())
    assert "cursor=" in saved["next"] and not saved["finished"]
    # A crash mid-write leaves half a line: it is dropped, not glued to the next document.
    downloads.write_bytes(downloads.read_bytes() + b'{"id": "cl-opinion-92')
    working = RecordedAPI()
    report = harvest(client(working), "q", downloads, state)
    assert report.fetched == 1 and report.already_done == 2 and report.finished
    assert [d.id for d in read_downloads(downloads)] == ["cl-opinion-9200001", "cl-opinion-9200002", "cl-opinion-9200003"]
    assert "/api/rest/v4/opinions/9200001/" not in working.paths()
    # Finished: a third run fetches nothing.
    again = RecordedAPI()
    assert harvest(client(again), "q", downloads, state).fetched == 0 and again.requests == []


def test_max_documents_pauses_and_a_rerun_continues(tmp_path):
    downloads, state = tmp_path / "dl.jsonl", tmp_path / "state.json"
    assert harvest(client(RecordedAPI()), "q", downloads, state, max_documents=1).fetched == 1
    assert harvest(client(RecordedAPI()), "q", downloads, state, max_documents=1).fetched == 1
    assert harvest(client(RecordedAPI()), "q", downloads, state).fetched == 1
    assert len(list(read_downloads(downloads))) == 3


def test_a_state_file_of_another_search_is_refused(tmp_path):
    harvest(client(RecordedAPI()), "q", tmp_path / "dl.jsonl", tmp_path / "state.json", max_documents=1)
    with pytest.raises(CourtListenerError, match="another search"):
        harvest(client(RecordedAPI()), "other query", tmp_path / "dl.jsonl", tmp_path / "state.json")


def test_documents_without_text_are_reported_not_lost(tmp_path):
    api = RecordedAPI({"/api/rest/v4/opinions/9200002/": [httpx.Response(404, json={"detail": "Not found."})]})
    report = harvest(client(api), "q", tmp_path / "dl.jsonl", tmp_path / "state.json")
    assert report.fetched == 2 and "cl-opinion-9200002" in report.failed
    assert "cl-opinion-9200002" in json.loads((tmp_path / "state.json").read_text())["failed"]


@pytest.mark.parametrize("compress", [False, True])
def test_bulk_csv_selects_matching_opinions_and_counts_every_row(tmp_path, compress):
    path = FIXTURES / "opinions-sample.csv"
    if compress:
        path = tmp_path / "opinions-sample.csv.bz2"
        path.write_bytes(bz2.compress((FIXTURES / "opinions-sample.csv").read_bytes()))
    reader = BulkOpinions(path, match=r"3582\(c\)\(1\)\(A\)")
    docs = list(reader)
    assert [d.id for d in docs] == ["cl-opinion-9300001", "cl-opinion-9300002"]
    assert "GRANTED" in docs[0].text and '"though commendable,"' in docs[1].text and "<pre" not in docs[1].text
    assert docs[0].provenance["source"] == "courtlistener-bulk" and docs[0].fields["cluster_id"] == "9100100"
    assert dict(reader.counts) == {"rows": 4, "selected": 2, "not matching": 2}
    everything = BulkOpinions(path)
    assert len(list(everything)) == 3 and everything.counts["no text"] == 1


def test_a_csv_that_is_not_an_opinions_file_is_an_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    (error,) = list(BulkOpinions(path))
    assert "not a CourtListener opinions file" in str(error)


def test_a_decision_downloaded_and_also_on_disk_is_merged_in_the_build(tmp_path):
    from training.build.builder import build_corpus
    from training.corpus import read_corpus
    from training.sources.folder import read_folder

    harvest(client(RecordedAPI()), "q", tmp_path / "dl.jsonl", tmp_path / "state.json")
    folder = tmp_path / "files"
    folder.mkdir()
    marsh = fixture("opinion_9200002.json")["plain_text"]
    (folder / "marsh.txt").write_text("Page 1\n\n" + marsh.replace("ORDER", "ORDER (filed copy)"), encoding="utf-8")
    report = build_corpus([read_downloads(tmp_path / "dl.jsonl"), read_folder(folder)], tmp_path / "corpus.jsonl")
    records = {r.id: r for r in read_corpus(tmp_path / "corpus.jsonl").records}
    (merged,) = report.duplicates
    assert {merged["kept"], merged["merged"][0]["id"]} == {"marsh", "cl-opinion-9200002"}
    assert merged["merged"][0]["kind"] == "near" and len(records) == 3
    kept = records[merged["kept"]]  # the longer text; fields it lacks come from the copy
    sources = {kept.fields["provenance"]["source"], kept.fields["duplicates"][0]["provenance"]["source"]}
    assert sources == {"courtlistener-opinion", "folder"} and kept.fields["court"] == "D. Kan."
