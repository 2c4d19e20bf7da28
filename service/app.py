"""The FastAPI app over one saved model.

The model is loaded once, in the lifespan, so a bad model path stops the server at start-up
instead of failing the first request. Prediction and PDF parsing are CPU-bound and run in the
thread pool; the event loop only moves bytes. Request bodies are parsed by pydantic from raw
bytes, so malformed JSON, invalid UTF-8 and lone surrogates are all refused the same way.
"""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from model.artifact import ArtifactError
from model.documents import DocumentError, require_text, text_from_file_bytes
from model.predict import Document, Predictor
from service.access_log import AccessLogMiddleware, configure_logging
from service.batching import MicroBatcher
from service.guards import BodyLimitMiddleware, require_api_key
from service.metrics import ServiceMetrics
from service.schemas import (BatchRequest, BatchResponse, ErrorResponse, Health, ModelInfo, Prediction,
                             PredictRequest)
from service.settings import Settings

log = logging.getLogger("motion_outcome.service")

JSON = "application/json"
MULTIPART = "multipart/form-data"
UPLOAD_FIELDS = {"file", "id"}
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": description} for status, description in {
        400: "malformed multipart body", 401: "missing or invalid API key",
        413: "body, text or batch over a configured limit", 415: "content type other than JSON (or multipart upload)",
        422: "body that does not validate, or a document whose text cannot be used",
        503: "model not loaded yet"}.items()}


WARM_UP_TEXT = "ORDER. The defendant's motion for a reduction of sentence is DENIED."


def load_predictor(directory: str | Path) -> Predictor:
    """Load and try the model once: a model that loads but cannot predict (written by an older
    version of the code, say) must stop the start-up too, and the first request is then warm."""
    try:
        predictor = Predictor.from_directory(directory)
        try:
            predictor.predict([Document(None, WARM_UP_TEXT)])
        except Exception as exc:
            raise ArtifactError(f"the model loads but cannot predict ({type(exc).__name__}: {exc}); "
                                "retrain it with 'motion-outcome train'") from exc
    except ArtifactError as exc:
        log.error("cannot load the model, not starting: %s", exc)
        raise ArtifactError(f"cannot serve model {directory}: {exc}") from None
    return predictor


# --- dependencies: the app's state, injected, so tests can build an app around any settings/model.

async def settings_of(request: Request) -> Settings:
    return request.app.state.settings


async def predictor_of(request: Request) -> Predictor:
    predictor = request.app.state.predictor
    if predictor is None:
        raise HTTPException(503, "model not loaded yet")
    return predictor


async def metrics_of(request: Request) -> ServiceMetrics:
    return request.app.state.metrics


# --- request parsing

def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _unsupported(media_type: str, accepted: str) -> HTTPException:
    return HTTPException(415, f"unsupported content type '{media_type or '(none)'}': send {accepted}")


def _parse(model: type[BaseModel], body: bytes):
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_input=False, include_context=False)) from None


async def _read_upload(request: Request) -> tuple[str | None, str]:
    """(id, text) of a multipart upload: a ``file`` part (.txt or .pdf) and an optional ``id`` field."""
    async with request.form(max_files=2, max_fields=2) as form:
        unknown = set(form.keys()) - UPLOAD_FIELDS
        if unknown:
            raise HTTPException(422, f"unknown form fields {sorted(unknown)}: send 'file' and optionally 'id'")
        upload, doc_id = form.get("file"), form.get("id")
        if not isinstance(upload, UploadFile):
            raise HTTPException(422, "multipart body needs a 'file' part holding a .txt or .pdf file")
        if doc_id is not None:
            _check_form_id(doc_id)
        data = await upload.read()
        name = upload.filename or "upload"
    return doc_id, await run_in_threadpool(text_from_file_bytes, data, name)


def _check_form_id(doc_id: Any) -> None:
    if not isinstance(doc_id, str):
        raise HTTPException(422, "form field 'id' must be text, not a file")
    try:
        doc_id.encode("utf-8")
        PredictRequest.model_validate({"text": "", "id": doc_id})
    except UnicodeEncodeError:
        raise HTTPException(422, "form field 'id' is not valid UTF-8") from None
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_input=False, include_context=False)) from None


