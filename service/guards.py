"""Checks that run before a request reaches an endpoint: the API key and the body size."""
from __future__ import annotations

import hmac
import json

from fastapi import HTTPException, Request, Security
from fastapi.security import APIKeyHeader

API_KEY_HEADER = "X-API-Key"
api_key_header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False,
                              description="required when the server sets MOTION_OUTCOME_API_KEYS")


def key_is_valid(given: str, keys: list[str]) -> bool:
    """Compare against every key, in constant time, so timing says nothing about which one nearly matched."""
    given_bytes = given.encode("utf-8", "surrogateescape")
    valid = False
    for key in keys:
        valid |= hmac.compare_digest(given_bytes, key.encode("utf-8"))
    return valid


async def require_api_key(request: Request, given: str | None = Security(api_key_header)) -> None:
    keys = request.app.state.settings.api_keys
    if keys and (given is None or not key_is_valid(given, keys)):
        raise HTTPException(401, f"missing or invalid API key: send one in the {API_KEY_HEADER} header",
                            headers={"WWW-Authenticate": API_KEY_HEADER})


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int):
        super().__init__(413, f"request body is larger than {limit} bytes (MOTION_OUTCOME_MAX_REQUEST_BYTES)")


class BodyLimitMiddleware:
    """Refuse bodies over ``limit`` bytes, whether announced by Content-Length or streamed in chunks,
    before they are buffered in memory."""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                return await self._refuse(send)
        seen = 0

        async def counting_receive():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise BodyTooLarge(self.limit)  # surfaces where the endpoint reads the body
            return message

        await self.app(scope, counting_receive, send)

    async def _refuse(self, send) -> None:
        body = json.dumps({"detail": BodyTooLarge(self.limit).detail}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
