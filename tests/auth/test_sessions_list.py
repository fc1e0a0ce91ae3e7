"""The user's own list of login sessions over HTTP: what it shows, logging out the other
sessions, revoking one, and that nobody reaches another user's sessions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest

from tests.conftest import ADMIN_PASSWORD, App, login, make_user

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)


@pytest.fixture
async def stack() -> AsyncIterator[AsyncExitStack]:
    async with AsyncExitStack() as opened:
        yield opened


async def _browser(
    stack: AsyncExitStack, app: App, user_agent: str, username: str = "test"
) -> httpx.AsyncClient:
    client = await stack.enter_async_context(app.client())
    client.headers["User-Agent"] = user_agent
    await login(client, username, ADMIN_PASSWORD if username == "test" else "Laura-2026-ok")
    return client


async def test_the_list_shows_each_browser_and_marks_this_one(
    app: App, stack: AsyncExitStack
) -> None:
    desk = await _browser(stack, app, FIREFOX)
    await _browser(stack, app, PHONE)
    listed = (await desk.get("/api/auth/sessions")).json()
    assert len(listed) == 2
    by_device = {s["device"]: s for s in listed}
    assert set(by_device) == {"Firefox on Windows", "Chrome on Android"}
    mine = by_device["Firefox on Windows"]
    assert mine["current"] is True and by_device["Chrome on Android"]["current"] is False
    assert mine["userAgent"] == FIREFOX
    assert mine["ip"] == "127.0.0.1"
    assert mine["createdAt"] and mine["lastSeenAt"] and mine["expiresAt"]
    # The id is not the stored token hash, and not guessable from it.
    assert len(mine["id"]) == 24


async def test_log_out_the_other_sessions(app: App, stack: AsyncExitStack) -> None:
    desk = await _browser(stack, app, FIREFOX)
    phone = await _browser(stack, app, PHONE)
    laptop = await _browser(stack, app, "curl/8.0")
    response = await desk.delete("/api/auth/sessions/others")
    assert response.status_code == 200 and response.json() == {"revoked": 2}
    assert (await phone.get("/api/auth/me")).status_code == 401
    assert (await laptop.get("/api/auth/me")).status_code == 401
    assert (await desk.get("/api/auth/me")).status_code == 200
    assert [s["current"] for s in (await desk.get("/api/auth/sessions")).json()] == [True]


async def test_revoke_one_session_and_this_one(app: App, stack: AsyncExitStack) -> None:
    desk = await _browser(stack, app, FIREFOX)
    phone = await _browser(stack, app, PHONE)
    listed = (await desk.get("/api/auth/sessions")).json()
    phone_id = next(s["id"] for s in listed if not s["current"])
    assert (await desk.delete(f"/api/auth/sessions/{phone_id}")).status_code == 204
    assert (await phone.get("/api/auth/me")).status_code == 401
    again = await desk.delete(f"/api/auth/sessions/{phone_id}")
    assert again.status_code == 404 and "No such session" in again.json()["detail"]
    own_id = (await desk.get("/api/auth/sessions")).json()[0]["id"]
    response = await desk.delete(f"/api/auth/sessions/{own_id}")
    assert response.status_code == 204
    assert 'helpline.sid=""' in response.headers["set-cookie"]
    assert (await desk.get("/api/auth/me")).status_code == 401


async def test_nobody_reaches_another_users_sessions(
    app: App, admin: httpx.AsyncClient, stack: AsyncExitStack
) -> None:
    await make_user(admin, "laura", password="Laura-2026-ok")
    laura = await _browser(stack, app, PHONE, "laura")
    admin_ids = [s["id"] for s in (await admin.get("/api/auth/sessions")).json()]
    for session_id in admin_ids:
        assert (await laura.delete(f"/api/auth/sessions/{session_id}")).status_code == 404
    assert [s["device"] for s in (await laura.get("/api/auth/sessions")).json()] == [
        "Chrome on Android"
    ]
    # Logging out Laura's others leaves the admin logged in.
    assert (await laura.delete("/api/auth/sessions/others")).json() == {"revoked": 0}
    assert (await admin.get("/api/auth/me")).status_code == 200
    async with app.client() as anonymous:
        assert (await anonymous.get("/api/auth/sessions")).status_code == 401


async def test_revoking_needs_the_csrf_token(app: App, admin: httpx.AsyncClient) -> None:
    admin.headers.pop("X-CSRF-Token")
    assert (await admin.delete("/api/auth/sessions/others")).status_code == 403