def text_problem(text: str, name: str, settings: Settings) -> tuple[int, str] | None:
    """Why a text cannot be predicted, as (status, message); None when it can."""
    try:
        require_text(text, name)
    except DocumentError as exc:
        return 422, str(exc)
    if len(text) > settings.max_text_chars:
        return 413, (f"{name}: text has {len(text)} characters, over the limit of {settings.max_text_chars} "
                     "(MOTION_OUTCOME_MAX_TEXT_CHARS)")
    return None


# --- endpoints

router = APIRouter()


@router.get("/healthz", response_model=Health, tags=["operations"], summary="the process is alive")
async def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz", response_model=Health, responses={503: ERRORS[503]}, tags=["operations"],
            summary="the model is loaded and requests will be answered")
async def readyz(predictor: Predictor = Depends(predictor_of)) -> dict:
    return {"status": "ready", "model_version": predictor.model_version}


@router.get("/metrics", response_class=Response, tags=["operations"], summary="Prometheus metrics",
            responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}})
async def metrics(metrics: ServiceMetrics = Depends(metrics_of)) -> Response:
    return Response(metrics.exposition(), media_type=metrics.content_type)


@router.get("/v1/model", response_model=ModelInfo, dependencies=[Depends(require_api_key)],
            responses={401: ERRORS[401], 503: ERRORS[503]}, tags=["prediction"],
            summary="the served model: version, label schema, training-data hash, metrics")
async def model_info(predictor: Predictor = Depends(predictor_of)) -> dict:
    return predictor.metadata


PREDICT_BODY = {"requestBody": {"required": True, "content": {
    JSON: {"schema": {"$ref": "#/components/schemas/PredictRequest"}},
    MULTIPART: {"schema": {"type": "object", "required": ["file"], "additionalProperties": False, "properties": {
        "file": {"type": "string", "format": "binary", "description": "a .txt (UTF-8) or .pdf with a text layer"},
        "id": {"type": "string", "maxLength": 512, "description": "your identifier, echoed back"}}}}}}}
BATCH_BODY = {"requestBody": {"required": True, "content": {
    JSON: {"schema": {"$ref": "#/components/schemas/BatchRequest"}}}}}


@router.post("/v1/predict", response_model=Prediction, dependencies=[Depends(require_api_key)],
             responses={s: ERRORS[s] for s in (400, 401, 413, 415, 422, 503)}, openapi_extra=PREDICT_BODY,
             tags=["prediction"], summary="predict one decision: JSON text or an uploaded .txt/.pdf")
async def predict(request: Request, settings: Settings = Depends(settings_of),
                  predictor: Predictor = Depends(predictor_of),
                  metrics: ServiceMetrics = Depends(metrics_of)) -> dict:
    media_type = _media_type(request)
    if media_type == JSON:
        item = _parse(PredictRequest, await request.body())
        doc_id, text = item.id, item.text
    elif media_type == MULTIPART:
        doc_id, text = await _read_upload(request)
    else:
        raise _unsupported(media_type, f"{JSON} or {MULTIPART} with a .txt or .pdf file")
    problem = text_problem(text, doc_id or "document", settings)
    if problem:
        metrics.document_errors.inc()
        raise HTTPException(*problem)
    row = await request.app.state.batcher.submit(Document(doc_id, text))
    metrics.observe_predictions([row])
    return row


@router.post("/v1/predict/batch", response_model=BatchResponse, dependencies=[Depends(require_api_key)],
             responses={s: ERRORS[s] for s in (401, 413, 415, 422, 503)}, openapi_extra=BATCH_BODY,
             tags=["prediction"], summary="predict many decisions; results in input order, errors in their slot")
