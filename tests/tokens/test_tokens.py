"""API tokens over HTTP: made by admins, shown once, scoped, revocable, expiring."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from helpline import clock
from tests.conftest import App, login, make_user


async def make_token(admin: httpx.AsyncClient, *scopes: str, **extra: Any) -> dict[str, Any]:
    response = await admin.post(
        "/api/tokens", json={"name": "Shop", "scopes": list(scopes), **extra}
    )
    assert response.status_code == 201, response.text
    token: dict[str, Any] = response.json()
    return token


def bearer(app: App, secret: str) -> httpx.AsyncClient:
    client = app.client()
    client.headers["Authorization"] = f"Bearer {secret}"
    return client


async def an_open_conversation(admin: httpx.AsyncClient) -> int:
    channel = await admin.post("/api/channels", json={"name": "Shop", "provider": "sandbox"})
    inbound = await admin.post(
        f"/api/sandbox/{channel.json()['id']}/inbound",
        json={"from": "+5491155550177", "text": "hola"},
    )
    conv_id: int = inbound.json()["conversation"]["id"]
    return conv_id


async def test_the_secret_is_shown_once_and_listed_without_it(
    app: App, admin: httpx.AsyncClient
) -> None:
    made = await make_token(admin, "read", "send")
    assert made["secret"].startswith(made["prefix"]) and len(made["secret"]) > 40
    assert made["scopes"] == ["read", "send"] and made["lastUsedAt"] is None
    listed = (await admin.get("/api/tokens")).json()
    assert [t["id"] for t in listed] == [made["id"]]
    assert "secret" not in listed[0]
    async with bearer(app, made["secret"]) as caller:
        assert (await caller.get("/api/conversations")).status_code == 200
    assert (await admin.get("/api/tokens")).json()[0]["lastUsedAt"] is not None


async def test_a_read_token_reads_and_cannot_write(app: App, admin: httpx.AsyncClient) -> None:
    secret = (await make_token(admin, "read"))["secret"]
    async with bearer(app, secret) as caller:
        assert (await caller.get("/api/areas")).status_code == 200
        refused = await caller.post("/api/areas", json={"name": "Ventas"})
    assert refused.status_code == 403
    assert "'admin' scope" in refused.json()["detail"]
    assert [a["name"] for a in (await admin.get("/api/areas")).json()] == []


async def test_a_send_token_replies_without_csrf_nor_cookie(
    app: App, admin: httpx.AsyncClient
) -> None:
    conv_id = await an_open_conversation(admin)
    secret = (await make_token(admin, "send"))["secret"]
    async with bearer(app, secret) as caller:
        sent = await caller.post(
            f"/api/conversations/{conv_id}/messages", json={"body": "¡Hola desde la tienda!"}
        )
        assert sent.status_code == 201, sent.text
        # `send` alone does not read.
        listing = await caller.get(f"/api/conversations/{conv_id}/messages")
    assert listing.status_code == 403 and "'read' scope" in listing.json()["detail"]


async def test_an_admin_token_does_what_its_admin_may(app: App, admin: httpx.AsyncClient) -> None:
    secret = (await make_token(admin, "admin"))["secret"]
    async with bearer(app, secret) as caller:
        created = await caller.post("/api/areas", json={"name": "Soporte"})
        assert created.status_code == 201, created.text
        assert (await caller.get("/api/areas")).status_code == 200


async def test_revoked_expired_and_unknown_tokens_get_401(
    app: App, admin: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    revoked = await make_token(admin, "read")
    assert (await admin.post(f"/api/tokens/{revoked['id']}/revoke")).json()["revokedAt"]
    soon = (clock.utcnow() + timedelta(hours=1)).isoformat()
    expiring = await make_token(admin, "read", expiresAt=soon)
    later = clock.utcnow() + timedelta(hours=2)
    monkeypatch.setattr(clock, "source", lambda: later)
    for secret, why in [
        (revoked["secret"], "revoked"),
        (expiring["secret"], "expired"),
        ("hlp_not-a-real-token", "Unknown"),
    ]:
        async with bearer(app, secret) as caller:
            response = await caller.get("/api/areas")
        assert response.status_code == 401 and why in response.json()["detail"], response.text


async def test_a_deactivated_admins_tokens_stop_working(app: App, admin: httpx.AsyncClient) -> None:
    other = await make_user(admin, "second_admin", role="ADMIN", password="Second-admin-2026!")
    async with app.client() as second:
        await login(second, "second_admin", "Second-admin-2026!")
        secret = (await make_token(second, "read"))["secret"]
    deactivate = await admin.patch(f"/api/users/{other['id']}", json={"active": False})
    assert deactivate.status_code == 200, deactivate.text
    async with bearer(app, secret) as caller:
        assert (await caller.get("/api/areas")).status_code == 401


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"name": "x", "scopes": ["write"]}, "scopes"),
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "  ", "scopes": ["read"]}, "name"),
        ({"name": "x", "scopes": ["read"], "expiresAt": "2020-01-01T00:00:00Z"}, "future"),
        ({"name": "x", "scopes": ["read"], "expiresAt": "2030-01-01T00:00:00"}, "time zone"),
    ],
)
async def test_bad_token_requests_are_refused_and_make_nothing(
    app: App, admin: httpx.AsyncClient, body: dict[str, Any], fragment: str
) -> None:
    response = await admin.post("/api/tokens", json=body)
    assert response.status_code == 422
    assert fragment in response.text
    assert (await admin.get("/api/tokens")).json() == []


async def test_only_admins_manage_tokens(app: App, admin: httpx.AsyncClient) -> None:
    await make_user(admin, "agent_t", password="Agent-token-2026!")
    async with app.client() as agent:
        await login(agent, "agent_t", "Agent-token-2026!")
        assert (await agent.get("/api/tokens")).status_code == 403
        made = await agent.post("/api/tokens", json={"name": "x", "scopes": ["admin"]})
        assert made.status_code == 403
    async with app.client() as anonymous:
        assert (await anonymous.get("/api/tokens")).status_code == 401
