"""The sandbox's customer side: what simulated phones send and see."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.channels.models import Channel
from helpline.channels.providers.base import InboundMessage, MediaRef
from helpline.channels.service import get_channel
from helpline.contacts.models import Contact
from helpline.contacts.service import normalize_phone
from helpline.conversations.models import Conversation
from helpline.db import HelplineSession
from helpline.errors import NotFound
from helpline.media.service import decode_base64, inspect
from helpline.messages.ingest import Inbound, IngestResult, IngestWriter
from helpline.messages.models import NOTE_TYPE, Direction, Message, MessageStatus
from helpline.messages.service import apply_status
from helpline.messages.views import load_views
from helpline.sandbox.schemas import SandboxInbound, SandboxMedia


async def sandbox_channel(session: AsyncSession, channel_id: int) -> Channel:
    channel = await get_channel(session, channel_id)
    if channel.provider != "sandbox":
        raise NotFound(f"Channel {channel_id} is not a sandbox channel")
    return channel


async def receive(
    session: HelplineSession,
    writer: IngestWriter,
    channel_id: int,
    data: SandboxInbound,
    max_upload_mb: int,
) -> IngestResult:
    """What a customer's phone sends. The channel is checked where the message is stored;
    a file is checked here (413 too big, 415 not an allowed type, 422 unreadable)."""
    item = Inbound.parse(
        channel_id,
        InboundMessage(
            provider_message_id=data.id or f"sb-in-{uuid.uuid4().hex}",
            from_phone=data.from_,
            contact_name=data.name,
            text=data.text or _describe(data),
            type=data.type,
            reply_id=data.reply_id,
            media=_media(data.media, data.text, max_upload_mb) if data.media else None,
            payload=_payload(data),
            quoted_id=data.quoted_id,
        ),
        provider="sandbox",
    )
    await session.commit()  # hand the connection back (SQLite has one): the writer needs it
    return await writer.submit(item)


def _media(media: SandboxMedia, caption: str, max_upload_mb: int) -> MediaRef:
    content = decode_base64(media.data_base64, max_upload_mb)
    inspect(content, max_upload_mb)  # refuse it now, with its reason, rather than store it
    return MediaRef(
        kind=media.kind,
        mime_type=media.mime_type,
        filename=media.filename,
        caption=caption or None,
        voice=media.voice,
        data=content,
    )


def _payload(data: SandboxInbound) -> dict[str, Any] | None:
    if data.location is not None:
        return {"location": data.location.model_dump()}
    if data.contacts is not None:
        return {"contacts": [c.model_dump() for c in data.contacts]}
    if data.reaction is not None:
        return {"reaction": {"emoji": data.reaction.emoji, "messageId": data.reaction.message_id}}
    return None


def _describe(data: SandboxInbound) -> str:
    """Readable text for what has none (the conversation list and search show it)."""
    if data.location is not None:
        loc = data.location
        place = " ".join(p for p in (loc.name, loc.address) if p)
        return f"📍 {loc.latitude},{loc.longitude} {place}".rstrip()
    if data.contacts is not None:
        cards = (" ".join([c.name, *c.phones]) for c in data.contacts)
        return "[contacts] " + ", ".join(cards)
    if data.reaction is not None:
        if data.reaction.emoji:
            return f"reaction {data.reaction.emoji} to {data.reaction.message_id}"
        return f"reaction removed from {data.reaction.message_id}"
    return ""


async def thread(
    session: AsyncSession,
    channel_id: int,
    phone: str,
    direction: Direction | None = None,
    views: bool = True,
) -> list[Message]:
    """Everything this phone has exchanged with the channel, oldest first (with their
    files and quoted messages unless `views` is false)."""
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
    messages = list((await session.scalars(query)).unique())
    if views:
        await load_views(session, messages)
    return messages


async def read_all(session: AsyncSession, channel_id: int, phone: str) -> int:
    """The customer opened the chat: everything delivered to them is now read."""
    messages = await thread(session, channel_id, phone, Direction.OUT, views=False)
    updated = 0
    unread = (MessageStatus.SENT, MessageStatus.DELIVERED)
    for msg in messages:
        if msg.status not in unread or not msg.provider_message_id:
            continue
        if await apply_status(session, channel_id, msg.provider_message_id, "read", None):
            updated += 1
    return updated
