"""Outgoing webhooks over HTTP, with a real receiver on a local port: signed deliveries,
retries, a receiver that was down, and the refusals."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from helpline.clock import utcnow
from helpline.integrations.models import WebhookDelivery
from helpline.integrations.signing import HEADER, verify
from tests.conftest import App, eventually, login, make_user
from tests.integrations.receiver import Receiver

pytestmark = pytest.mark.settings(webhook_backoff_seconds=0.2)

SECRET = "a-shared-secret-of-the-shop"


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    up = Receiver()
    await up.start()
    yield up
    await up.stop()


async def subscribe(
    admin: httpx.AsyncClient, url: str, *events: str, **extra: Any
) -> dict[str, Any]:
    response = await admin.post(
        "/api/integrations/webhooks",
        json={"name": "Shop", "url": url, "events": list(events), **extra},
    )
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def customer_writes(
    admin: httpx.AsyncClient, text: str, phone: str = "+5491155550101"
) -> dict[str, Any]:
    sent = await admin.post("/api/sandbox/1/inbound", json={"from": phone, "text": text})
    assert sent.status_code == 201, sent.text
    body: dict[str, Any] = sent.json()
    return body


async def deliveries(admin: httpx.AsyncClient, webhook_id: int) -> list[dict[str, Any]]:
    response = await admin.get(f"/api/integrations/webhooks/{webhook_id}/deliveries")
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


async def test_a_received_message_arrives_signed_with_an_event_id(
    admin: httpx.AsyncClient, receiver: Receiver
) -> None:
    hook = await subscribe(admin, receiver.url, "message.received", secret=SECRET)
    assert hook["secret"] == SECRET and hook["events"] == ["message.received"]
    await customer_writes(admin, "¿Tienen envío a Rosario?")
    await eventually(lambda: _count(receiver, "message.received", 1))
    (got,) = receiver.received
    assert verify(SECRET, got.headers[HEADER], got.body)
    assert not verify("another-secret-entirely", got.headers[HEADER], got.body)
    assert not verify(SECRET, got.headers[HEADER], got.body + b" ")
    body = got.json
    assert uuid.UUID(body["id"]) and got.headers["X-Helpline-Event-Id"] == body["id"]
    assert body["event"] == "message.received" and body["createdAt"]
    assert body["data"]["message"]["body"] == "¿Tienen envío a Rosario?"
    assert body["data"]["contact"]["phone"] == "+5491155550101"
    (row,) = await eventually(lambda: _settled(admin, hook["id"]))
    assert row["status"] == "delivered" and row["responseStatus"] == 200
    assert row["attempts"] == 1 and row["eventId"] == body["id"]


async def test_a_receiver_that_answers_500_gets_the_event_again(
    admin: httpx.AsyncClient, receiver: Receiver
) -> None:
    receiver.answers = [500]
    hook = await subscribe(admin, receiver.url, "message.received", secret=SECRET)
    await customer_writes(admin, "hola")
    await eventually(lambda: _count(receiver, "message.received", 2))
    first, second = receiver.received
    assert first.json["id"] == second.json["id"]  # the same event: the receiver can de-dup
    assert verify(SECRET, second.headers[HEADER], second.body)
    (row,) = await eventually(lambda: _settled(admin, hook["id"]))
    assert row["status"] == "delivered" and row["attempts"] == 2


async def test_events_sent_while_the_receiver_was_down_arrive_later(
    admin: httpx.AsyncClient, receiver: Receiver
) -> None:
    await receiver.stop()
    hook = await subscribe(admin, receiver.url, "message.received", secret=SECRET)
    for n in range(3):
        await customer_writes(admin, f"mensaje {n}", phone=f"+549115555020{n}")

    async def tried_and_waiting() -> bool:
        rows = await deliveries(admin, hook["id"])
        return len(rows) == 3 and all(r["attempts"] >= 1 and r["status"] == "pending" for r in rows)

    await eventually(tried_and_waiting)
    row = (await deliveries(admin, hook["id"]))[0]
    assert row["error"] and row["responseStatus"] is None
    listed = (await admin.get("/api/integrations/webhooks")).json()
    assert listed[0]["pending"] == 3
    await receiver.start()
    await eventually(lambda: _count(receiver, "message.received", 3), within=20)
    texts = sorted(r.json["data"]["message"]["body"] for r in receiver.received)
    assert texts == ["mensaje 0", "mensaje 1", "mensaje 2"]
    assert all(verify(SECRET, r.headers[HEADER], r.body) for r in receiver.received)
    await eventually(lambda: _all_delivered(admin, hook["id"], 3), within=10)


async def test_after_the_window_a_delivery_fails_and_can_be_delivered_again(
    app: App, admin: httpx.AsyncClient, receiver: Receiver
) -> None:
    receiver.answers = [503] * 1000
    hook = await subscribe(admin, receiver.url, "message.received")
    sent = await admin.post(f"/api/integrations/webhooks/{hook['id']}/test")
    assert sent.status_code == 202 and sent.json()["event"] == "webhook.test"
    await eventually(lambda: _count(receiver, "webhook.test", 1))
    async with app.db.sessionmaker() as session:  # 24 hours later
        await session.execute(
            update(WebhookDelivery).values(give_up_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    (row,) = await eventually(lambda: _settled(admin, hook["id"]))
    assert row["status"] == "failed" and row["responseStatus"] == 503
    assert "503" in row["error"]
    assert (await admin.get("/api/integrations/webhooks")).json()[0]["failed"] == 1
    receiver.answers = []
    again = await admin.post(
        f"/api/integrations/webhooks/{hook['id']}/deliveries/{row['id']}/redeliver"
    )
    assert again.status_code == 200 and again.json()["status"] == "pending"
    (row,) = await eventually(lambda: _settled(admin, hook["id"]))
    assert row["status"] == "delivered" and row["responseStatus"] == 200
    ids = {r.json["id"] for r in receiver.received}
    assert ids == {sent.json()["eventId"]}  # one event, delivered again


async def test_the_desk_events_each_reach_their_subscriber(
    admin: httpx.AsyncClient, receiver: Receiver
) -> None:
    events = (await admin.get("/api/integrations/webhooks/events")).json()["events"]
    await subscribe(admin, receiver.url, *events)
    conv = (await customer_writes(admin, "hola"))["conversation"]
    assert (await admin.post(f"/api/conversations/{conv['id']}/take")).status_code == 200
    reply = await admin.post(f"/api/conversations/{conv['id']}/messages", json={"body": "¡Hola!"})
    assert reply.status_code == 201, reply.text
    await eventually(lambda: _count(receiver, "message.sent", 1))
    closed = await admin.post(f"/api/conversations/{conv['id']}/close", json={})
    assert closed.status_code == 200, closed.text
    contact_id = conv["contact"]["id"]
    patched = await admin.patch(f"/api/contacts/{contact_id}", json={"name": "Ana"})
    assert patched.status_code == 200, patched.text
    pipeline = (await admin.post("/api/pipeline", json={"name": "Ventas"})).json()
    stage = await admin.post(
        "/api/pipeline/stages", json={"pipelineId": pipeline["id"], "name": "A"}
    )
    deal = await admin.post(
        "/api/pipeline/deals",
        json={
            "title": "Venta",
            "contactId": contact_id,
            "stageId": stage.json()["id"],
            "value": "10.00",
            "currency": "ARS",
        },
    )
    assert deal.status_code == 201, deal.text
    await admin.patch(f"/api/pipeline/deals/{deal.json()['id']}", json={"title": "Venta grande"})
    wanted = {
        "contact.created",
        "conversation.opened",
        "message.received",
        "conversation.assigned",
        "message.sent",
        "conversation.closed",
        "contact.updated",
        "deal.created",
        "deal.updated",
    }

    async def all_arrived() -> set[str]:
        got = {r.json["event"] for r in receiver.received}
        return got if wanted <= got else set()

    await eventually(all_arrived)
    closed_event = receiver.events("conversation.closed")[0].json["data"]["conversation"]
    assert closed_event["id"] == conv["id"] and closed_event["status"] == "closed"
    assert (
        receiver.events("conversation.assigned")[0].json["data"]["conversation"]["status"]
        == "active"
    )
    assert receiver.events("deal.updated")[0].json["data"]["deal"]["title"] == "Venta grande"
    assert receiver.events("contact.updated")[0].json["data"]["contact"]["name"] == "Ana"


async def test_nothing_is_queued_for_an_event_nobody_wants(
    app: App, admin: httpx.AsyncClient, receiver: Receiver
) -> None:
    await subscribe(admin, receiver.url, "conversation.closed")
    await customer_writes(admin, "hola")
    async with app.db.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0


async def test_subscriptions_are_kept_shown_once_and_audited(
    admin: httpx.AsyncClient, receiver: Receiver
) -> None:
    made = await subscribe(admin, receiver.url, "message.received", "contact.created")
    assert made["secret"].startswith("whsec_") and len(made["secret"]) > 40
    listed = (await admin.get("/api/integrations/webhooks")).json()
    assert [h["id"] for h in listed] == [made["id"]] and "secret" not in listed[0]
    assert listed[0]["events"] == ["message.received", "contact.created"]
    url = f"/api/integrations/webhooks/{made['id']}"
    patched = await admin.patch(url, json={"active": False, "events": ["deal.created"]})
    assert patched.status_code == 200, patched.text
    assert patched.json()["active"] is False and patched.json()["events"] == ["deal.created"]
    rotated = await admin.post(f"{url}/secret")
    assert rotated.status_code == 200 and rotated.json()["secret"] != made["secret"]
    audit = (await admin.get("/api/audit", params={"kind": "webhook.updated"})).json()
    assert audit["items"], audit
    assert "a-shared" not in str(audit) and made["secret"] not in str(audit)
    assert (await admin.delete(url)).status_code == 204
    assert (await admin.get(url)).status_code == 404
    assert (await admin.get("/api/integrations/webhooks")).json() == []


async def test_bad_input_is_refused_with_422(admin: httpx.AsyncClient, receiver: Receiver) -> None:
    unknown = await admin.post(
        "/api/integrations/webhooks",
        json={"name": "Shop", "url": receiver.url, "events": ["message.received", "order.paid"]},
    )
    assert unknown.status_code == 422
    detail = unknown.json()["detail"]
    assert "order.paid" in detail and "message.received" in detail and "deal.updated" in detail
    for url in ("ftp://example.com/hooks", "javascript:alert(1)", "example.com/hooks", "http://"):
        refused = await admin.post(
            "/api/integrations/webhooks",
            json={"name": "Shop", "url": url, "events": ["message.received"]},
        )
        assert refused.status_code == 422, (url, refused.text)
        assert "http" in refused.json()["detail"]
    for url in ("http://testserver/api/hooks", "http://localhost:4000/x", "http://127.0.0.1:4000"):
        refused = await admin.post(
            "/api/integrations/webhooks",
            json={"name": "Shop", "url": url, "events": ["message.received"]},
        )
        assert refused.status_code == 422, (url, refused.text)
        assert "this desk" in refused.json()["detail"]
    assert (
        await admin.post(
            "/api/integrations/webhooks",
            json={"name": "Shop", "url": receiver.url, "events": []},
        )
    ).status_code == 422
    short = await admin.post(
        "/api/integrations/webhooks",
        json={"name": "Shop", "url": receiver.url, "events": ["deal.created"], "secret": "x"},
    )
    assert short.status_code == 422
    made = await subscribe(admin, receiver.url, "deal.created")
    url = f"/api/integrations/webhooks/{made['id']}"
    assert (await admin.patch(url, json={"events": ["nope"]})).status_code == 422
    assert (await admin.patch(url, json={"url": "http://testserver/"})).status_code == 422
    assert (await admin.patch(url, json={"name": None})).status_code == 422
    assert (await admin.get("/api/integrations/webhooks/999999")).status_code == 404
    missing = await admin.post(f"{url}/deliveries/999999/redeliver")
    assert missing.status_code == 404


async def test_only_admins_manage_webhooks(app: App, admin: httpx.AsyncClient) -> None:
    await make_user(admin, "supervisora", role="SUPERVISOR")
    async with app.client() as client:
        await login(client, "supervisora", "Secret123!")
        assert (await client.get("/api/integrations/webhooks")).status_code == 403


async def _count(receiver: Receiver, event: str, n: int) -> bool:
    return len(receiver.events(event)) >= n


async def _settled(admin: httpx.AsyncClient, webhook_id: int) -> list[dict[str, Any]]:
    rows = await deliveries(admin, webhook_id)
    return rows if rows and all(r["status"] != "pending" for r in rows) else []


async def _all_delivered(admin: httpx.AsyncClient, webhook_id: int, n: int) -> bool:
    rows = await deliveries(admin, webhook_id)
    return len(rows) == n and all(r["status"] == "delivered" for r in rows)
