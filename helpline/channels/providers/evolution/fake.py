"""A local Evolution API (v2) for tests: the routes the provider uses, checking
the `apikey` header. Used by the
tests (tests/gateway/); served with aiohttp, a development dependency."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from helpline.channels.providers.bridge.fake import PNG, QR_TEXT

EVO_API_KEY = "evolution-api-key-for-tests"


@dataclass
class FakeEvolution:
    """The routes of Evolution API v2 the provider uses, checking the `apikey` header."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    script: list[tuple[int, Any]] = field(default_factory=list)
    connect_answer: dict[str, Any] = field(
        default_factory=lambda: {
            "pairingCode": None,
            "code": QR_TEXT,
            "base64": "data:image/png;base64," + base64.b64encode(PNG).decode(),
            "count": 1,
        }
    )

    async def handle(self, request: web.Request, route: str) -> web.Response:
        body = await request.json() if request.can_read_body else None
        self.requests.append(
            {
                "method": request.method,
                "route": route,
                "instance": request.match_info["instance"],
                "apikey": request.headers.get("apikey"),
                "json": body,
            }
        )
        if request.headers.get("apikey") != EVO_API_KEY:
            return web.json_response(
                {"status": 401, "error": "Unauthorized", "response": {"message": "Unauthorized"}},
                status=401,
            )
        if self.script:
            status, answer = self.script.pop(0)
            return web.json_response(answer, status=status)
        return self.answer(route, body or {})

    def answer(self, route: str, body: dict[str, Any]) -> web.Response:
        n = len(self.requests)
        if route.startswith("message/"):
            key = {"remoteJid": f"{body.get('number')}@s.whatsapp.net", "fromMe": True}
            return web.json_response(
                {"key": {**key, "id": f"BAE5OUT{n}"}, "status": "PENDING"}, status=201
            )
        if route == "instance/connect":
            return web.json_response(self.connect_answer)
        if route == "instance/logout":
            return web.json_response(
                {
                    "status": "SUCCESS",
                    "error": False,
                    "response": {"message": "Instance logged out"},
                }
            )
        if route == "webhook/set":
            return web.json_response({"webhook": body}, status=201)
        if route == "chat/getBase64FromMediaMessage":
            return web.json_response(
                {"mimetype": "image/png", "base64": base64.b64encode(PNG).decode()}
            )
        return web.json_response({"status": 404, "error": "Not Found"}, status=404)

    def calls(self, route: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["route"] == route]
