"""Group commit: messages arriving together share a transaction, and sharing it changes
nothing a customer or an operator can see."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
from sqlalchemy import func, select

from helpline.channels.providers.base import InboundMessage
from helpline.errors import NotFound
from helpline.messages.ingest import Inbound, IngestResult, IngestWriter, ingest_batch
from helpline.models import Contact, Conversation, Message
from tests.conftest import App, CapturedEvents

PHONES = ["+5491155551001", "+5491155551002", "+5491155551003"]


def inbound(n: int, phone: str, channel_id: int = 1) -> Inbound:
    return Inbound.parse(channel_id, InboundMessage(f"wamid.{n}", phone, f"mensaje {n}", "Ana"))


async def count(app: App, model: type) -> int:
    async with app.db.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_burst_over_http_stores_each_message_once(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    """30 concurrent posts from 3 new customers, every third one a redelivery."""

    async def post(n: int) -> httpx.Response:
        body = {"from": PHONES[n // 2 % 3], "text": f"mensaje {n}", "id": f"wamid.{n - n % 2}"}
        return await admin.post("/api/sandbox/1/inbound", json=body)

    responses = await asyncio.gather(*(post(n) for n in range(30)))
    assert Counter(r.status_code for r in responses) == {201: 15, 200: 15}
    by_id: dict[str, set[int]] = {}
    for n, r in enumerate(responses):
        by_id.setdefault(f"wamid.{n - n % 2}", set()).add(r.json()["message"]["id"])
    assert all(len(ids) == 1 for ids in by_id.values())  # a redelivery answers with the original
    assert await count(app, Message) == 15
    assert await count(app, Contact) == 3
    assert await count(app, Conversation) == 3
    incoming = events.named("conversation:incoming")
    assert len(incoming) == 3 and len(events.named("message:new")) == 15
    listing = (await admin.get("/api/conversations")).json()["items"]
    assert sorted(c["unreadCount"] for c in listing) == [5, 5, 5]


async def test_a_message_for_an_unknown_channel_fails_alone(app: App) -> None:
    writer = IngestWriter(app.db)
    outcomes = await asyncio.gather(
        writer.submit(inbound(1, PHONES[0])),
        writer.submit(inbound(2, PHONES[1], channel_id=999)),
        writer.submit(inbound(3, PHONES[0])),
        return_exceptions=True,
    )
    assert isinstance(outcomes[1], NotFound)
    first, third = outcomes[0], outcomes[2]
    assert isinstance(first, IngestResult) and isinstance(third, IngestResult)
    assert first.opened and not third.opened
    assert first.conversation.id == third.conversation.id
    assert await count(app, Message) == 2


async def test_the_sandbox_refuses_other_providers_channels(
    app: App, admin: httpx.AsyncClient
) -> None:
    channel = await admin.post("/api/channels", json={"name": "Otro", "provider": "sandbox"})
    assert channel.status_code == 201
    writer = IngestWriter(app.db)
    item = Inbound.parse(channel.json()["id"], InboundMessage("x", PHONES[0], "hola"), "other")
    with pytest.raises(NotFound):
        await writer.submit(item)
    assert await count(app, Message) == 0


async def test_a_redelivery_in_a_later_batch_is_found_on_the_retry(app: App) -> None:
    """The first attempt leaves duplicates to the unique constraint; the retry looks."""
    (original,) = await ingest_batch(app.db, [inbound(7, PHONES[0])])
    again, fresh = await ingest_batch(app.db, [inbound(7, PHONES[0]), inbound(8, PHONES[0])])
    assert isinstance(original, IngestResult) and isinstance(again, IngestResult)
    assert again.duplicate and again.message.id == original.message.id
    assert isinstance(fresh, IngestResult) and not fresh.duplicate
    assert await count(app, Message) == 2
