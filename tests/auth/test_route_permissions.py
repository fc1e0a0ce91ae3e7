"""The permission matrix, generated from the route table: every API route × every role
(anonymous, agent, supervisor, admin), and for routes that take an area-scoped object (a
conversation, an area) both an object of the caller's own area and one of another area.

`EXPECTED` is written out by hand. A route missing from it fails the test, so a new route
cannot be added without saying who may call it.

What is checked is the door, not the business rule: "ok" means the caller got past the
permission checks (any answer but 401 and 403, and for an object of another area also not
404, which is how a conversation one may not see answers); "deny" means 403 (or 404 for an
object the caller may not see); anonymous callers of a protected route get 401. Requests
carry a valid body where one is needed to reach the permission check. Runs on SQLite only:
permissions do not depend on the database, and the suites run each backend elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import update

from helpline.conversations.models import Conversation
from tests.conftest import App, login, make_user

ROLES = ("anonymous", "agent", "supervisor", "admin")

# Shorthands for a route's rule, by role (anonymous, agent, supervisor, admin):
PUBLIC = ("ok", "ok", "ok", "ok")  # no login (health, login, metrics from this machine)
# Provider webhooks: a login neither opens nor closes them (their own proof does: Meta's
# signature, the channel's secret); every role gets the same answer.
OWN_PROOF = ("same", "same", "same", "same")
USER = ("401", "ok", "ok", "ok")  # any logged-in user
OVERSEER = ("401", "deny", "ok", "ok")  # supervisors and admins
ADMIN = ("401", "deny", "deny", "ok")
# Area-scoped objects: (own area, other area) for agent, supervisor; admin sees all.
AREA = {"own": ("401", "ok", "ok", "ok"), "other": ("401", "deny", "deny", "ok")}
OVERSEER_AREA = {"own": ("401", "deny", "ok", "ok"), "other": ("401", "deny", "deny", "ok")}

EXPECTED: dict[str, Any] = {
    "GET /health": PUBLIC,
    "POST /api/auth/login": PUBLIC,
    "POST /api/auth/logout": USER,
    "GET /api/auth/me": USER,
    "GET /api/auth/sessions": USER,
    "DELETE /api/auth/sessions/others": USER,
    "DELETE /api/auth/sessions/{session_id}": USER,
    "POST /api/auth/register": ADMIN,
    "GET /api/users": OVERSEER,
    "POST /api/users": ADMIN,
    "GET /api/users/{user_id}": OVERSEER,
    "PATCH /api/users/{user_id}": ADMIN,
    "DELETE /api/users/{user_id}": ADMIN,
    "GET /api/areas": USER,
    "POST /api/areas": ADMIN,
    "GET /api/areas/{area_id}": USER,
    "PATCH /api/areas/{area_id}": ADMIN,
    "DELETE /api/areas/{area_id}": ADMIN,
    "GET /api/areas/{area_id}/members": USER,
    "GET /api/working-hours": USER,
    "GET /api/working-hours/{area_id}": USER,
    "PUT /api/working-hours/{area_id}": OVERSEER_AREA,
    "GET /api/areas/{area_id}/survey": USER,
    "PUT /api/areas/{area_id}/survey": OVERSEER_AREA,
    "GET /api/areas/{area_id}/targets": USER,
    "PUT /api/areas/{area_id}/targets": OVERSEER_AREA,
    "GET /api/conversations/{conversation_id}/survey": AREA,
    "GET /api/working-hours/{area_id}/status": USER,
    "GET /api/channels/providers": OVERSEER,
    "GET /api/channels": USER,
    "POST /api/channels": ADMIN,
    "GET /api/channels/{channel_id}": USER,
    "PATCH /api/channels/{channel_id}": ADMIN,
    "DELETE /api/channels/{channel_id}": ADMIN,
    "GET /api/channels/{channel_id}/history": OVERSEER,
    "GET /api/channels/{channel_id}/log": OVERSEER,
    "GET /api/channels/{channel_id}/status": OVERSEER,
    "GET /api/channels/{channel_id}/qr": OVERSEER,
    "POST /api/channels/{channel_id}/{action}": ADMIN,
    "PATCH /api/channels/{channel_id}/metadata": ADMIN,
    "POST /api/channels/{channel_id}/messages": OVERSEER,
    "GET /api/channels/{channel_id}/messages": OVERSEER,
    "GET /api/channels/{channel_id}/events": OVERSEER,
    "GET /api/bot/status": OVERSEER,
    "GET /api/bot/qr": OVERSEER,
    "POST /api/bot/{action}": ADMIN,
    "PATCH /api/bot/metadata": ADMIN,
    "GET /api/bot": USER,
    "PUT /api/bot": OVERSEER,
    "POST /api/bot/try": USER,
    "GET /api/channels/{channel_id}/bot": USER,
    "PUT /api/channels/{channel_id}/bot": OVERSEER,
    "POST /api/channels/{channel_id}/bot/try": USER,
    "GET /api/conversations": USER,
    "GET /api/conversations/{conv_id}": AREA,
    "GET /api/conversations/{conv_id}/messages": AREA,
    "POST /api/conversations/{conv_id}/messages": AREA,
    "POST /api/conversations/{conv_id}/notes": AREA,
    "POST /api/conversations/{conv_id}/close": AREA,
    "POST /api/conversations/{conv_id}/take": AREA,
    "POST /api/conversations/{conv_id}/assign": OVERSEER_AREA,
    "POST /api/conversations/{conv_id}/transfer": AREA,
    "POST /api/conversations/{conv_id}/read": AREA,
    "GET /api/conversations/{conv_id}/events": AREA,
    "GET /api/channels/{channel_id}/templates": USER,
    "POST /api/channels/{channel_id}/templates/sync": ADMIN,
    "POST /api/conversations/{conv_id}/template": AREA,
    "GET /api/messages": USER,
    "GET /api/messages/{message_id}/raw": ADMIN,
    "GET /api/media/{media_id}": USER,
    "POST /api/media/{media_id}/retry": USER,
    "POST /api/conversations/{conv_id}/media": AREA,
    "POST /api/sandbox/{channel_id}/inbound": USER,
    "GET /api/sandbox/{channel_id}/outbound": USER,
    "GET /api/sandbox/{channel_id}/thread": USER,
    "POST /api/sandbox/{channel_id}/read": USER,
    "GET /api/quick-replies": USER,
    "GET /api/quick-replies/shortcut/{shortcut}": USER,
    "POST /api/quick-replies/reorder": USER,
    "GET /api/quick-replies/{reply_id}": USER,
    "POST /api/quick-replies": USER,
    "PUT /api/quick-replies/{reply_id}": USER,
    "DELETE /api/quick-replies/{reply_id}": USER,
    "GET /api/flows": OVERSEER,
    "POST /api/flows": ADMIN,
    "POST /api/flows/import": ADMIN,
    "GET /api/flows/runs/{conversation_id}": AREA,
    "GET /api/flows/{flow_id}": OVERSEER,
    "PATCH /api/flows/{flow_id}": ADMIN,
    "DELETE /api/flows/{flow_id}": ADMIN,
    "GET /api/flows/{flow_id}/tree": OVERSEER,
    "PUT /api/flows/{flow_id}/tree": ADMIN,
    "POST /api/flows/{flow_id}/validate": OVERSEER,
    "POST /api/flows/{flow_id}/publish": ADMIN,
    "GET /api/flows/{flow_id}/versions": OVERSEER,
    "GET /api/flows/{flow_id}/export": OVERSEER,
    "POST /api/flows/{flow_id}/simulate": OVERSEER,
    # Provider webhooks: no login; their own proof (signature, the channel's secret).
    "GET /api/webhooks/whatsapp": OWN_PROOF,
    "POST /api/webhooks/whatsapp": OWN_PROOF,
    "POST /api/webhooks/wppconnect/{channel_id}": OWN_PROOF,
    "POST /api/webhooks/evolution/{channel_id}": OWN_PROOF,
    "GET /api/dead-letters": ADMIN,
    "GET /api/dead-letters/{letter_id}": ADMIN,
    "POST /api/dead-letters/{letter_id}/reprocess": ADMIN,
    "GET /api/dashboard": USER,  # each role sees its own cut (tests/dashboard)
    # Supervisors: their areas' figures only (tests/reports).
    "GET /api/reports/summary": OVERSEER,
    "GET /api/reports/days": OVERSEER,
    "GET /api/reports/agents": OVERSEER,
    "GET /api/reports/areas": OVERSEER,
    "GET /api/contacts": USER,
    "POST /api/contacts": USER,
    "GET /api/contacts/export.csv": USER,
    "POST /api/contacts/import/preview": ADMIN,
    "POST /api/contacts/import": ADMIN,
    "GET /api/contacts/{contact_id}": USER,
    "PATCH /api/contacts/{contact_id}": USER,
    "DELETE /api/contacts/{contact_id}": ADMIN,
    "GET /api/contacts/{contact_id}/conversations": USER,
    "GET /api/contacts/{contact_id}/events": USER,
    "POST /api/contacts/{contact_id}/merge": ADMIN,
    "GET /api/contacts/{contact_id}/export": ADMIN,
    "GET /api/contacts/{contact_id}/erasure": ADMIN,
    "POST /api/contacts/{contact_id}/erase": ADMIN,
    "GET /api/contact-statuses": USER,
    "POST /api/contact-statuses": ADMIN,
    "PUT /api/contact-statuses/{status_id}": ADMIN,
    "DELETE /api/contact-statuses/{status_id}": ADMIN,
    "GET /api/contact-attributes": USER,
    "POST /api/contact-attributes": ADMIN,
    "PUT /api/contact-attributes/{attribute_id}": ADMIN,
    "DELETE /api/contact-attributes/{attribute_id}": ADMIN,
    "GET /api/labels": USER,
    "POST /api/labels": ADMIN,
    "PUT /api/labels/{label_id}": ADMIN,
    "DELETE /api/labels/{label_id}": ADMIN,
    "PUT /api/conversations/{conv_id}/labels": AREA,
    "GET /api/categories": USER,
    "POST /api/categories": OVERSEER,
    "PATCH /api/categories/{category_id}": OVERSEER,
    "DELETE /api/categories/{category_id}": OVERSEER,
    "GET /api/products": USER,
    "GET /api/products/export.csv": USER,
    "POST /api/products/import": OVERSEER,
    "GET /api/products/{product_id}": USER,
    "POST /api/products": OVERSEER,
    "PATCH /api/products/{product_id}": OVERSEER,
    "DELETE /api/products/{product_id}": OVERSEER,
    "GET /api/products/{product_id}/image": USER,
    "PUT /api/products/{product_id}/image": OVERSEER,
    "DELETE /api/products/{product_id}/image": OVERSEER,
    "GET /api/tokens": ADMIN,
    "POST /api/tokens": ADMIN,
    "POST /api/tokens/{token_id}/revoke": ADMIN,
    "GET /api/audit": ADMIN,
    "GET /api/pipeline": USER,
    "POST /api/pipeline": OVERSEER,
    "PATCH /api/pipeline/{pipeline_id}": OVERSEER,
    "POST /api/pipeline/stages": OVERSEER,
    "PATCH /api/pipeline/stages/{stage_id}": OVERSEER,
    "DELETE /api/pipeline/stages/{stage_id}": OVERSEER,
    "POST /api/pipeline/deals": USER,  # agents: for the customers they can see
    "GET /api/pipeline/deals/{deal_id}": USER,
    "PATCH /api/pipeline/deals/{deal_id}": USER,
    "DELETE /api/pipeline/deals/{deal_id}": ADMIN,
    "GET /api/pipeline/deals/{deal_id}/history": USER,
    "GET /api/contacts/{contact_id}/deals": USER,
    # Orders: everyone reads and moves those of the customers they see; sales agents (not
    # the agent here, an operator), supervisors and admins create them.
    "GET /api/orders": USER,
    "POST /api/orders": OVERSEER,
    "GET /api/orders/status-messages": ADMIN,
    "PUT /api/orders/status-messages": ADMIN,
    "GET /api/orders/{order_id}": USER,
    "PATCH /api/orders/{order_id}": USER,
    "DELETE /api/orders/{order_id}": ADMIN,
    "GET /api/integrations/webhooks/events": ADMIN,
    "GET /api/integrations/webhooks": ADMIN,
    "POST /api/integrations/webhooks": ADMIN,
    "GET /api/integrations/webhooks/{webhook_id}": ADMIN,
    "PATCH /api/integrations/webhooks/{webhook_id}": ADMIN,
    "DELETE /api/integrations/webhooks/{webhook_id}": ADMIN,
    "POST /api/integrations/webhooks/{webhook_id}/secret": ADMIN,
    "GET /api/integrations/webhooks/{webhook_id}/deliveries": ADMIN,
    "POST /api/integrations/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver": ADMIN,
    "POST /api/integrations/webhooks/{webhook_id}/test": ADMIN,
    # A metrics token or a trusted address, not a login (tests/test_metrics.py).
    "GET /metrics": PUBLIC,
}

# Bodies that get a request past validation to the permission check.
BODIES: dict[str, Any] = {
    "POST /api/conversations/{conv_id}/messages": {"body": "hola"},
    "POST /api/conversations/{conv_id}/notes": {"body": "nota"},
    "POST /api/conversations/{conv_id}/transfer": {"areaId": "{own_area}"},
    "POST /api/conversations/{conv_id}/assign": {"userId": "{agent_id}"},
    "POST /api/conversations/{conv_id}/template": {"name": "hello", "language": "es"},
    "PUT /api/working-hours/{area_id}": {"timezone": "UTC", "weekly": [], "exceptions": []},
    "PUT /api/areas/{area_id}/survey": {"enabled": False, "question": "¿?", "thanks": "¡Gracias!"},
    "PUT /api/areas/{area_id}/targets": {"firstResponseMinutes": 30},
    "PUT /api/conversations/{conv_id}/labels": {"labelIds": []},
    "POST /api/contacts/{contact_id}/erase": {"confirm": "+5491100000000"},
    "POST /api/orders": {
        "contactId": 999,
        "channelId": 1,
        "lines": [{"productId": 999, "quantity": 1}],
    },
    "PUT /api/orders/status-messages": [],
    "POST /api/integrations/webhooks": {
        "name": "Shop",
        "url": "https://shop.example.com/hooks",
        "events": ["message.received"],
    },
    "POST /api/channels/{channel_id}/messages": {"phone": "+5491100000001", "text": "hola"},
}
# A stream ends only when asked to (the in-process client waits for the whole answer).
QUERIES: dict[str, str] = {"GET /api/channels/{channel_id}/events": "?seconds=1"}
FILES: dict[str, Any] = {
    "POST /api/conversations/{conv_id}/media": {"file": ("nota.txt", b"hola", "text/plain")},
}
# Calls that end the caller's session go last.
LAST = ("DELETE /api/auth/sessions/others", "POST /api/auth/logout")


def api_routes(app: App) -> list[str]:
    fastapi_app = app.asgi.other_asgi_app
    keys = []
    for context in iter_route_contexts(fastapi_app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or context.path == "/{path:path}":
            continue
        for method in sorted(context.methods or ()):
            keys.append(f"{method} {context.path}")
    return sorted(keys, key=lambda k: (k in LAST, LAST.index(k) if k in LAST else 0))


@dataclass
class World:
    clients: dict[str, httpx.AsyncClient]
    ids: dict[str, int]


async def _conversation(app: App, admin: httpx.AsyncClient, phone: str, area_id: int) -> int:
    sent = await admin.post("/api/sandbox/1/inbound", json={"from": phone, "text": "hola"})
    assert sent.status_code == 201, sent.text
    conv_id = int(sent.json()["conversation"]["id"])
    async with app.db.sessionmaker() as session:
        # In that area's queue: what an agent of the area may see.
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conv_id)
            .values(area_id=area_id, status="pending", assigned_user_id=None)
        )
        await session.commit()
    return conv_id


def _fill(path: str, ids: dict[str, int], scope: str) -> str:
    conv = ids[f"{scope}_conv"]
    values = {
        "conv_id": conv,
        "conversation_id": conv,
        "area_id": ids[f"{scope}_area"],
        "user_id": ids["spare_user"],
        "channel_id": 1,
        "action": "pause",
        "session_id": "0" * 24,
        "shortcut": "nope",
        "reply_id": 999,
        "flow_id": 999,
        "media_id": 999,
        "message_id": 999,
        "letter_id": 999,
        "contact_id": 999,
        "status_id": 999,
        "attribute_id": 999,
        "label_id": 999,
        "category_id": 999,
        "product_id": 999,
        "token_id": 999,
        "pipeline_id": 999,
        "stage_id": 999,
        "deal_id": 999,
        "order_id": 999,
        "webhook_id": 999,
        "delivery_id": 999,
    }
    for name, value in values.items():
        path = path.replace("{" + name + "}", str(value))
    return path


# Deletions hit spare objects, so the routes after them still find the desk whole.
SPARE = {
    "DELETE /api/channels/{channel_id}": ("/api/channels/", "spare_channel"),
    "DELETE /api/areas/{area_id}": ("/api/areas/", "spare_area"),
}


def _body(key: str, ids: dict[str, int]) -> Any:
    body = BODIES.get(key, {})
    text = str(body)
    if "{own_area}" in text or "{agent_id}" in text:
        return {
            k: ids["own_area"] if v == "{own_area}" else ids["agent"] if v == "{agent_id}" else v
            for k, v in body.items()
        }
    return body


def _verdict(status: int) -> str:
    if status == 401:
        return "401"
    if status in (403, 404):
        return f"deny({status})"
    return f"ok({status})"


def _matches(expected: str, status: int) -> bool:
    if expected == "401":
        return status == 401
    if expected == "deny":
        return status in (403, 404)
    # "ok": past the door; a 404 of an object that is not there (ids 999) is past it too.
    return status not in (401, 403)


async def test_every_route_has_a_rule_and_keeps_it(app: App, admin: httpx.AsyncClient) -> None:
    routes = api_routes(app)
    missing = [key for key in routes if key not in EXPECTED]
    assert not missing, f"routes without a permission rule in EXPECTED: {missing}"
    stale = [key for key in EXPECTED if key not in routes]
    assert not stale, f"rules for routes that no longer exist: {stale}"

    own = (await admin.post("/api/areas", json={"name": "Own"})).json()["id"]
    other = (await admin.post("/api/areas", json={"name": "Other"})).json()["id"]
    agent = await make_user(admin, "agent1", "OPERATOR")
    supervisor = await make_user(admin, "super1", "SUPERVISOR")
    spare = await make_user(admin, "spare1", "OPERATOR")
    for user in (agent, supervisor):
        answer = await admin.patch(f"/api/users/{user['id']}", json={"areaIds": [own]})
        assert answer.status_code == 200, answer.text
    ids = {"own_area": own, "other_area": other, "agent": agent["id"], "spare_user": spare["id"]}
    ids["spare_area"] = (await admin.post("/api/areas", json={"name": "Spare"})).json()["id"]
    spare_channel = await admin.post("/api/channels", json={"name": "Spare", "provider": "sandbox"})
    ids["spare_channel"] = spare_channel.json()["id"]

    clients = {"anonymous": app.client(), "admin": admin}
    for role, name in (("agent", "agent1"), ("supervisor", "super1")):
        clients[role] = app.client()
        await login(clients[role], name, "Secret123!")

    failures = []
    phone = 0
    try:
        for key in routes:
            method, path = key.split(" ", 1)
            rule = EXPECTED[key]
            scopes = rule if isinstance(rule, dict) else {"own": rule}
            for scope, expected in scopes.items():
                if "{conv_id}" in path or "{conversation_id}" in path:
                    phone += 1
                    for where in ("own", "other"):
                        ids[f"{where}_conv"] = await _conversation(
                            app, admin, f"+5491166{phone:04d}{len(where)}", ids[f"{where}_area"]
                        )
                else:
                    ids.setdefault("own_conv", 1)
                    ids.setdefault("other_conv", 1)
                url = _fill(path, ids, scope) + QUERIES.get(key, "")
                if key in SPARE:
                    prefix, name = SPARE[key]
                    url = f"{prefix}{ids[name]}"
                seen = set()
                for role, want in zip(ROLES, expected, strict=True):
                    kwargs: dict[str, Any] = {}
                    if key in FILES:
                        kwargs["files"] = FILES[key]
                    elif method in ("POST", "PUT", "PATCH"):
                        kwargs["json"] = _body(key, ids)
                    answer = await clients[role].request(method, url, **kwargs)
                    seen.add(answer.status_code)
                    if want == "same":
                        if len(seen) > 1:
                            failures.append(f"{key}: the answer depends on the login: {seen}")
                    elif not _matches(want, answer.status_code):
                        failures.append(
                            f"{key} [{scope}] as {role}: expected {want}, "
                            f"got {_verdict(answer.status_code)} {answer.text[:120]}"
                        )
    finally:
        for role in ("anonymous", "agent", "supervisor"):
            await clients[role].aclose()
    assert not failures, "\n".join(failures)


async def test_a_route_without_a_rule_is_noticed(app: App) -> None:
    fastapi_app = app.asgi.other_asgi_app

    @fastapi_app.get("/api/brand-new")
    async def brand_new() -> dict[str, str]:
        return {}

    assert [key for key in api_routes(app) if key not in EXPECTED] == ["GET /api/brand-new"]


@pytest.fixture
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """SQLite only (see the module's docstring)."""
    from helpline.migrations.runner import upgrade

    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('perm') / 'helpline.db'}"
    upgrade(url)
    return url
