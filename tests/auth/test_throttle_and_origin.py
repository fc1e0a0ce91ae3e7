"""The doors of login and of every cookie-authenticated write, over HTTP: throttling of
wrong passwords (per account and per address, in process or shared through Redis) and the
Origin/Referer check."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from redis.asyncio import Redis

from helpline.app import create_app
from helpline.limiter import PREFIX, Limiter
from tests.conftest import ADMIN_PASSWORD, App, login, make_settings

REDIS_URL = "redis://127.0.0.1:6379/14"


async def _login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/api/auth/login", json={"username": username, "password": password})


async def test_twenty_wrong_passwords_are_throttled_and_the_right_one_works_after_the_wait(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="helpline.auth")
    async with app.client() as client:
        answers = [await _login(client, "test", f"wrong-{i}") for i in range(20)]
        codes = [a.status_code for a in answers]
        # Five free failures, the sixth sets a wait, the rest are refused without a check.
        assert codes[:6] == [401] * 6
        assert set(codes[6:]) == {429}
        throttled = answers[-1]
        assert "Try again in" in throttled.json()["detail"]
        wait = int(throttled.headers["Retry-After"])
        assert wait >= 1
        # Even the right password waits: a guesser cannot tell it was right.
        assert (await _login(client, "test", ADMIN_PASSWORD)).status_code == 429
        await asyncio.sleep(wait + 0.1)
        await login(client, "test", ADMIN_PASSWORD)
        assert (await client.get("/api/auth/me")).status_code == 200
    assert "login throttled: login:user:test" in caplog.text


async def test_waits_grow_and_a_success_clears_the_account(app: App) -> None:
    async with app.client() as client:
        for i in range(6):
            await _login(client, "test", f"wrong-{i}")
        first = int((await _login(client, "test", "x")).headers["Retry-After"])
        await asyncio.sleep(first + 0.1)
        assert (await _login(client, "test", "wrong-again")).status_code == 401
        second = int((await _login(client, "test", "x")).headers["Retry-After"])
        assert second > first
        await asyncio.sleep(second + 0.1)
        await login(client, "test", ADMIN_PASSWORD)
        # Cleared: the next typo is free again.
        assert (await _login(client, "test", "typo")).status_code == 401
        assert (await _login(client, "test", "typo")).status_code == 401


@pytest.mark.settings(login_ip_free_attempts=3)
async def test_one_address_trying_many_accounts_is_throttled(app: App) -> None:
    async with app.client() as client:
        codes = [(await _login(client, f"user{i}", "password")).status_code for i in range(6)]
    assert codes[:4] == [401] * 4
    assert codes[4:] == [429, 429]


@pytest.fixture
async def clean_redis() -> AsyncIterator[None]:
    redis = Redis.from_url(REDIS_URL)
    try:
        keys = [k async for k in redis.scan_iter(PREFIX + "*")]
        if keys:
            await redis.delete(*keys)
    except OSError as exc:
        pytest.skip(f"Redis not reachable: {exc}")
    yield
    await redis.aclose()


@pytest.mark.settings(redis_url=REDIS_URL)
async def test_with_redis_two_workers_share_the_count(
    app: App, db_url: str, clean_redis: None
) -> None:
    other = create_app(make_settings(db_url, redis_url=REDIS_URL))
    async with LifespanManager(other), app.client() as first:
        second = httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://t")
        async with second:
            for i in range(3):
                assert (await _login(first, "test", f"w{i}")).status_code == 401
                assert (await _login(second, "test", f"v{i}")).status_code == 401
            # Six failures in all, across two processes: the next try waits on either.
            assert (await _login(first, "test", ADMIN_PASSWORD)).status_code == 429
            assert (await _login(second, "test", ADMIN_PASSWORD)).status_code == 429


async def test_limiter_falls_back_to_memory_when_redis_is_down() -> None:
    limiter = Limiter("redis://127.0.0.1:1/0")  # nothing listens there
    assert await limiter.count("k", 60) == 1
    assert await limiter.count("k", 60) == 2
    await limiter.block("k", 30)
    assert 29 < await limiter.blocked_for("k") <= 30
    assert not limiter.shared
    assert await limiter.hit("rate", limit=2, window=60) == 0
    assert await limiter.hit("rate", limit=2, window=60) == 0
    assert 59 < await limiter.hit("rate", limit=2, window=60) <= 60  # the window's rest
    await limiter.close()


# --- Origin / Referer on cookie-authenticated writes -----------------------------------


async def test_a_write_from_a_foreign_origin_is_refused_even_with_the_csrf_token(
    app: App, admin: httpx.AsyncClient
) -> None:
    payload = {"from": "+5491155550001", "text": "hola"}
    evil = await admin.post(
        "/api/sandbox/1/inbound", json=payload, headers={"Origin": "https://evil.example"}
    )
    assert evil.status_code == 403
    assert "another site (https://evil.example)" in evil.json()["detail"]
    by_referer = await admin.post(
        "/api/sandbox/1/inbound",
        json=payload,
        headers={"Referer": "https://evil.example/page?x=1"},
    )
    assert by_referer.status_code == 403
    null_origin = await admin.post(
        "/api/sandbox/1/inbound", json=payload, headers={"Origin": "null"}
    )
    assert null_origin.status_code == 403
    # Nothing was stored by the refused writes.
    assert (await admin.get("/api/conversations")).json()["total"] == 0
    same = await admin.post(
        "/api/sandbox/1/inbound", json=payload, headers={"Origin": "http://testserver"}
    )
    assert same.status_code == 201
    referer_same = await admin.post(
        "/api/sandbox/1/inbound",
        json={**payload, "text": "otra"},
        headers={"Referer": "http://testserver/chats/1"},
    )
    assert referer_same.status_code == 201
    # Reads are not writes: a foreign Origin on a GET is not this check's business.
    read = await admin.get("/api/auth/me", headers={"Origin": "https://evil.example"})
    assert read.status_code == 200


@pytest.mark.settings(cors_origin="https://console.example.org")
async def test_cors_origins_pass(app: App, admin: httpx.AsyncClient) -> None:
    response = await admin.post(
        "/api/sandbox/1/inbound",
        json={"from": "+5491155550001", "text": "hola"},
        headers={"Origin": "https://console.example.org"},
    )
    assert response.status_code == 201


async def test_requests_without_the_cookie_are_not_concerned(app: App) -> None:
    # Provider webhooks are posted by servers: no cookie, any Origin; they meet their own
    # checks (signature, token), never this one.
    async with app.client() as client:
        response = await client.post(
            "/api/webhooks/whatsapp",
            content=b"{}",
            headers={"Origin": "https://evil.example", "Content-Type": "application/json"},
        )
    assert response.status_code != 403 or "another site" not in response.text
