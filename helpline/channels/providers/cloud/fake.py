"""A local Graph API for tests (tests/cloud/, media/, templates/): records each message POST
and answers as Meta does (scripted errors first). Served with aiohttp, a development
dependency."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

PHONE_NUMBER_ID = "1122334455667"
ACCESS_TOKEN = "EAAG-access-token-for-tests"


@dataclass
class FakeGraph:
    """A local Graph API: records each message POST (`requests`) and answers with the
    scripted responses, then with success (`wamid.OUT<n>`). GETs (the number's details that
    a channel start checks, the account's `templates` in pages of `page_size`) are recorded
    in `gets` and answered from `get_script` first; they need the test access token."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    script: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    gets: list[dict[str, Any]] = field(default_factory=list)
    get_script: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    phone: dict[str, Any] = field(
        default_factory=lambda: {
            "display_phone_number": "+972 12-345-6789",
            "verified_name": "Helpline Test",
            "id": PHONE_NUMBER_ID,
        }
    )
    templates: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 100

    def _get(self, request: web.Request) -> web.Response | None:
        """Record a GET; an error answer when it is scripted or not authorized."""
        self.gets.append({"path": request.path, "query": dict(request.query)})
        if self.get_script:
            status, answer = self.get_script.pop(0)
            return web.json_response(answer, status=status)
        if request.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            error = graph_error(190, "Error validating access token: Session has expired")
            return web.json_response(error, status=401)
        return None

    async def node(self, request: web.Request) -> web.Response:
        refused = self._get(request)
        if refused is not None:
            return refused
        if request.match_info["node"] != self.phone["id"]:
            error = graph_error(100, "Unsupported get request. Object does not exist")
            return web.json_response(error, status=400)
        fields = request.query.get("fields", "").split(",")
        return web.json_response({k: v for k, v in self.phone.items() if k in fields or k == "id"})

    async def message_templates(self, request: web.Request) -> web.Response:
        refused = self._get(request)
        if refused is not None:
            return refused
        limit = min(int(request.query.get("limit", "25")), self.page_size)
        start = int(request.query.get("after") or 0)
        answer: dict[str, Any] = {"data": self.templates[start : start + limit]}
        if start + limit < len(self.templates):
            query = f"fields={request.query.get('fields', '')}&limit={limit}&after={start + limit}"
            answer["paging"] = {"next": f"{self.url}{request.path}?{query}"}
        return web.json_response(answer)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json() if request.content_type == "application/json" else None
        self.requests.append({"path": request.path, "headers": dict(request.headers), "json": body})
        if self.script:
            status, answer = self.script.pop(0)
            return web.json_response(answer, status=status)
        wamid = f"wamid.OUT{len(self.requests)}"
        to = body.get("to") if isinstance(body, dict) else None
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": wamid}],
            }
        )


def graph_error(code: int, message: str, details: str = "") -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return {"error": error}
