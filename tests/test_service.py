"""In-process tests of the HTTP service: every endpoint and every kind of bad input."""
from __future__ import annotations

import asyncio
import json
import logging
import threading

import httpx
import pytest
from fastapi.testclient import TestClient

from model.artifact import ArtifactError
from model.documents import text_from_file_bytes
from model.predict import Document, Predictor
from service.app import create_app
from service.settings import Settings
from service_helpers import (DECISION, GRANT, corrupt_pdf, model_dir_for_tests, pdf_with_text,
                             pdf_without_text)


@pytest.fixture(scope="module")
def model_dir(default_model_dir):
    return model_dir_for_tests(default_model_dir)


@pytest.fixture(scope="module")
def predictor(model_dir) -> Predictor:
    return Predictor.from_directory(model_dir)


def make_client(predictor, **settings) -> TestClient:
    return TestClient(create_app(Settings(**settings), predictor=predictor))


@pytest.fixture(scope="module")
def client(predictor):
    with make_client(predictor, max_text_chars=5_000, max_batch_documents=4, max_batch_chars=6_000,
                     max_request_bytes=50_000) as c:
        yield c


def expected(predictor, text, doc_id=None) -> dict:
    return json.loads(json.dumps(predictor.predict([Document(doc_id, text)])[0]))


class AccessLog(logging.Handler):
    """Collects the access log's JSON lines as they would be written."""

    def __init__(self):
        super().__init__()
        from service.access_log import JsonLineFormatter
        self.setFormatter(JsonLineFormatter())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))

    def __enter__(self):
        logging.getLogger("motion_outcome").addHandler(self)
        return self

    def __exit__(self, *exc):
        logging.getLogger("motion_outcome").removeHandler(self)


# --- endpoints

def test_health_and_readiness(client, predictor):
    assert client.get("/healthz").json() == {"status": "ok", "model_version": None}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "model_version": predictor.model_version}


def test_readyz_is_503_until_a_model_is_loaded():
    app = create_app(Settings())  # lifespan not run: nothing loaded yet
    response = TestClient(app).get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"detail": "model not loaded yet"}


def test_predict_json_gives_the_predict_contract(client, predictor):
    response = client.post("/v1/predict", json={"id": "case-1", "text": DECISION})
    assert response.status_code == 200
    body = response.json()
    assert body == expected(predictor, DECISION, "case-1")
    assert set(body) >= {"id", "disposition", "disposition_probabilities", "disposition_evidence", "reasons",
                         "motion_type", "motion_type_probability", "needs_review", "model_version"}
    for quote in body["disposition_evidence"]:
        assert DECISION[quote["start"]:quote["end"]] == quote["text"]


def test_predict_without_id_echoes_null(client, predictor):
    response = client.post("/v1/predict", json={"text": GRANT})
    assert response.status_code == 200
    assert response.json()["id"] is None
    assert response.json() == expected(predictor, GRANT)


def test_predict_text_file_upload_equals_json(client, predictor):
    response = client.post("/v1/predict", files={"file": ("order.txt", DECISION.encode(), "text/plain")},
                           data={"id": "up-1"})
    assert response.status_code == 200
    assert response.json() == expected(predictor, DECISION, "up-1")


def test_predict_pdf_upload_reads_the_text_layer(client, predictor):
    pdf = pdf_with_text(DECISION)
    response = client.post("/v1/predict", files={"file": ("order.pdf", pdf, "application/pdf")})
    assert response.status_code == 200
    text = text_from_file_bytes(pdf, "order.pdf")
    assert "DENIED without" in text
    assert response.json() == expected(predictor, text)


def test_batch_keeps_input_order_and_answers_around_bad_slots(client, predictor):
    documents = [{"id": "a", "text": GRANT}, {"id": "b", "text": "   "}, {"id": "c", "text": DECISION},
                 {"id": "d", "text": "x" * 5_001}]
    response = client.post("/v1/predict/batch", json={"documents": documents})
    assert response.status_code == 200
    body = response.json()
    assert body["model_version"] == predictor.model_version
    assert [r["id"] for r in body["results"]] == ["a", "b", "c", "d"]
    assert body["results"][0] == expected(predictor, GRANT, "a")
    assert body["results"][2] == expected(predictor, DECISION, "c")
    assert body["results"][1] == {"id": "b", "error": {"status": 422, "detail": "b: text is empty"}}
    assert body["results"][3]["error"]["status"] == 413
    assert "over the limit of 5000" in body["results"][3]["error"]["detail"]


