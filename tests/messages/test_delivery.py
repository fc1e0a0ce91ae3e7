"""The outbox: retries with backoff, failures with the provider's reason, no double sends."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from helpline.channels import providers
from helpline.channels.providers.base import InboundMessage, OutboundText, SendResult
from helpline.channels.service import get_channel
from helpline.clock import utcnow
from helpline.messages.delivery import DeliveryWorker
from helpline.messages.ingest import ingest_message
from helpline.messages.models import Message, Sender
from helpline.messages.service import queue_outbound
from tests.conftest import App, CapturedEvents, eventually

FLAKY = "+5491100000001"
REJECTED = "+5491100000002"


async def open_conversation(admin: httpx.AsyncClient, channel_id: int, phone: str) -> int:
    response = await admin.post(
        f"/api/sandbox/{channel_id}/inbound", json={"from": phone, "text": "hola"}
    )
    assert response.status_code == 201, response.text
    conv_id: int = response.json()["conversation"]["id"]
    return conv_id


async def failing_channel(admin: httpx.AsyncClient) -> int:
    response = await admin.post(
        "/api/channels",
        json={
            "name": "Flaky",
            "provider": "sandbox",
            "config": {"fail": {FLAKY: "transient", REJECTED: "permanent"}},
        },
    )
    assert response.status_code == 201
    channel_id: int = response.json()["id"]
    return channel_id


async def message_row(app: App, message_id: int) -> Message:
    async with app.db.sessionmaker() as session:
        msg = await session.get(Message, message_id)
        assert msg is not None
        return msg


@pytest.mark.settings(delivery_max_attempts=2)
async def test_transient_failures_are_retried_then_fail_with_the_reason(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    channel_id = await failing_channel(admin)
    conv_id = await open_conversation(admin, channel_id, FLAKY)
    sent = (
        await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": "¿Sigue ahí?"})
    ).json()

    async def failed() -> Message | None:
        msg = await message_row(app, sent["id"])
        return msg if msg.status == "failed" else None

    msg = await eventually(failed, within=15)
    assert msg.attempts == 2
    assert msg.error == "Phone unreachable (sandbox)"
    status_events = [
        e.payload for e in events.named("message:status") if e.payload["id"] == sent["id"]
    ]
    assert status_events == [
        {
            "id": sent["id"],
            "conversationId": conv_id,
            "status": "failed",
            "error": "Phone unreachable (sandbox)",
        }
    ]


@pytest.mark.settings(delivery_max_attempts=2)
async def test_a_reply_waiting_for_its_retry_holds_back_the_later_ones(
    app: App, admin: httpx.AsyncClient
) -> None:
    channel_id = await failing_channel(admin)
    conv_id = await open_conversation(admin, channel_id, FLAKY)
    first, second = [
        (await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": b})).json()
        for b in ("primero", "segundo")
    ]

    async def first_waits_for_its_retry() -> bool:
        msg = await message_row(app, first["id"])
        return msg.status == "queued" and msg.attempts == 1

    await eventually(first_waits_for_its_retry, within=15)
    assert (await message_row(app, second["id"])).attempts == 0  # not sent past the first

    async def both_failed() -> bool:
        rows = [await message_row(app, m["id"]) for m in (first, second)]
        return all(m.status == "failed" and m.attempts == 2 for m in rows)

    await eventually(both_failed, within=20)


async def test_a_rejected_send_fails_at_once(app: App, admin: httpx.AsyncClient) -> None:
    channel_id = await failing_channel(admin)
    conv_id = await open_conversation(admin, channel_id, REJECTED)
    sent = (
        await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": "Hola"})
    ).json()

    async def failed() -> Message | None:
        msg = await message_row(app, sent["id"])
        return msg if msg.status == "failed" else None

    msg = await eventually(failed)
    assert msg.attempts == 1 and msg.error == "Number rejected (sandbox)"
    page = (await admin.get(f"/api/conversations/{conv_id}/messages")).json()
    assert page["items"][-1]["error"] == "Number rejected (sandbox)"


class CountingProvider:
    """Counts sends; slow enough that concurrent workers would overlap if claims were unsafe."""

    name = "counting"
    sent: Counter[int] = Counter()

    def __init__(self, config: dict[str, Any]) -> None:
        pass

    async def send_text(self, message: OutboundText) -> SendResult:
        self.sent[message.message_id] += 1
        await asyncio.sleep(0.001)
        return SendResult(provider_message_id=f"c-{message.message_id}", status="sent")


async def test_concurrent_workers_never_send_a_message_twice(
    app: App, admin: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(providers.PROVIDERS, "counting", CountingProvider)
    CountingProvider.sent.clear()
    created = await admin.post("/api/channels", json={"name": "Count", "provider": "counting"})
    async with app.db.sessionmaker() as session:
        channel = await get_channel(session, created.json()["id"])
        conversations = []
        for n in range(8):
            event = InboundMessage(
                provider_message_id=f"in-{n}", from_phone=f"+54911000100{n:02d}", text="hola"
            )
            conversations.append((await ingest_message(session, channel, event)).conversation)
    async with app.db.sessionmaker() as session:
        ids = []
        for conv in conversations:
            conv = await session.merge(conv)
            for n in range(5):
                ids.append((await queue_outbound(session, conv, f"r{n}", Sender.BOT)).id)
        await session.commit()  # the app's own worker wakes up and joins the race
    workers = [DeliveryWorker(app.db, max_attempts=3, batch_size=7) for _ in range(3)]

    async def drain(worker: DeliveryWorker) -> None:
        while await worker.run_once():
            pass

    await asyncio.gather(*(drain(w) for w in workers))

    async def all_sent() -> bool:
        async with app.db.sessionmaker() as session:
            statuses = list(
                await session.scalars(select(Message.status).where(Message.id.in_(ids)))
            )
        return all(s == "sent" for s in statuses)

    await eventually(all_sent)
    assert sorted(CountingProvider.sent) == sorted(ids)
    assert set(CountingProvider.sent.values()) == {1}


async def test_a_dead_workers_lease_runs_out_and_the_message_is_sent(
    app: App, admin: httpx.AsyncClient
) -> None:
    conv_id = await open_conversation(admin, 1, "+5491155550009")
    sent = (
        await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": "hola"})
    ).json()
    await eventually(lambda: _status_is(app, sent["id"], "delivered"))
    # Pretend a process claimed it and died: "sending" with a lease already expired.
    async with app.db.sessionmaker() as session:
        await session.execute(
            update(Message)
            .where(Message.id == sent["id"])
            .values(status="sending", next_attempt_at=utcnow(), provider_message_id=None)
        )
        await session.commit()
    await DeliveryWorker(app.db, max_attempts=3).run_once()
    assert await _status_is(app, sent["id"], "delivered")


async def _status_is(app: App, message_id: int, status: str) -> bool:
    return (await message_row(app, message_id)).status == status
