"""The customer's message on each status change: its settings (a text and a switch per
status, kept as rows of `order_status_messages`) and its sending, through the outbox like
every message the business sends."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.channels.models import Channel
from helpline.conversations.events import announce_message
from helpline.conversations.models import Conversation
from helpline.conversations.service import find_or_open, open_key
from helpline.errors import Unprocessable
from helpline.messages.models import Message, Sender
from helpline.messages.service import queue_outbound
from helpline.orders.models import Order, OrderStatus, OrderStatusMessage
from helpline.orders.schemas import StatusMessageIn, StatusMessageOut
from helpline.templates.window import channel_has_window, window_open

# Out of the box: the business's customers write Spanish (the seed's example); switched off
# until the business turns each one on.
DEFAULT_TEXTS: dict[OrderStatus, str] = {
    OrderStatus.PENDING: "Recibimos tu pedido #{number} por {total} {currency}. Te avisamos "
    "cuando lo confirmemos.",
    OrderStatus.CONFIRMED: "Tu pedido #{number} fue confirmado.",
    OrderStatus.PREPARING: "Estamos preparando tu pedido #{number}.",
    OrderStatus.SHIPPED: "Tu pedido #{number} fue enviado.",
    OrderStatus.DELIVERED: "Tu pedido #{number} fue entregado. ¡Gracias por tu compra!",
    OrderStatus.CANCELLED: "Tu pedido #{number} fue cancelado.",
}
PLACEHOLDERS = ("number", "name", "total", "currency", "status")
_PLACEHOLDER = re.compile(r"\{(\w*)\}")


def render(text: str, order: Order) -> str:
    """Fill the placeholders. Plain replacement, never str.format: the text is typed by a
    person and must not reach into Python objects."""
    values = {
        "number": str(order.number),
        "name": order.contact.name or "",
        "total": str(order.total),
        "currency": order.currency,
        "status": order.status,
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _check_placeholders(item: StatusMessageIn) -> None:
    unknown = sorted({m for m in _PLACEHOLDER.findall(item.text) if m not in PLACEHOLDERS})
    if unknown:
        known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        raise Unprocessable(
            f"The {item.status} message uses {{{unknown[0]}}}, which is not known; "
            f"it may use {known}"
        )


async def _rows(session: AsyncSession) -> dict[str, OrderStatusMessage]:
    return {row.status: row for row in await session.scalars(select(OrderStatusMessage))}


async def list_messages(session: AsyncSession) -> list[StatusMessageOut]:
    rows = await _rows(session)
    out = []
    for status in OrderStatus:
        row = rows.get(status.value)
        out.append(
            StatusMessageOut(
                status=status,
                enabled=row.enabled if row else False,
                text=row.text if row else DEFAULT_TEXTS[status],
                default_text=DEFAULT_TEXTS[status],
            )
        )
    return out


async def save_messages(
    session: AsyncSession, items: list[StatusMessageIn]
) -> list[StatusMessageOut]:
    """Write the statuses sent; the others keep what they had."""
    seen: set[str] = set()
    for item in items:
        if item.status in seen:
            raise Unprocessable(f"The {item.status} message is given twice")
        seen.add(item.status)
        _check_placeholders(item)
    rows = await _rows(session)
    for item in items:
        row = rows.get(item.status.value)
        if row is None:
            row = OrderStatusMessage(status=item.status.value)
            session.add(row)
        row.enabled, row.text = item.enabled, item.text
    await session.flush()
    return await list_messages(session)


async def tell_customer(session: AsyncSession, order: Order) -> tuple[Message | None, str | None]:
    """Queue the message for the order's new status, when the business turned it on:
    (the message, None), or (None, why it did not go) — None, None when it is off."""
    row = await session.get(OrderStatusMessage, order.status)
    if row is None or not row.enabled:
        return None, None
    channel = await session.get(Channel, order.channel_id) if order.channel_id else None
    if channel is None:
        return None, "not sent: the order's WhatsApp number no longer exists"
    if not order.contact.address:
        return None, "not sent: the customer has no WhatsApp number"
    conv = await _conversation(session, order, channel)
    if not window_open(conv.last_inbound_at) and await channel_has_window(session, channel.id):
        return None, "not sent: the customer last wrote more than 24 hours ago"
    msg = await queue_outbound(session, conv, render(row.text, order), Sender.SYSTEM)
    announce_message(session, msg, conv)
    return msg, None


async def _conversation(session: AsyncSession, order: Order, channel: Channel) -> Conversation:
    """The customer's open conversation on the order's number, or a new one there (in the
    number's default area, as if they had written)."""
    found = await find_or_open(session, [(channel.id, order.contact)])
    conv, opened = found[open_key(channel.id, order.contact_id)]
    if opened and channel.default_area_id is not None:
        conv.area_id = channel.default_area_id
    return conv