def test_empty_batch_is_an_empty_answer(client):
    response = client.post("/v1/predict/batch", json={"documents": []})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_model_card_endpoint(client, predictor):
    body = client.get("/v1/model").json()
    meta = predictor.metadata
    assert body["model_version"] == predictor.model_version
    assert body["label_schema"] == meta["label_schema"]
    assert body["training_data"]["sha256"] == meta["training_data"]["sha256"]
    assert body["metrics"] == meta["metrics"]


def test_metrics_count_requests_classes_and_model_version(predictor):
    with make_client(predictor) as c:
        disposition = c.post("/v1/predict", json={"text": DECISION}).json()["disposition"]
        c.post("/v1/predict", json={"text": ""})
        text = c.get("/metrics").text
    assert 'motion_outcome_requests_total{endpoint="/v1/predict",method="POST",status="200"} 1.0' in text
    assert 'motion_outcome_requests_total{endpoint="/v1/predict",method="POST",status="422"} 1.0' in text
    assert 'motion_outcome_request_seconds_count{endpoint="/v1/predict",method="POST"} 2.0' in text
    assert f'motion_outcome_predictions_total{{disposition="{disposition}"}} 1.0' in text
    assert f'motion_outcome_model_info{{model_version="{predictor.model_version}"}} 1.0' in text
    assert "motion_outcome_document_errors_total 1.0" in text


