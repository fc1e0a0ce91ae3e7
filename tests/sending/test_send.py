"""The sending API over HTTP with a Bearer token: a message to a phone number opens the
conversation and goes out through the outbox; phones, scopes, idempotency, files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web
from sqlalchemy import func, select, update

from helpline import clock
from helpline.sending import idempotency
from helpline.sending.models import IdempotencyKey
from tests.conftest import App, CapturedEvents, login, make_user, serve_local
from tests.sending.helpers import PNG, SANDBOX, on_the_phone, send
from tests.tokens.test_tokens import bearer, make_token


async def test_a_text_to_a_new_phone_opens_a_conversation_and_reaches_the_phone(
    app: App, admin: httpx.AsyncClient, sender: httpx.AsyncClient, events: CapturedEvents
) -> None:
    answer = await send(sender, phone="+54 9 11 5555-0101", text="¡Tu pedido salió!")
    assert answer.status_code == 201, answer.text
    out = answer.json()
    assert out["phone"] == "+5491155550101" and out["conversationOpened"] is True
    message = out["message"]
    assert message["body"] == "¡Tu pedido salió!" and message["direction"] == "out"
    assert message["status"] == "queued" and message["conversationId"] == out["conversationId"]
    assert any(e.name == "message:new" for e in events.items)

    (received,) = await on_the_phone(admin, "+5491155550101")
    assert received["body"] == "¡Tu pedido salió!" and received["id"] == message["id"]

    contact = (await admin.get(f"/api/contacts/{out['contactId']}")).json()
    assert contact["phone"] == "+5491155550101"
    again = await send(sender, phone="5491155550101", text="¿Lo recibiste?")
    assert again.status_code == 201, again.text
    assert again.json()["conversationId"] == out["conversationId"]
    assert again.json()["conversationOpened"] is False
    assert again.json()["contactId"] == out["contactId"]


async def test_the_conversation_an_integration_opens_is_read_back(
    app: App, admin: httpx.AsyncClient, sender: httpx.AsyncClient
) -> None:
    sent = (await send(sender, phone="+5491155550102", text="Hola")).json()
    thread = await sender.get(f"/api/conversations/{sent['conversationId']}/messages")
    assert thread.status_code == 200
    assert [m["body"] for m in thread.json()["items"]] == ["Hola"]


@pytest.mark.settings(default_phone_region="AR")
async def test_a_local_phone_is_read_in_the_default_region(
    app: App, sender: httpx.AsyncClient
) -> None:
    answer = await send(sender, phone="011 15-5555-0103", text="Hola")
    assert answer.status_code == 201, answer.text
    assert answer.json()["phone"] == "+5491155550103"


@pytest.mark.settings(default_phone_region="AR")
async def test_a_channel_may_read_local_phones_in_its_own_region(
    app: App, admin: httpx.AsyncClient, sender: httpx.AsyncClient
) -> None:
    bad = await admin.patch(f"/api/channels/{SANDBOX}", json={"phoneRegion": "XX"})
    assert bad.status_code == 422 and "two-letter country code" in bad.json()["detail"]
    assert (await admin.get("/api/channels")).json()[0]["phoneRegion"] is None  # unchanged

    spain = await admin.patch(f"/api/channels/{SANDBOX}", json={"phoneRegion": "es"})
    assert spain.status_code == 200 and spain.json()["phoneRegion"] == "ES"
    answer = await send(sender, phone="612 345 678", text="Hola")
    assert answer.status_code == 201, answer.text
    assert answer.json()["phone"] == "+34612345678"
    listed = await sender.get(f"/api/channels/{SANDBOX}/messages", params={"phone": "612345678"})
    assert [m["phone"] for m in listed.json()["items"]] == ["+34612345678"]

    cleared = await admin.patch(f"/api/channels/{SANDBOX}", json={"phoneRegion": ""})
    assert cleared.json()["phoneRegion"] is None  # the deployment's AR again
    again = await send(sender, phone="011 15-5555-0105", text="Hola")
    assert again.json()["phone"] == "+5491155550105"


@pytest.mark.parametrize("phone", ["12", "no-phone", "+99 123"])
async def test_an_invalid_phone_is_422_naming_it(
    app: App, admin: httpx.AsyncClient, sender: httpx.AsyncClient, phone: str
) -> None:
    answer = await send(sender, phone=phone, text="Hola")
    assert answer.status_code == 422, answer.text
    assert f"'{phone}'" in answer.json()["detail"] and "phone" in answer.json()["detail"]
    assert (await admin.get("/api/contacts")).json()["total"] == 0


async def test_one_kind_of_message_per_send(app: App, sender: httpx.AsyncClient) -> None:
    both = await send(sender, phone="+5491155550104", text="Hola", media={"url": "http://x/y"})
    neither = await send(sender, phone="+5491155550104")
    for answer in (both, neither):
        assert answer.status_code == 422
        assert "exactly one of text, media or template" in answer.json()["detail"]
    xml = await sender.post(
        f"/api/channels/{SANDBOX}/messages",
        content=b"<phone/>",
        headers={"Content-Type": "application/xml"},
    )
    assert xml.status_code == 415
    missing = await send(sender, channel_id=999, phone="+5491155550104", text="Hola")
    assert missing.status_code == 404


async def test_the_scopes_and_roles_that_may_send_and_list(
    app: App, admin: httpx.AsyncClient
) -> None:
    read_only = (await make_token(admin, "read"))["secret"]
    send_only = (await make_token(admin, "send"))["secret"]
    async with bearer(app, read_only) as reader, bearer(app, send_only) as writer:
        refused = await send(reader, phone="+5491155550105", text="Hola")
        assert refused.status_code == 403 and "'send' scope" in refused.json()["detail"]
        assert (await send(writer, phone="+5491155550105", text="Hola")).status_code == 201
        listing = await writer.get(f"/api/channels/{SANDBOX}/messages")
        assert listing.status_code == 403 and "'read' scope" in listing.json()["detail"]
        assert (await reader.get(f"/api/channels/{SANDBOX}/messages")).status_code == 200
    await make_user(admin, "agent7", "OPERATOR")
    await make_user(admin, "boss7", "SUPERVISOR")
    async with app.client() as agent, app.client() as boss:
        await login(agent, "agent7", "Secret123!")
        await login(boss, "boss7", "Secret123!")
        assert (await send(agent, phone="+5491155550106", text="Hola")).status_code == 403
        assert (await send(boss, phone="+5491155550106", text="Hola")).status_code == 201
    # A logged-in admin (cookie and CSRF token) may send too.
    assert (await send(admin, phone="+5491155550107", text="Hola")).status_code == 201


async def test_the_same_key_and_body_answer_the_first_send_again(
    app: App, admin: httpx.AsyncClient, sender: httpx.AsyncClient
) -> None:
    body: dict[str, Any] = {"phone": "+5491155550108", "text": "Factura 0001"}
    first = await send(sender, key="order-77", **body)
    assert first.status_code == 201, first.text
    second = await send(sender, key="order-77", **body)
    assert second.status_code == 201 and second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers

    other_body = await send(sender, key="order-77", phone="+5491155550108", text="Factura 0002")
    assert other_body.status_code == 422
    assert other_body.json()["code"] == "idempotency_key_reused"
    assert "order-77" in other_body.json()["detail"]
    # Keys belong to their caller: another token's "order-77" is its own.
    secret = (await make_token(admin, "send"))["secret"]
    async with bearer(app, secret) as other:
        theirs = await send(other, key="order-77", **body)
    assert (
        theirs.status_code == 201
        and theirs.json()["message"]["id"] != first.json()["message"]["id"]
    )
    # A refused send keeps no key: the same key may carry the corrected request.
    bad = await send(sender, key="order-78", phone="12", text="Hola")
    assert bad.status_code == 422
    assert (await send(sender, key="order-78", **body)).status_code == 201

    sent = await on_the_phone(admin, "+5491155550108", count=3)
    assert [m["body"] for m in sent] == ["Factura 0001", "Factura 0001", "Factura 0001"]


async def test_a_file_is_sent_by_upload(
    app: App, admin: httpx.AsyncClient, sender: httpx.AsyncClient
) -> None:
    answer = await sender.post(
        f"/api/channels/{SANDBOX}/messages",
        data={"phone": "+5491155550109", "caption": "Tu recibo"},
        files={"file": ("recibo.png", PNG, "application/octet-stream")},
        headers={"Idempotency-Key": "upload-1"},
    )
    assert answer.status_code == 201, answer.text
    message = answer.json()["message"]
    assert message["type"] == "image" and message["body"] == "Tu recibo"
    assert message["media"]["mimeType"] == "image/png"
    again = await sender.post(
        f"/api/channels/{SANDBOX}/messages",
        data={"phone": "+5491155550109", "caption": "Tu recibo"},
        files={"file": ("recibo.png", PNG, "image/png")},
        headers={"Idempotency-Key": "upload-1"},
    )
    assert again.json() == answer.json()
    (received,) = await on_the_phone(admin, "+5491155550109")
    assert received["media"]["id"] == message["media"]["id"]

    no_file = await sender.post(
        f"/api/channels/{SANDBOX}/messages", data={"phone": "+5491155550109"}, files={}
    )
    assert no_file.status_code in (415, 422)
    not_allowed = await sender.post(
        f"/api/channels/{SANDBOX}/messages",
        data={"phone": "+5491155550109"},
        files={"file": ("a.exe", b"MZ\x90\x00" + bytes(200), "application/octet-stream")},
    )
    assert not_allowed.status_code == 415


@pytest.fixture
async def files() -> AsyncIterator[str]:
    """A web server with a picture, a big file and a missing one."""

    async def picture(_: web.Request) -> web.Response:
        return web.Response(body=PNG)

    async def big(_: web.Request) -> web.Response:
        return web.Response(body=PNG + bytes(2 * 1024 * 1024))

    server = web.Application()
    server.router.add_get("/recibo.png", picture)
    server.router.add_get("/big.png", big)
    url, runner = await serve_local(server)
    try:
        yield url
    finally:
        await runner.cleanup()


@pytest.mark.settings(max_upload_mb=1)
async def test_a_file_is_sent_by_url(
    app: App, admin: httpx.AsyncClient, sender: httpx.AsyncClient, files: str
) -> None:
    media = {"url": f"{files}/recibo.png", "caption": "Tu recibo"}
    answer = await send(sender, phone="+5491155550110", media=media)
    assert answer.status_code == 201, answer.text
    message = answer.json()["message"]
    assert message["type"] == "image" and message["media"]["filename"] == "recibo.png"
    await on_the_phone(admin, "+5491155550110")

    too_big = await send(sender, phone="+5491155550110", media={"url": f"{files}/big.png"})
    assert too_big.status_code == 413 and "MAX_UPLOAD_MB" in too_big.json()["detail"]
    missing = await send(sender, phone="+5491155550110", media={"url": f"{files}/none.png"})
    assert missing.status_code == 422 and "HTTP 404" in missing.json()["detail"]
    nowhere = await send(sender, phone="+5491155550110", media={"url": "http://127.0.0.1:9/a"})
    assert nowhere.status_code == 422 and "could not be fetched" in nowhere.json()["detail"]
    not_http = await send(sender, phone="+5491155550110", media={"url": "file:///etc/passwd"})
    assert not_http.status_code == 422


async def test_keys_are_forgotten_after_a_day(app: App, sender: httpx.AsyncClient) -> None:
    body: dict[str, Any] = {"phone": "+5491155550111", "text": "Hola"}
    assert (await send(sender, key="k-old", **body)).status_code == 201
    assert (await send(sender, key="k-new", **body)).status_code == 201
    async with app.db.sessionmaker() as session:
        await session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.key == "k-old")
            .values(created_at=clock.utcnow() - idempotency.RETENTION * 2)
        )
        await session.commit()
    assert await idempotency.prune(app.db) == 1
    async with app.db.sessionmaker() as session:
        keys = await session.scalars(select(IdempotencyKey.key))
        assert list(keys) == ["k-new"]
        assert await session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1
