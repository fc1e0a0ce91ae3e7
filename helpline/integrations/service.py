"""Webhook subscriptions (admins) and their deliveries."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.clock import utcnow
from helpline.config import Settings
from helpline.errors import Conflict, NotFound, Unprocessable
from helpline.integrations.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from helpline.integrations.queue import RETRY_WINDOW, TEST_EVENT, add, mark_dirty
from helpline.integrations.schemas import WebhookIn, WebhookOut, WebhookPatch

SECRET_PREFIX = "whsec_"
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", "[::1]"})
DELIVERIES_SHOWN = 50

Host = tuple[str, int]


def _host(url: str) -> Host | None:
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if not parts.hostname:
        return None
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: not an address of ours
        return None
    return parts.hostname.lower(), port or (443 if parts.scheme == "https" else 80)


def desk_hosts(settings: Settings, request_hosts: Iterable[str]) -> set[Host]:
    """The addresses the desk answers at: the one this request came to, the console's
    configured origins, and this machine at the desk's port."""
    hosts = {h for raw in (*request_hosts, *settings.cors_origins) if (h := _host(raw))}
    return hosts | {(name.strip("[]"), settings.port) for name in LOOPBACK}


def check_not_desk(url: str, desk: set[Host]) -> None:
    host = _host(url)
    if host is not None and (host in desk or (host[0].strip("[]"), host[1]) in desk):
        raise Unprocessable("url: points at this desk itself; a webhook must go to another system")


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


async def _get(session: AsyncSession, sub_id: int) -> WebhookSubscription:
    sub = await session.get(WebhookSubscription, sub_id)
    if sub is None:
        raise NotFound(f"Webhook {sub_id} not found")
    return sub


async def out(session: AsyncSession, subs: list[WebhookSubscription]) -> list[WebhookOut]:
    """With their pending and failed delivery counts (one statement for all)."""
    counts: dict[tuple[int, str], int] = {}
    ids = [s.id for s in subs]
    if ids:
        rows = await session.execute(
            select(WebhookDelivery.subscription_id, WebhookDelivery.status, func.count())
            .where(
                WebhookDelivery.subscription_id.in_(ids),
                WebhookDelivery.status != DeliveryStatus.DELIVERED.value,
            )
            .group_by(WebhookDelivery.subscription_id, WebhookDelivery.status)
        )
        counts = {(sub_id or 0, status): n for sub_id, status, n in rows}
    return [
        WebhookOut.model_validate(s).model_copy(
            update={
                "pending": counts.get((s.id, DeliveryStatus.PENDING.value), 0),
                "failed": counts.get((s.id, DeliveryStatus.FAILED.value), 0),
            }
        )
        for s in subs
    ]


async def list_subscriptions(session: AsyncSession) -> list[WebhookSubscription]:
    return list(await session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id)))


async def get_subscription(session: AsyncSession, sub_id: int) -> WebhookSubscription:
    return await _get(session, sub_id)


async def create(
    session: AsyncSession, data: WebhookIn, desk: set[Host]
) -> tuple[WebhookSubscription, str]:
    check_not_desk(data.url, desk)
    secret = data.secret or new_secret()
    sub = WebhookSubscription(
        name=data.name,
        url=data.url,
        secret=secret,
        events=" ".join(data.events),
        active=data.active,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    session.add(sub)
    await session.flush()
    return sub, secret


async def update(
    session: AsyncSession, sub_id: int, data: WebhookPatch, desk: set[Host]
) -> WebhookSubscription:
    sub = await _get(session, sub_id)
    sent = data.model_fields_set
    for field in ("name", "url", "events", "active", "secret"):
        if field in sent and getattr(data, field) is None:
            raise Unprocessable(f"{field}: may not be null")
    if data.url is not None:
        check_not_desk(data.url, desk)
        sub.url = data.url
    if data.name is not None:
        sub.name = data.name
    if data.events is not None:
        sub.events = " ".join(data.events)
    if data.active is not None:
        sub.active = data.active
    if data.secret is not None:
        sub.secret = data.secret
    await session.flush()
    return sub


async def rotate_secret(session: AsyncSession, sub_id: int) -> tuple[WebhookSubscription, str]:
    sub = await _get(session, sub_id)
    sub.secret = new_secret()
    await session.flush()
    return sub, sub.secret


async def remove(session: AsyncSession, sub_id: int) -> None:
    sub = await _get(session, sub_id)
    # No foreign key (see queue.py): its deliveries go explicitly.
    await session.execute(delete(WebhookDelivery).where(WebhookDelivery.subscription_id == sub.id))
    await session.delete(sub)


async def deliveries(
    session: AsyncSession, sub_id: int, status: DeliveryStatus | None, limit: int
) -> list[WebhookDelivery]:
    await _get(session, sub_id)
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == sub_id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status.value)
    return list(await session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)))


async def redeliver(session: AsyncSession, sub_id: int, delivery_id: int) -> WebhookDelivery:
    """Deliver again (the same event id: a receiver that had it can tell), with a fresh
    retry window."""
    await _get(session, sub_id)
    delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.subscription_id != sub_id:
        raise NotFound(f"Delivery {delivery_id} not found")
    if delivery.status == DeliveryStatus.PENDING:
        raise Conflict("This delivery is still being tried; it cannot be queued again yet")
    now = utcnow()
    delivery.status = DeliveryStatus.PENDING.value
    delivery.next_attempt_at = now
    delivery.give_up_at = now + RETRY_WINDOW
    delivery.error = None
    await session.flush()
    mark_dirty(session)
    return delivery


async def send_test(session: AsyncSession, sub_id: int) -> WebhookDelivery:
    sub = await _get(session, sub_id)
    data = {"subscription": {"id": sub.id, "name": sub.name}, "message": "Hello from Helpline"}
    (delivery,) = add(session, TEST_EVENT, data, [sub.id])
    await session.flush()
    return delivery