def test_openapi_documents_bodies_and_examples(client):
    spec = client.get("/openapi.json").json()
    predict = spec["paths"]["/v1/predict"]["post"]
    assert set(predict["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    schemas = spec["components"]["schemas"]
    assert schemas["PredictRequest"]["examples"] and schemas["BatchRequest"]["examples"]
    assert schemas["Prediction"]["examples"][0]["disposition_evidence"]
    assert {"401", "413", "415", "422"} <= set(predict["responses"])
    assert client.get("/docs").status_code == 200


# --- bad input: a 4xx with a JSON body that says what is wrong

BAD_JSON_BODIES = [
    ("empty text", {"text": ""}, 422, "text is empty"),
    ("whitespace text", {"text": " \n\t "}, 422, "text is empty"),
    ("text over the limit", {"text": "a" * 5_001}, 413, "5001 characters, over the limit of 5000"),
    ("unknown field", {"text": DECISION, "court": "x"}, 422, "court: Extra inputs are not permitted"),
    ("missing text", {"id": "x"}, 422, "text: Field required"),
    ("text not a string", {"text": 7}, 422, "text: Input should be a valid string"),
    ("not an object", ["text"], 422, "Input should be an object"),
]


@pytest.mark.parametrize("name,body,status,message", BAD_JSON_BODIES, ids=[b[0] for b in BAD_JSON_BODIES])
def test_bad_json_input(client, name, body, status, message):
    response = client.post("/v1/predict", json=body)
    assert response.status_code == status
    assert message in response.json()["detail"]


BAD_RAW_BODIES = [
    ("malformed JSON", b'{"text": "The motion is', "application/json", 422, "malformed JSON"),
    ("empty body", b"", "application/json", 422, "malformed JSON"),
    ("invalid UTF-8 in JSON", b'{"text": "caf\xe9 denied"}', "application/json", 422, "malformed JSON"),
    ("lone surrogate", b'{"text": "denied \\ud800"}', "application/json", 422, "malformed JSON"),
    ("wrong content type", DECISION.encode(), "text/plain", 415, "unsupported content type 'text/plain'"),
    ("no content type", DECISION.encode(), None, 415, "unsupported content type '(none)'"),
]


@pytest.mark.parametrize("name,raw,content_type,status,message", BAD_RAW_BODIES, ids=[b[0] for b in BAD_RAW_BODIES])
def test_bad_raw_input(client, name, raw, content_type, status, message):
    headers = {"content-type": content_type} if content_type else {}
    response = client.post("/v1/predict", content=raw, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert message in response.json()["detail"]


BAD_UPLOADS = [
    ("empty file", ("a.txt", b"", "text/plain"), "a.txt: text is empty"),
    ("invalid UTF-8 file", ("a.txt", b"The motion is \xff\xfe denied", "text/plain"), "a.txt: is not valid UTF-8"),
    ("binary junk", ("a.bin", bytes(range(256)) * 8, "application/octet-stream"), "a.bin: looks like binary data"),
    ("PDF without text layer", ("scan.pdf", pdf_without_text(), "application/pdf"), "scan.pdf: PDF has no text layer"),
    ("corrupt PDF", ("bad.pdf", corrupt_pdf(), "application/pdf"), "bad.pdf: is a corrupt or unreadable PDF"),
    ("not a PDF", ("fake.pdf", b"hello, this is not a PDF", "application/pdf"), "fake.pdf: is not a PDF"),
]


@pytest.mark.parametrize("name,upload,message", BAD_UPLOADS, ids=[b[0] for b in BAD_UPLOADS])
def test_bad_uploads(client, name, upload, message):
    response = client.post("/v1/predict", files={"file": upload})
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_upload_over_the_text_limit(client):
    response = client.post("/v1/predict", files={"file": ("long.txt", b"denied " * 800, "text/plain")})
    assert response.status_code == 413
    assert "over the limit of 5000" in response.json()["detail"]


def test_upload_with_unknown_or_missing_parts(client):
    unknown = client.post("/v1/predict", files={"file": ("a.txt", DECISION.encode(), "text/plain")},
                          data={"court": "x"})
    assert unknown.status_code == 422
    assert "unknown form fields ['court']" in unknown.json()["detail"]
    missing = client.post("/v1/predict", data={"id": "x"}, files={"other": ("a.txt", b"x", "text/plain")})
    assert missing.status_code == 422
    no_file = client.post("/v1/predict", data={"id": "x", "text": DECISION},
                          headers={"content-type": "multipart/form-data; boundary=zz"})
    assert no_file.status_code in (400, 422)
    assert no_file.json()["detail"]


def test_body_over_the_byte_limit_announced_or_streamed(client):
    big = json.dumps({"text": "denied " * 10_000}).encode()
    announced = client.post("/v1/predict", content=big, headers={"content-type": "application/json"})
    assert announced.status_code == 413
    assert "larger than 50000 bytes" in announced.json()["detail"]

    def chunks():  # no Content-Length: the limit must hold while streaming too
        for i in range(0, len(big), 4096):
            yield big[i:i + 4096]
    streamed = client.post("/v1/predict", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    assert "larger than 50000 bytes" in streamed.json()["detail"]


BAD_BATCHES = [
    ("too many documents", {"documents": [{"text": "denied"}] * 5}, 413, "5 documents, over the limit of 4"),
    ("too many characters", {"documents": [{"text": "d" * 3_000}] * 3}, 413, "9000 characters of text, over the limit of 6000"),
    ("unknown field", {"documents": [], "priority": 1}, 422, "priority: Extra inputs are not permitted"),
    ("unknown document field", {"documents": [{"text": "x", "court": 1}]}, 422, "documents.0.court: Extra inputs"),
    ("documents not a list", {"documents": "x"}, 422, "documents: Input should be a valid"),
    ("missing documents", {}, 422, "documents: Field required"),
]


@pytest.mark.parametrize("name,body,status,message", BAD_BATCHES, ids=[b[0] for b in BAD_BATCHES])
def test_bad_batches(client, name, body, status, message):
    response = client.post("/v1/predict/batch", json=body)
    assert response.status_code == status
    assert message in response.json()["detail"]


def test_batch_malformed_json_and_content_type(client):
    malformed = client.post("/v1/predict/batch", content=b'{"documents": [', headers={"content-type": "application/json"})
    assert malformed.status_code == 422
    assert "malformed JSON" in malformed.json()["detail"]
    wrong = client.post("/v1/predict/batch", files={"file": ("a.txt", b"x", "text/plain")})
    assert wrong.status_code == 415


def test_unknown_route_and_method_are_json_4xx(client):
    assert client.get("/v2/predict").status_code == 404
    response = client.get("/v1/predict")
    assert response.status_code == 405
    assert response.json()["detail"]


# --- API keys

@pytest.fixture(scope="module")
def keyed(predictor):
    with make_client(predictor, api_keys=["k-one", "k-two"]) as c:
        yield c


@pytest.mark.parametrize("method,path,kwargs", [
    ("post", "/v1/predict", {"json": {"text": DECISION}}),
    ("post", "/v1/predict/batch", {"json": {"documents": [{"text": DECISION}]}}),
    ("get", "/v1/model", {}),
    ("post", "/v1/predict", {"content": b"{malformed", "headers": {"content-type": "application/json"}}),
])
def test_api_key_required_when_configured(keyed, method, path, kwargs):
    for headers in ({}, {"X-API-Key": "wrong"}, {"X-API-Key": "k-one-and-more"}):
        response = getattr(keyed, method)(path, **{**kwargs, "headers": {**kwargs.get("headers", {}), **headers}})
        assert response.status_code == 401
        assert "missing or invalid API key" in response.json()["detail"]


def test_any_configured_key_is_accepted_and_never_logged(keyed):
    with AccessLog() as log:
        for key in ("k-one", "k-two"):
            response = keyed.post("/v1/predict", json={"text": DECISION}, headers={"X-API-Key": key})
            assert response.status_code == 200
        keyed.get("/v1/model", headers={"X-API-Key": "k-one"})
    assert len(log.lines) == 3
    assert not any("k-one" in line or "k-two" in line for line in log.lines)
    assert keyed.get("/healthz").status_code == 200  # liveness stays open for orchestrators


# --- logs, concurrency, settings, start-up

def test_access_log_is_one_json_line_per_request_without_text(client):
    marker = "Zebulon-Quirinius"
    with AccessLog() as log:
        response = client.post("/v1/predict", json={"id": "x", "text": f"{DECISION} {marker}"},
                               headers={"X-Request-ID": "req-42"})
        client.post("/v1/predict", json={"text": ""})
    assert response.headers["x-request-id"] == "req-42"
    assert len(log.lines) == 2
    first, second = (json.loads(line) for line in log.lines)
    assert first["request_id"] == "req-42" and first["status"] == 200 and first["path"] == "/v1/predict"
    assert first["latency_ms"] > 0
    assert second["status"] == 422 and len(second["request_id"]) == 32
    assert not any(marker in line or "DENIED" in line for line in log.lines)


class BlockingPredictor:
    """Wraps a predictor; ``predict`` blocks (like a long CPU-bound call) until released."""

    def __init__(self, inner):
        self.inner, self.metadata, self.model_version = inner, inner.metadata, inner.model_version
        self.entered, self.release = threading.Event(), threading.Event()

    def predict(self, documents):
        self.entered.set()
        assert self.release.wait(30)
        return self.inner.predict(documents)


def test_prediction_does_not_block_the_event_loop(predictor):
    blocking = BlockingPredictor(predictor)
    app = create_app(Settings(), predictor=blocking)

    async def scenario():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            slow = asyncio.create_task(http.post("/v1/predict", json={"text": DECISION}))
            while not blocking.entered.is_set():
                await asyncio.sleep(0.01)
            health = await asyncio.wait_for(http.get("/healthz"), timeout=10)  # answered while predict runs
            assert not slow.done()
            blocking.release.set()
            return health, await slow

    health, slow = asyncio.run(scenario())
    assert health.status_code == 200
    assert slow.status_code == 200


def test_concurrent_requests_are_predicted_together(predictor):
    blocking = BlockingPredictor(predictor)
    calls: list[int] = []
    original = blocking.predict

    def counting(documents):
        calls.append(len(documents))
        return original(documents)
    blocking.predict = counting
    app = create_app(Settings(micro_batch=4), predictor=blocking)
    texts = [DECISION, GRANT, DECISION + " So ordered.", GRANT + " It is so ordered.", DECISION, GRANT]

    async def scenario():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
            first = asyncio.create_task(http.post("/v1/predict", json={"id": "0", "text": texts[0]}))
            while not blocking.entered.is_set():
                await asyncio.sleep(0.01)
            rest = [asyncio.create_task(http.post("/v1/predict", json={"id": str(i), "text": t}))
                    for i, t in enumerate(texts) if i]
            await asyncio.sleep(0.2)  # all five queued behind the first, blocked, prediction
            blocking.release.set()
            return [await first] + [await r for r in rest]

    responses = asyncio.run(scenario())
    assert calls == [1, 4, 1]  # the queued five in batches of at most micro_batch=4
    for i, (text, response) in enumerate(zip(texts, responses)):
        assert response.status_code == 200
        assert response.json() == expected(predictor, text, str(i))


def test_settings_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MOTION_OUTCOME_MODEL", str(tmp_path))
    monkeypatch.setenv("MOTION_OUTCOME_API_KEYS", " alpha, beta ,,")
    monkeypatch.setenv("MOTION_OUTCOME_MAX_TEXT_CHARS", "123")
    monkeypatch.setenv("MOTION_OUTCOME_MAX_BATCH_DOCUMENTS", "7")
    monkeypatch.setenv("MOTION_OUTCOME_MAX_BATCH_CHARS", "999")
    settings = Settings()
    assert settings.model == tmp_path
    assert settings.api_keys == ["alpha", "beta"]
    assert (settings.max_text_chars, settings.max_batch_documents, settings.max_batch_chars) == (123, 7, 999)
    for name, value in settings.to_env().items():  # what workers get rebuilds the same settings
        monkeypatch.setenv(name, value)
    assert Settings() == settings


def test_serve_flags_override_environment(monkeypatch):
    from motion_outcome.cli import build_parser
    from service.cli import settings_from_args
    from service.settings import DEFAULT_MODEL_DIR

    monkeypatch.setenv("MOTION_OUTCOME_PORT", "9000")
    monkeypatch.setenv("MOTION_OUTCOME_MAX_BATCH_DOCUMENTS", "9")
    monkeypatch.delenv("MOTION_OUTCOME_MODEL", raising=False)
    args = build_parser().parse_args(["serve", "--port", "9001", "--workers", "2"])
    settings = settings_from_args(args)
    assert (settings.port, settings.workers, settings.max_batch_documents) == (9001, 2, 9)
    assert settings.model == DEFAULT_MODEL_DIR and settings.host == "127.0.0.1"
    with pytest.raises(SystemExit, match="workers: Input should be greater than or equal to 1"):
        settings_from_args(build_parser().parse_args(["serve", "--workers", "0"]))


def test_bad_model_path_fails_start_up_not_the_first_request(tmp_path):
    missing = tmp_path / "no-such-model"
    app = create_app(Settings(model=missing))
    with pytest.raises(ArtifactError, match=f"cannot serve model {missing}: model directory not found"):
        with TestClient(app):
            pass
    (tmp_path / "empty").mkdir()
    with pytest.raises(ArtifactError, match="metadata.json is missing"):
        with TestClient(create_app(Settings(model=tmp_path / "empty"))):
            pass


def test_model_that_cannot_predict_fails_start_up(model_dir, monkeypatch):
    def broken(self, documents):
        raise AttributeError("'MotionOutcomeModel' object has no attribute 'locator_'")
    monkeypatch.setattr(Predictor, "predict", broken)
    with pytest.raises(ArtifactError, match="the model loads but cannot predict .*locator_.*retrain it"):
        with TestClient(create_app(Settings(model=model_dir))):
            pass


def test_serve_command_refuses_a_bad_model_path(tmp_path, capsys):
    from motion_outcome.cli import main
    assert main(["serve", "--model", str(tmp_path / "nowhere"), "--port", "1"]) == 2
    assert f"error: model directory not found: {tmp_path / 'nowhere'}" in capsys.readouterr().err
