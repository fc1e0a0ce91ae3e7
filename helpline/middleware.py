"""ASGI middleware around the whole application (console, API, webhooks, Socket.IO).

* `RequestGuard`: the request id (X-Request-ID in and out, and in every log line), the
  security headers (HSTS on HTTPS, a Content-Security-Policy with frame-ancestors,
  nosniff, referrer policy), and the count of refused provider webhooks.
* `BodyLimit`: request bodies larger than allowed are refused with 413 before they are
  read: at once when Content-Length says so, else as soon as the streamed bytes pass the
  limit (a chunked upload cannot get around it).

Proxy headers (X-Forwarded-Proto, X-Forwarded-For) are applied before both, by uvicorn's
ProxyHeadersMiddleware, and only for FORWARDED_ALLOW_IPS (see `helpline.app`).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from helpline import logs, metrics
from helpline.config import Settings

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

# The console is built by Vite: its scripts and styles are files of its own origin. Styles
# allow 'unsafe-inline' for the style attributes the components set. The API docs pages load
# their script from a CDN, so they get only the frame rule.
_CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors {frame_ancestors}"
)
_DOCS_PATHS = ("/docs", "/redoc")

# Paths whose bodies carry files (multipart, or base64 in JSON): MAX_UPLOAD_MB applies.
# Product pictures and catalog/contact CSV files too.
_MEDIA_PATHS = re.compile(
    r"^/api/(conversations/[^/]+/media|channels/[^/]+/messages$|sandbox/|webhooks/|products/([^/]+/image|import)$|contacts/import)"
)


def _send_json(status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None) -> Any:
    body = json.dumps({"detail": detail}).encode()

    async def answer(send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    *(headers or []),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return answer


class RequestGuard:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.hsts = (
            f"max-age={settings.hsts_max_age}; includeSubDomains".encode()
            if settings.hsts_max_age
            else None
        )
        self.csp = _CONSOLE_CSP.format(frame_ancestors=settings.frame_ancestors).encode()
        self.frame_only = f"frame-ancestors {settings.frame_ancestors}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = self._request_id(scope)
        token = logs.request_id.set(rid)
        path: str = scope["path"]
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = rid
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                csp = self.frame_only if path.startswith(_DOCS_PATHS) else self.csp
                headers.setdefault("Content-Security-Policy", csp.decode())
                if https and self.hsts:
                    headers.setdefault("Strict-Transport-Security", self.hsts.decode())
                status = int(message["status"])
                if status >= 400 and path.startswith("/api/webhooks/"):
                    webhook = path.removeprefix("/api/webhooks/").split("/", 1)[0] or "?"
                    metrics.WEBHOOK_FAILURES.labels(webhook, str(status)).inc()
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            logs.request_id.reset(token)

    @staticmethod
    def _request_id(scope: Scope) -> str:
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                sent: str = value.decode("latin-1")
                if _SAFE_REQUEST_ID.match(sent):
                    return sent
                break
        return uuid.uuid4().hex


class BodyLimit:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.api_limit = settings.max_request_kb * 1024
        # base64 makes a file a third larger; 1 MB more for the JSON or multipart around it.
        self.media_limit = settings.max_upload_mb * 1024 * 1024 * 4 // 3 + 1024 * 1024

    def limit_for(self, path: str) -> int:
        return self.media_limit if _MEDIA_PATHS.match(path) else self.api_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared == -1:
            await _send_json(400, "The Content-Length header is not a number")(send)
            return
        if declared is not None and declared > limit:
            await _send_json(413, _too_large(limit))(send)
            return
        received = 0
        refused = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not started:
                        await _send_json(413, _too_large(limit))(send)
                    # The app sees a client gone away and stops reading.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:  # the 413 is the answer; the app's own is dropped
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not refused:
                raise


def _content_length(scope: Scope) -> int | None:
    """The declared length; None when not declared; -1 when not a number."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                return -1
            return length if length >= 0 else -1
    return None


def _too_large(limit: int) -> str:
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
    return f"The request body is too large: at most {size} is accepted here"