async def predict_batch(request: Request, settings: Settings = Depends(settings_of),
                        predictor: Predictor = Depends(predictor_of),
                        metrics: ServiceMetrics = Depends(metrics_of)) -> dict:
    media_type = _media_type(request)
    if media_type != JSON:
        raise _unsupported(media_type, JSON)
    documents = _parse(BatchRequest, await request.body()).documents
    if len(documents) > settings.max_batch_documents:
        raise HTTPException(413, f"batch has {len(documents)} documents, over the limit of "
                                 f"{settings.max_batch_documents} (MOTION_OUTCOME_MAX_BATCH_DOCUMENTS)")
    total = sum(len(d.text) for d in documents)
    if total > settings.max_batch_chars:
        raise HTTPException(413, f"batch has {total} characters of text, over the limit of "
                                 f"{settings.max_batch_chars} (MOTION_OUTCOME_MAX_BATCH_CHARS)")
    return await run_in_threadpool(_predict_slots, documents, predictor, settings, metrics)


def _predict_slots(documents: list[PredictRequest], predictor: Predictor, settings: Settings,
                   metrics: ServiceMetrics) -> dict:
    results: list[dict | None] = [None] * len(documents)
    usable = []
    for slot, item in enumerate(documents):
        problem = text_problem(item.text, item.id or f"documents[{slot}]", settings)
        if problem:
            results[slot] = {"id": item.id, "error": {"status": problem[0], "detail": problem[1]}}
        else:
            usable.append(slot)
    metrics.document_errors.inc(len(documents) - len(usable))
    rows = predictor.predict([Document(documents[s].id, documents[s].text) for s in usable])
    metrics.observe_predictions(rows)
    for slot, row in zip(usable, rows):
        results[slot] = row
    return {"model_version": predictor.model_version, "results": results}


# --- error bodies: always JSON with a 'detail' that says what is wrong

def _describe(errors: list[dict]) -> str:
    parts = []
    for error in errors[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        message = error["msg"]
        if error.get("type") == "json_invalid":
            message = "malformed JSON: " + message.removeprefix("Invalid JSON: ")
        parts.append(f"{where}: {message}" if where else message)
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(parts) + more


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
              for e in exc.errors()]
    return JSONResponse({"detail": _describe(errors) or "invalid request", "errors": errors}, status_code=422)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def _document_error(request: Request, exc: DocumentError) -> JSONResponse:
    request.app.state.metrics.document_errors.inc()
    return JSONResponse({"detail": str(exc)}, status_code=422)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    request_id = request.scope.get("state", {}).get("request_id", "")
    log.exception("unhandled error in request %s", request_id)
    return JSONResponse({"detail": f"internal error (request id {request_id})"}, status_code=500)


def _with_request_models(app: FastAPI):
    """Request bodies are parsed by hand (see module docstring), so their schemas are added here."""
    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = FastAPI.openapi(app)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in (PredictRequest, BatchRequest):
                model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(model_schema.pop("$defs", {}))
                components[model.__name__] = model_schema
        return app.openapi_schema
    return openapi


def create_app(settings: Settings | None = None, predictor: Predictor | None = None) -> FastAPI:
    """The app; ``uvicorn --factory service.app:create_app`` builds it from the environment.

    Pass ``predictor`` to serve an already loaded model (tests); otherwise the lifespan loads
    ``settings.model``.
    """
    settings = settings or Settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if app.state.predictor is None:
            app.state.predictor = load_predictor(settings.model)
            _announce(app)
        yield

    from importlib.metadata import version
    app = FastAPI(title="motion-outcome", version=version("motion-outcome"), lifespan=lifespan,
                  description="What a U.S. court did with a motion, and on which grounds, from the decision text. "
                              "Same JSON contract as `motion-outcome predict`.")
    app.state.settings = settings
    app.state.predictor = predictor
    app.state.metrics = ServiceMetrics()
    app.state.batcher = MicroBatcher(lambda documents: app.state.predictor.predict(documents), settings.micro_batch)
    if predictor is not None:
        _announce(app)
    app.include_router(router)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DocumentError, _document_error)
    app.add_exception_handler(Exception, _unexpected)
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_request_bytes)
    app.add_middleware(AccessLogMiddleware, metrics=app.state.metrics)  # outermost: sees every request
    app.openapi = _with_request_models(app)
    return app


def _announce(app: FastAPI) -> None:
    predictor = app.state.predictor
    app.state.metrics.model_info.labels(predictor.model_version).set(1)
    log.info("serving model %s from %s", predictor.model_version, app.state.settings.model)
