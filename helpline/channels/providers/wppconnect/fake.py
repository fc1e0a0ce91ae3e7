"""A local WPPConnect Server for tests: the routes the provider uses, with its token
scheme. Used by the
tests (tests/gateway/); served with aiohttp, a development dependency."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from helpline.channels.providers.bridge.fake import PNG, QR_TEXT

WPP_SECRET_KEY = "THISISMYSECURETOKEN"


@dataclass
class FakeWpp:
    """The routes of wppconnect-server the provider uses, with its token scheme: a token
    from generate-token (with the secret key) is required as a bearer on the rest. Records
    every request; `script` answers the next API calls (status, body) before the defaults."""

    url: str = ""
    tokens: set[str] = field(default_factory=set)
    requests: list[dict[str, Any]] = field(default_factory=list)
    script: list[tuple[int, Any]] = field(default_factory=list)
    start_answer: dict[str, Any] = field(
        default_factory=lambda: {
            "status": "QRCODE",
            "qrcode": "data:image/png;base64," + base64.b64encode(PNG).decode(),
            "urlcode": QR_TEXT,
            "version": "2.8.0",
        }
    )

    async def generate_token(self, request: web.Request) -> web.Response:
        self.requests.append({"route": "generate-token", "path": request.path})
        if request.match_info["secretkey"] != WPP_SECRET_KEY:
            return web.json_response(
                {"response": False, "message": "The SECRET_KEY is incorrect"}, status=400
            )
        token = f"$2b$10$token{len(self.tokens) + 1}"
        self.tokens.add(token)
        session = request.match_info["session"]
        return web.json_response(
            {"status": "success", "session": session, "token": token, "full": f"{session}:{token}"},
            status=201,
        )

    async def api(self, request: web.Request) -> web.Response:
        route = request.match_info["route"]
        body = await request.json() if request.can_read_body else None
        auth = request.headers.get("Authorization", "")
        self.requests.append(
            {"route": route, "session": request.match_info["session"], "auth": auth, "json": body}
        )
        if auth.removeprefix("Bearer ") not in self.tokens:
            return web.json_response(
                {"error": "Check that the Session and Token are correct"}, status=401
            )
        if self.script:
            status, answer = self.script.pop(0)
            return web.json_response(answer, status=status)
        return self.answer(route, body or {})

    def answer(self, route: str, body: dict[str, Any]) -> web.Response:
        n = len(self.requests)
        if route in ("send-message", "send-file-base64"):
            sent = {"id": f"true_{body.get('phone')}@c.us_OUT{n}", "ack": 0, "fromMe": True}
            return web.json_response(
                {"status": "success", "response": [sent], "mapper": "return"}, status=201
            )
        if route == "start-session":
            return web.json_response(self.start_answer)
        if route in ("close-session", "logout-session"):
            return web.json_response({"status": True, "message": "Session successfully closed"})
        if route == "download-media":
            return web.json_response(
                {"base64": base64.b64encode(PNG).decode(), "mimetype": "image/png"}
            )
        return web.json_response({"status": "error", "message": "unknown route"}, status=404)

    def calls(self, route: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["route"] == route]
