"""A client for CourtListener's REST API (v4): search, then the text of each opinion or RECAP
document, with what a long unattended download needs:

- the token comes from ``$COURTLISTENER_API_TOKEN`` and is sent as ``Authorization: Token ...``;
- 401/403 stop at once with a message that says what to fix;
- 429 waits as long as ``Retry-After`` says (or backs off) and tries again;
- 5xx, time-outs, dropped connections and malformed JSON are retried with exponential backoff,
  then reported clearly;
- ``harvest`` is resumable: documents are appended to a downloads file as they arrive and the
  search cursor is kept in a state file, so a rerun continues where the last one stopped.

The HTTP transport and ``sleep`` are injectable, so tests replay recorded responses and never wait.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Iterator

import httpx

from model.documents import DocumentError
from training.build.document import SourceDocument
from training.build.html_text import text_from_html
from training.build.provenance import provenance, utc_now

TOKEN_ENV = "COURTLISTENER_API_TOKEN"
BASE_URL = "https://www.courtlistener.com/api/rest/v4/"
SITE = "https://www.courtlistener.com"
# The opinion text fields, best first (CourtListener's case-law API documentation gives this order).
OPINION_TEXT_FIELDS = ("html_with_citations", "html_columbia", "html_lawbox", "xml_harvard",
                       "html_anon_2020", "html", "plain_text")


class CourtListenerError(RuntimeError):
    """A failure the user has to act on; the message says what happened and what to do."""


class NotFound(CourtListenerError):
    pass


def token_from_env() -> str:
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise CourtListenerError(f"no CourtListener API token: set {TOKEN_ENV} (your token is on "
                                 "courtlistener.com under Profile > Developer Tools > API)")
    return token


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
        if isinstance(body, dict) and "detail" in body:
            return str(body["detail"])
    except ValueError:
        pass
    return response.text[:200].strip()


class CourtListenerClient:
    def __init__(self, token: str | None = None, *, base_url: str = BASE_URL,
                 transport: httpx.BaseTransport | None = None, timeout: float = 30.0,
                 max_retries: int = 5, backoff: float = 2.0, max_backoff: float = 120.0,
                 max_rate_limit_waits: int = 20, sleep: Callable[[float], None] = time.sleep,
                 progress: Callable[[str], None] = lambda message: None):
        self.max_retries, self.backoff, self.max_backoff = max_retries, backoff, max_backoff
        self.max_rate_limit_waits = max_rate_limit_waits
        self.sleep, self.progress = sleep, progress
        self._http = httpx.Client(
            base_url=base_url, transport=transport, timeout=timeout, follow_redirects=True,
            headers={"Authorization": f"Token {token or token_from_env()}", "Accept": "application/json",
                     "User-Agent": "motion-outcome corpus builder"})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "CourtListenerClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- one request, with the retry policy ---------------------------------------------------
    def get_json(self, url: str) -> dict[str, Any]:
        failures = rate_limited = 0
        while True:
            problem: str
            try:
                response = self._http.get(url)
            except httpx.TimeoutException:
                problem = f"timed out after {self._http.timeout.read}s"
            except httpx.TransportError as exc:
                problem = f"network error ({type(exc).__name__}: {exc})"
            else:
                status = response.status_code
                if status in (401, 403):
                    what = "rejected the API token" if status == 401 else "refused access"
                    raise CourtListenerError(
                        f"CourtListener {what} (HTTP {status}: {_detail(response)}) for {response.url}; "
                        f"check {TOKEN_ENV}" + (" and that your account may use this API" if status == 403 else ""))
                if status == 404:
                    raise NotFound(f"CourtListener has no {response.url} (HTTP 404)")
                if status == 429:
                    rate_limited += 1
                    if rate_limited > self.max_rate_limit_waits:
                        raise CourtListenerError(f"still rate-limited by CourtListener after {self.max_rate_limit_waits} "
                                                 f"waits ({_detail(response)}); try again later")
                    wait = _retry_after(response)
                    wait = self._backoff(rate_limited) if wait is None else wait
                    self.progress(f"rate-limited by CourtListener; waiting {wait:.0f} s")
                    self.sleep(wait)
                    continue
                if status >= 500:
                    problem = f"server error HTTP {status}"
                elif status >= 400:
                    raise CourtListenerError(f"CourtListener refused {response.url} (HTTP {status}: {_detail(response)})")
                else:
                    try:
                        body = response.json()
                    except ValueError:
                        body = None
                    if isinstance(body, dict):
                        return body
                    problem = f"malformed JSON in the response (starts {response.text[:60]!r})"
            failures += 1
            if failures > self.max_retries:
                raise CourtListenerError(f"CourtListener request failed {failures} times, giving up: {problem} "
                                         f"(GET {url})")
            wait = self._backoff(failures)
            self.progress(f"CourtListener: {problem}; retry {failures}/{self.max_retries} in {wait:.0f} s")
            self.sleep(wait)

    def _backoff(self, attempt: int) -> float:
        return min(self.max_backoff, self.backoff * 2 ** (attempt - 1))

    # -- endpoints ----------------------------------------------------------------------------
    def search_url(self, query: str, *, court: str | None = None, type: str = "o",
                   extra: dict[str, Any] | None = None) -> str:
        params = {"q": query, "type": type, **({"court": court} if court else {}), **(extra or {})}
        return str(self._http.base_url.join("search/").copy_merge_params(params))

    def search_pages(self, url: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(url, page) for each page of results from ``url`` on, following ``next`` (a cursor URL)."""
        while url:
            page = self.get_json(url)
            yield url, page
            url = page.get("next")

    def opinion(self, opinion_id: int | str) -> dict[str, Any]:
        return self.get_json(f"opinions/{opinion_id}/")

    def recap_document(self, document_id: int | str) -> dict[str, Any]:
        return self.get_json(f"recap-documents/{document_id}/")


