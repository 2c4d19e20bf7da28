"""One JSON line per request (id, method, endpoint, status, latency), and the request metrics.

Never the body: decision texts can hold personal data, and API keys live in headers we do not log.
A pure ASGI middleware, not ``BaseHTTPMiddleware``, so it adds microseconds, not a task per request.
"""
from __future__ import annotations

import json
import logging
import sys
import time
import uuid

from service.metrics import ServiceMetrics

logger = logging.getLogger("motion_outcome.access")
REQUEST_ID_HEADER = b"x-request-id"


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = getattr(record, "fields", None) or {"message": record.getMessage()}
        if record.exc_info:
            payload = {**payload, "exception": self.formatException(record.exc_info)}
        return json.dumps({"time": round(record.created, 3), "level": record.levelname.lower(),
                           "logger": record.name, **payload}, separators=(",", ":"))


def configure_logging(level: str = "info") -> None:
    """The service's logs (access log included) to stderr as JSON lines; idempotent."""
    root = logging.getLogger("motion_outcome")
    root.setLevel(level.upper())
    if not any(getattr(h, "_motion_outcome", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLineFormatter())
        handler._motion_outcome = True
        root.addHandler(handler)
        root.propagate = False


def _request_id(scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER:
            given = value.decode("latin-1")[:128]
            if given.isprintable():
                return given
    return uuid.uuid4().hex


class AccessLogMiddleware:
    def __init__(self, app, metrics: ServiceMetrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500

        async def send_with_id(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (REQUEST_ID_HEADER, request_id.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = scope.get("route")
            endpoint = getattr(route, "path", None) or ("unmatched" if status == 404 else scope["path"])
            self.metrics.observe_request(scope["method"], endpoint, status, seconds)
            logger.info("request", extra={"fields": {
                "event": "request", "request_id": request_id, "method": scope["method"],
                "path": endpoint, "status": status, "latency_ms": round(seconds * 1000, 2)}})
