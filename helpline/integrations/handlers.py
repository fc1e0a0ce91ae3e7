"""The hooks of the lower layers, turned into queued deliveries (connected in
helpline.wiring). Each handler first asks the in-memory cache whether anyone subscribes,
so an event nobody wants builds nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helpline.contacts.models import Contact
from helpline.conversations.events import conversation_payload
from helpline.conversations.models import Conversation
from helpline.customers.directory import views
from helpline.integrations.queue import SUBSCRIBERS, add
from helpline.messages.models import Message


def message_data(msg: Message) -> dict[str, Any]:
    """A message as receivers get it: its own columns (nothing that needs loading)."""
    return {
        "id": msg.id,
        "conversationId": msg.conversation_id,
        "channelId": msg.channel_id,
        "direction": msg.direction,
        "sender": msg.sender,
        "type": msg.type,
        "body": msg.body,
        "payload": msg.payload,
        "status": msg.status,
        "error": msg.error,
        "providerMessageId": msg.provider_message_id,
        "createdAt": msg.created_at.isoformat() if msg.created_at else None,
    }


def contact_data(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "phone": contact.phone,
        "externalId": contact.external_id,
        "name": contact.name,
    }


async def messages_received(
    session: AsyncSession, pairs: list[tuple[Message, Conversation]]
) -> None:
    subscribers = await SUBSCRIBERS.of(session, "message.received")
    if not subscribers:
        return
    for msg, conv in pairs:
        data = {"message": message_data(msg), "contact": contact_data(conv.contact)}
        data["conversation"] = {"id": conv.id, "status": conv.status, "areaId": conv.area_id}
        add(session, "message.received", data, subscribers)


async def message_sent(session: AsyncSession, msg: Message) -> None:
    subscribers = await SUBSCRIBERS.of(session, "message.sent")
    if subscribers:
        add(session, "message.sent", {"message": message_data(msg)}, subscribers)


async def message_status(session: AsyncSession, msg: Message) -> None:
    subscribers = await SUBSCRIBERS.of(session, "message.status")
    if subscribers:
        add(session, "message.status", {"message": message_data(msg)}, subscribers)


async def conversation_changed(session: AsyncSession, what: str, conv: Conversation) -> None:
    event = f"conversation.{what}"
    subscribers = await SUBSCRIBERS.of(session, event)
    if subscribers:
        add(session, event, {"conversation": conversation_payload(conv)}, subscribers)


async def contacts_created(session: AsyncSession, contacts: list[Contact]) -> None:
    subscribers = await SUBSCRIBERS.of(session, "contact.created")
    if not subscribers:
        return
    for view in await views(session, contacts):
        data = {"contact": view.model_dump(mode="json", by_alias=True)}
        add(session, "contact.created", data, subscribers)


async def contact_changed(session: AsyncSession, what: str, contact: dict[str, Any]) -> None:
    event = f"contact.{what}"
    subscribers = await SUBSCRIBERS.of(session, event)
    if subscribers:
        add(session, event, {"contact": contact}, subscribers)


async def deal_changed(session: AsyncSession, what: str, deal: dict[str, Any]) -> None:
    event = f"deal.{what}"
    subscribers = await SUBSCRIBERS.of(session, event)
    if subscribers:
        add(session, event, {"deal": deal}, subscribers)