# -- from API objects to documents -------------------------------------------------------------
def opinion_text(opinion: dict[str, Any], name: str) -> tuple[str, str]:
    """(text, field it came from): the best populated text field, HTML turned into text."""
    for field in OPINION_TEXT_FIELDS:
        value = opinion.get(field)
        if isinstance(value, str) and value.strip():
            if field == "plain_text":
                return value, field
            try:
                return text_from_html(value, name), field
            except DocumentError:
                continue
    raise DocumentError(f"{name}: CourtListener has no text for it")


def search_fields(result: dict[str, Any]) -> dict[str, Any]:
    """Corpus fields from a search result (cluster or docket level)."""
    fields = {"court": result.get("court_citation_string") or result.get("court"),
              "court_id": result.get("court_id"), "date": (result.get("dateFiled") or "")[:10] or None,
              "case_name": result.get("caseName"), "docket_number": result.get("docketNumber")}
    return {k: v for k, v in fields.items() if v}


@dataclass
class Target:
    """One document a search result points to."""
    kind: str  # "opinion" or "recap"
    api_id: int
    fields: dict[str, Any]

    @property
    def id(self) -> str:
        return f"cl-{self.kind}-{self.api_id}"


def targets(result: dict[str, Any], type: str) -> list[Target]:
    fields = search_fields(result)
    if type == "o":
        return [Target("opinion", int(o["id"]), fields) for o in result.get("opinions", []) if o.get("id")]
    if type == "r":
        return [Target("recap", int(d["id"]), {**fields, "description": d.get("description")})
                for d in result.get("recap_documents", []) if d.get("id")]
    if type == "rd":
        return [Target("recap", int(result["id"]), {**fields, "description": result.get("description")})] \
            if result.get("id") else []
    raise CourtListenerError(f"unsupported search type '{type}' (use o, r or rd)")


def fetch_document(client: CourtListenerClient, target: Target) -> SourceDocument:
    if target.kind == "opinion":
        obj = client.opinion(target.api_id)
        text, field = opinion_text(obj, target.id)
    else:
        obj = client.recap_document(target.api_id)
        text, field = obj.get("plain_text") or "", "plain_text"
        if not text.strip():
            raise DocumentError(f"{target.id}: CourtListener has no extracted text for it "
                                f"(is_available={obj.get('is_available')}, ocr_status={obj.get('ocr_status')})")
    absolute = obj.get("absolute_url")
    url = SITE + absolute if absolute else obj.get("resource_uri") or f"{BASE_URL}{target.kind}/{target.api_id}/"
    source = provenance(f"courtlistener-{target.kind}", json.dumps(obj, sort_keys=True), url=url,
                        retrieved_at=utc_now(), api_url=obj.get("resource_uri"), text_field=field)
    return SourceDocument(id=target.id, text=text, provenance=source, fields=dict(target.fields))
