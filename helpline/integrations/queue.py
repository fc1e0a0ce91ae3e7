"""Queueing deliveries: the cheap part that runs inside the transactions that cause events
(ingest among them, a hot path).

Who subscribes to what is cached in memory, so an event nobody wants costs a dictionary
look-up and nothing in the database. The cache is dropped when this process changes a
subscription and reloaded at most every `TTL` otherwise (other processes' changes).
A stale entry can name a subscription deleted meanwhile: deliveries carry no foreign key
for that reason (an insert must never fail the transaction it rides in), and the worker
drops a delivery whose subscription is gone."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.batches import Wakeup
from helpline.clock import utcnow
from helpline.integrations.models import DeliveryStatus, WebhookDelivery, WebhookSubscription

EVENTS: tuple[str, ...] = (
    "message.received",
    "message.sent",
    "message.status",
    "conversation.opened",
    "conversation.assigned",
    "conversation.closed",
    "contact.created",
    "contact.updated",
    "deal.created",
    "deal.updated",
)
TEST_EVENT = "webhook.test"  # "send a test event" in the console
FLOW_EVENT = "flow.webhook"  # a flow's webhook action (no subscription, unsigned)
TTL = 10.0  # seconds
RETRY_WINDOW = timedelta(hours=24)
_DIRTY = "webhooks_dirty"

WAKEUP = Wakeup()


class Subscribers:
    """Active subscription ids by event name, per database (tests build many)."""

    def __init__(self) -> None:
        self._by_event: dict[str, list[int]] = {}
        self._loaded_at = float("-inf")
        self._bind: object = None

    def invalidate(self) -> None:
        self._loaded_at = float("-inf")

    async def of(self, session: AsyncSession, event: str) -> list[int]:
        bind = session.bind
        if bind is not self._bind or time.monotonic() - self._loaded_at > TTL:
            rows = await session.execute(
                select(WebhookSubscription.id, WebhookSubscription.events).where(
                    WebhookSubscription.active.is_(True)
                )
            )
            by_event: dict[str, list[int]] = {}
            for sub_id, events in rows:
                for name in events.split():
                    by_event.setdefault(name, []).append(sub_id)
            self._by_event, self._bind, self._loaded_at = by_event, bind, time.monotonic()
        return self._by_event.get(event, [])


SUBSCRIBERS = Subscribers()


def envelope(event_id: str, event: str, data: dict[str, Any]) -> str:
    """The body every receiver gets: compact JSON, kept as is so it is signed exactly."""
    body = {"id": event_id, "event": event, "createdAt": utcnow().isoformat(), "data": data}
    return _dump(body)


def _dump(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=str)


def add(
    session: AsyncSession,
    event: str,
    data: dict[str, Any],
    subscription_ids: list[int],
    url: str | None = None,
) -> list[WebhookDelivery]:
    """Queue one event for these subscriptions (or, with `url`, for that address alone) in
    the session's transaction: one row each, the same event id for all."""
    targets: list[int | None] = [*subscription_ids] if url is None else [None]
    event_id = str(uuid.uuid4())
    # A flow's call keeps the shape flows always posted (its payload, plus the event id).
    body = _dump({"id": event_id, **data}) if url else envelope(event_id, event, data)
    now = utcnow()
    rows = [
        WebhookDelivery(
            subscription_id=sub_id,
            url=url,
            event_id=event_id,
            event=event,
            body=body,
            status=DeliveryStatus.PENDING.value,
            attempts=0,
            next_attempt_at=now,
            give_up_at=now + RETRY_WINDOW,
            created_at=now,
        )
        for sub_id in targets
    ]
    session.add_all(rows)
    mark_dirty(session)
    return rows


def mark_dirty(session: AsyncSession) -> None:
    """The worker is woken when this transaction commits."""
    session.info[_DIRTY] = True


async def publish(session: AsyncSession, event: str, data: dict[str, Any]) -> None:
    """Queue `event` for every active subscription that wants it (none: nothing written)."""
    subscribers = await SUBSCRIBERS.of(session, event)
    if subscribers:
        add(session, event, data, subscribers)


async def flow_webhook(session: AsyncSession, url: str, payload: dict[str, Any]) -> bool:
    """flows.hooks.WEBHOOK_QUEUE: a flow's webhook action goes through the same durable
    queue (unsigned: it has no subscription), retried like any delivery."""
    add(session, FLOW_EVENT, payload, [], url=url)
    return True


async def after_commit(info: dict[str, Any]) -> None:
    """db.COMMITTED: deliveries were queued, so the worker starts on them now."""
    if info.pop(_DIRTY, False):
        WAKEUP.set()
