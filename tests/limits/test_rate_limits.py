"""Rate limits over HTTP: per class of route, per API token or user, 429 with Retry-After,
shared across app instances through Redis, never on inbound provider webhooks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from redis.asyncio import Redis
from sqlalchemy import func, select

from helpline.app import create_app
from helpline.limiter import PREFIX
from helpline.messages.models import Message, MessageStatus
from tests.cloud.helpers import cloud_channel, load, post_webhook, retarget, stored
from tests.conftest import App, eventually, make_settings
from tests.sending.helpers import SANDBOX
from tests.tokens.test_tokens import an_open_conversation, bearer, make_token

# A database of its own (the login-throttle tests use 14), emptied of rate counters.
REDIS_URL = "redis://127.0.0.1:6379/12"
ALL_TIGHT = {
    f"rate_limit_{name}": "1/min"
    for name in ("connect", "disconnect", "status", "connections", "send", "messages")
}


async def send(client: httpx.AsyncClient, conv_id: int, text: str = "hola") -> httpx.Response:
    return await client.post(f"/api/conversations/{conv_id}/messages", json={"body": text})


async def delivered(app: App) -> None:
    """Wait for the outbox to hand every send to the sandbox, so the app stops between
    deliveries (a delivery cut short at shutdown can hold SQLite's write lock)."""

    async def settled() -> bool:
        async with app.db.sessionmaker() as session:
            pending = await session.scalar(
                select(func.count())
                .select_from(Message)
                .where(Message.status.in_([MessageStatus.QUEUED, MessageStatus.SENDING]))
            )
        return pending == 0

    await eventually(settled, within=30)


def assert_limited(response: httpx.Response, what: str) -> int:
    assert response.status_code == 429, response.text
    body = response.json()
    assert body["detail"].startswith(f"Too many requests: {what} calls are limited to")
    assert "Try again in" in body["detail"]
    wait = int(response.headers["Retry-After"])
    assert wait >= 1
    return wait


async def test_the_201st_send_in_a_minute_answers_429(app: App, admin: httpx.AsyncClient) -> None:
    conv_id = await an_open_conversation(admin)
    secret = (await make_token(admin, "send"))["secret"]
    async with bearer(app, secret) as caller:
        for i in range(200):
            sent = await send(caller, conv_id, f"mensaje {i}")
            assert sent.status_code == 201, (i, sent.text)
        refused = await send(caller, conv_id, "uno de más")
    wait = assert_limited(refused, "send")
    assert 1 <= wait <= 60
    assert "200 per minute for each API token" in refused.json()["detail"]
    await delivered(app)


@pytest.mark.settings(rate_limit_send="2/s")
async def test_after_the_retry_after_wait_sending_works_again(
    app: App, admin: httpx.AsyncClient
) -> None:
    conv_id = await an_open_conversation(admin)
    assert [(await send(admin, conv_id)).status_code for _ in range(2)] == [201, 201]
    wait = assert_limited(await send(admin, conv_id), "send")
    assert wait == 1
    await asyncio.sleep(wait + 0.05)
    assert (await send(admin, conv_id)).status_code == 201
    await delivered(app)


@pytest.mark.settings(rate_limit_send="2/min")
async def test_two_tokens_and_a_user_do_not_share_a_counter(
    app: App, admin: httpx.AsyncClient
) -> None:
    conv_id = await an_open_conversation(admin)
    first = (await make_token(admin, "send"))["secret"]
    second = (await make_token(admin, "send"))["secret"]
    async with bearer(app, first) as one, bearer(app, second) as other:
        assert [(await send(one, conv_id)).status_code for _ in range(3)] == [201, 201, 429]
        # The same admin made both tokens; each still has its own 2 per minute.
        assert [(await send(other, conv_id)).status_code for _ in range(3)] == [201, 201, 429]
    # And the admin in the console counts as themselves.
    assert [(await send(admin, conv_id)).status_code for _ in range(3)] == [201, 201, 429]
    await delivered(app)


@pytest.mark.settings(rate_limit_send="1/min")
async def test_media_and_replies_share_the_send_class(app: App, admin: httpx.AsyncClient) -> None:
    conv_id = await an_open_conversation(admin)
    assert (await send(admin, conv_id)).status_code == 201
    media = await admin.post(
        f"/api/conversations/{conv_id}/media",
        files={"file": ("nota.txt", b"hola", "text/plain")},
    )
    assert_limited(media, "send")
    # Notes are not sends.
    note = await admin.post(f"/api/conversations/{conv_id}/notes", json={"body": "interna"})
    assert note.status_code == 201
    await delivered(app)


@pytest.mark.settings(**ALL_TIGHT)
async def test_each_class_has_its_own_counter(app: App, admin: httpx.AsyncClient) -> None:
    conv_id = await an_open_conversation(admin)
    # One of each passes, the second of each is refused, in its own class.
    calls = [
        ("connections", "GET", "/api/channels"),
        ("status", "GET", "/api/channels/1/status"),
        ("status", "GET", "/api/bot/qr"),  # the same class: already spent
        ("messages", "GET", f"/api/conversations/{conv_id}/messages"),
        ("messages", "GET", "/api/messages"),
        ("connect", "POST", "/api/channels/1/resume"),
        ("connect", "POST", "/api/bot/start"),
        ("disconnect", "POST", "/api/channels/1/pause"),
        ("disconnect", "POST", "/api/bot/stop"),
    ]
    seen: set[str] = set()
    for name, method, path in calls:
        response = await admin.request(method, path)
        if name in seen:
            assert_limited(response, name)
        else:
            assert response.status_code != 429, (path, response.text)
            seen.add(name)
    # Routes outside the classes are not limited.
    for _ in range(3):
        assert (await admin.get("/api/channels/1")).status_code == 200


@pytest.mark.settings(rate_limit_send="off", rate_limit_connections="0")
async def test_off_and_zero_turn_a_limit_off(app: App, admin: httpx.AsyncClient) -> None:
    conv_id = await an_open_conversation(admin)
    assert {(await send(admin, conv_id)).status_code for _ in range(5)} == {201}
    assert {(await admin.get("/api/channels")).status_code for _ in range(5)} == {200}
    await delivered(app)


@pytest.mark.settings(**ALL_TIGHT)
async def test_inbound_provider_webhooks_are_never_limited(
    app: App, admin: httpx.AsyncClient
) -> None:
    channel_id = await cloud_channel(admin)
    payload = retarget(load("message__text__pywa.json"))
    text = json.dumps(payload)
    for i in range(10):
        body = json.loads(text.replace("wamid.xyzxyz", f"wamid.limits{i}"))
        answer = await post_webhook(admin, body)
        assert answer.status_code == 200, answer.text

    async def all_stored() -> bool:
        return len(await stored(app, channel_id)) == 10

    await eventually(all_stored)
    # The sandbox's simulated phone is an inbound channel too.
    for i in range(5):
        inbound = await admin.post(
            "/api/sandbox/1/inbound", json={"from": "+5491155550199", "text": f"hola {i}"}
        )
        assert inbound.status_code != 429, inbound.text


@pytest.fixture
async def clean_redis() -> AsyncIterator[None]:
    redis = Redis.from_url(REDIS_URL)
    try:
        keys = [k async for k in redis.scan_iter(PREFIX + "rate:*")]
        if keys:
            await redis.delete(*keys)
    except OSError as exc:
        pytest.skip(f"Redis not reachable: {exc}")
    yield
    await redis.aclose()


@pytest.mark.settings(redis_url=REDIS_URL, rate_limit_send="4/min")
async def test_with_redis_two_app_instances_share_the_counter(
    app: App, admin: httpx.AsyncClient, db_url: str, clean_redis: None
) -> None:
    conv_id = await an_open_conversation(admin)
    secret = (await make_token(admin, "send"))["secret"]
    other = create_app(make_settings(db_url, redis_url=REDIS_URL, rate_limit_send="4/min"))
    async with LifespanManager(other), bearer(app, secret) as first:
        transport = httpx.ASGITransport(app=other)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as second:
            second.headers["Authorization"] = f"Bearer {secret}"
            codes = []
            for _ in range(2):
                codes.append((await send(first, conv_id)).status_code)
                codes.append((await send(second, conv_id)).status_code)
            assert codes == [201] * 4
            # Four sends in all, across two processes: the fifth is refused on either.
            assert_limited(await send(first, conv_id), "send")
            assert_limited(await send(second, conv_id), "send")
            await delivered(app)


@pytest.mark.settings(rate_limit_send="1/min", rate_limit_messages="1/min")
async def test_the_sending_api_counts_in_send_and_messages(
    app: App, admin: httpx.AsyncClient
) -> None:
    secret = (await make_token(admin, "send", "read"))["secret"]
    async with bearer(app, secret) as caller:
        first = await caller.post(
            f"/api/channels/{SANDBOX}/messages", json={"phone": "+5491155550301", "text": "Hola"}
        )
        assert first.status_code == 201, first.text
        again = await caller.post(
            f"/api/channels/{SANDBOX}/messages", json={"phone": "+5491155550302", "text": "Hola"}
        )
        assert_limited(again, "send")
        assert (await caller.get(f"/api/channels/{SANDBOX}/messages")).status_code == 200
        assert_limited(await caller.get(f"/api/channels/{SANDBOX}/messages"), "messages")
    await delivered(app)
