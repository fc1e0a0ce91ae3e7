"""The activity log over HTTP: who did what, before and after, read-only, filtered, pruned."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from helpline import clock
from helpline.audit import service as audit
from tests.conftest import ADMIN_PASSWORD, App, login, make_user


async def entries(admin: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await admin.get("/api/audit", params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_logins_and_failed_logins_are_logged_with_the_address(app: App) -> None:
    async with app.client() as client:
        wrong = await client.post(
            "/api/auth/login", json={"username": "test", "password": "not-it-at-all"}
        )
        assert wrong.status_code == 401
        await login(client, "test", ADMIN_PASSWORD)
        found = await entries(client, kind="auth")
    assert [e["kind"] for e in found] == ["auth.login", "auth.login_failed"]
    ok, failed = found
    assert ok["actorName"] and ok["actorId"] and ok["ip"] == "127.0.0.1"
    assert failed["actorId"] is None and failed["after"] == {"username": "test"}
    assert failed["ip"] == "127.0.0.1"


async def test_a_change_keeps_before_and_after_and_hides_secrets(
    app: App, admin: httpx.AsyncClient
) -> None:
    user = await make_user(admin, "ana", password="Ana-agent-2026!")
    changed = await admin.patch(
        f"/api/users/{user['id']}", json={"role": "SUPERVISOR", "password": "Ana-new-pass-2026!"}
    )
    assert changed.status_code == 200, changed.text
    found = await entries(admin, targetType="user", targetId=str(user["id"]))
    assert [e["kind"] for e in found] == ["user.updated", "user.created"]
    updated, created = found
    assert updated["before"] == {"role": "OPERATOR", "password_hash": "(hidden)"}
    assert updated["after"] == {"role": "SUPERVISOR", "password_hash": "(hidden)"}
    assert created["after"]["username"] == "ana" and created["after"]["password_hash"] == "(hidden)"
    assert created["actorName"] and created["ip"] == "127.0.0.1"


async def test_channel_secrets_never_reach_the_log(app: App, admin: httpx.AsyncClient) -> None:
    created = await admin.post(
        "/api/channels",
        json={"name": "Ventas", "provider": "sandbox", "config": {"secret": "s3cr3t-value"}},
    )
    assert created.status_code == 201, created.text
    found = await entries(admin, kind="channel.created")
    assert found[0]["after"]["config"] == "(hidden)" and found[0]["after"]["name"] == "Ventas"
    assert "s3cr3t-value" not in (await admin.get("/api/audit")).text


async def test_an_api_token_call_names_the_token(app: App, admin: httpx.AsyncClient) -> None:
    token = (await admin.post("/api/tokens", json={"name": "n8n", "scopes": ["admin"]})).json()
    async with app.client() as caller:
        caller.headers["Authorization"] = f"Bearer {token['secret']}"
        assert (await caller.post("/api/areas", json={"name": "Soporte"})).status_code == 201
    found = await entries(admin, kind="area.created")
    assert found[0]["via"] == f"token:{token['id']}" and found[0]["after"]["name"] == "Soporte"
    token_made = await entries(admin, kind="token.created")
    assert token_made[0]["after"]["secret_hash"] == "(hidden)"


async def test_customer_traffic_and_refused_requests_add_nothing(
    app: App, admin: httpx.AsyncClient
) -> None:
    channel = (await admin.post("/api/channels", json={"name": "S", "provider": "sandbox"})).json()
    before = (await admin.get("/api/audit")).json()["total"]
    inbound = await admin.post(
        f"/api/sandbox/{channel['id']}/inbound", json={"from": "+5491155550123", "text": "hola"}
    )
    assert inbound.status_code in (200, 201)
    weak = await admin.post(
        "/api/users", json={"username": "x1", "name": "X", "password": "password123"}
    )
    assert weak.status_code == 422
    assert (await admin.get("/api/audit")).json()["total"] == before


async def test_only_admins_read_it_and_nobody_edits_it(app: App, admin: httpx.AsyncClient) -> None:
    await make_user(admin, "sup", role="SUPERVISOR", password="Sup-visor-2026!")
    async with app.client() as supervisor:
        await login(supervisor, "sup", "Sup-visor-2026!")
        assert (await supervisor.get("/api/audit")).status_code == 403
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = await admin.request(method, "/api/audit")
        assert response.status_code == 405, method


async def test_filters_by_actor_and_dates(app: App, admin: httpx.AsyncClient) -> None:
    me = (await admin.get("/api/auth/me")).json()["user"]["id"]
    await admin.post("/api/areas", json={"name": "Ventas"})
    assert {e["actorId"] for e in await entries(admin, actorId=me)} == {me}
    now = clock.utcnow()
    assert await entries(admin, since=(now + timedelta(minutes=1)).isoformat()) == []
    assert len(await entries(admin, until=(now + timedelta(minutes=1)).isoformat())) >= 2
    naive = await admin.get("/api/audit", params={"since": "2026-01-01T00:00:00"})
    assert naive.status_code == 422 and "time zone" in naive.json()["detail"]


async def test_retention_drops_only_old_entries(
    app: App, admin: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await admin.post("/api/areas", json={"name": "Vieja"})
    now = clock.utcnow()
    monkeypatch.setattr(clock, "source", lambda: now + timedelta(days=31))
    async with app.db.sessionmaker() as session:
        audit.record(session, "export.contacts")
        await session.commit()
    assert await audit.prune(app.db, retention_days=0) == 0
    assert await audit.prune(app.db, retention_days=30) >= 2
    monkeypatch.undo()  # back to today, where the admin's session is still valid
    assert [e["kind"] for e in await entries(admin)] == ["export.contacts"]
