"""The sandbox's customer side: what simulated phones send and see."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.channels.models import Channel
from helpline.channels.providers.base import InboundMessage
from helpline.channels.service import get_channel
from helpline.contacts.models import Contact
from helpline.contacts.service import normalize_phone
from helpline.conversations.models import Conversation
from helpline.db import HelplineSession
from helpline.errors import NotFound
from helpline.messages.ingest import Inbound, IngestResult, IngestWriter
from helpline.messages.models import NOTE_TYPE, Direction, Message, MessageStatus
from helpline.messages.service import apply_status
from helpline.sandbox.schemas import SandboxInbound


async def sandbox_channel(session: AsyncSession, channel_id: int) -> Channel:
    channel = await get_channel(session, channel_id)
    if channel.provider != "sandbox":
        raise NotFound(f"Channel {channel_id} is not a sandbox channel")
    return channel


async def receive(
    session: HelplineSession, writer: IngestWriter, channel_id: int, data: SandboxInbound
) -> IngestResult:
    """What a customer's phone sends. The channel is checked where the message is stored."""
    item = Inbound.parse(
        channel_id,
        InboundMessage(
            provider_message_id=data.id or f"sb-in-{uuid.uuid4().hex}",
            from_phone=data.from_,
            contact_name=data.name,
            text=data.text,
            type=data.type,
            reply_id=data.reply_id,
        ),
        provider="sandbox",
    )
    await session.commit()  # hand the connection back (SQLite has one): the writer needs it
    return await writer.submit(item)


async def thread(
    session: AsyncSession, channel_id: int, phone: str, direction: Direction | None = None
) -> list[Message]:
    """Everything this phone has exchanged with the channel, oldest first."""
    await sandbox_channel(session, channel_id)
    query = (
        select(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(Contact, Contact.id == Conversation.contact_id)
        .where(
            Message.channel_id == channel_id,
            Contact.phone == normalize_phone(phone),
            Message.type != NOTE_TYPE,  # private notes never reach the customer's phone
        )
        .order_by(Message.id)
    )
    if direction:
        query = query.where(Message.direction == direction.value)
    return list((await session.scalars(query)).unique())


async def read_all(session: AsyncSession, channel_id: int, phone: str) -> int:
    """The customer opened the chat: everything delivered to them is now read."""
    messages = await thread(session, channel_id, phone, Direction.OUT)
    updated = 0
    unread = (MessageStatus.SENT, MessageStatus.DELIVERED)
    for msg in messages:
        if msg.status not in unread or not msg.provider_message_id:
            continue
        if await apply_status(session, channel_id, msg.provider_message_id, "read", None):
            updated += 1
    return updated
