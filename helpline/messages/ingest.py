"""The one way in: every provider hands its normalized inbound messages and delivery
reports to these functions. Ingest is idempotent on the provider's message id."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from helpline.channels.models import Channel
from helpline.channels.providers.base import InboundMessage, StatusUpdate
from helpline.clock import utcnow
from helpline.contacts.service import normalize_phone, upsert_contact
from helpline.conversations.events import announce_conversation, announce_message
from helpline.conversations.models import Conversation, ConversationStatus
from helpline.conversations.routing import customer_waiting
from helpline.conversations.service import find_or_open
from helpline.db import Database, HelplineSession
from helpline.messages.models import Direction, Message, MessageStatus, Sender
from helpline.messages.service import apply_status, touch_conversation

log = logging.getLogger(__name__)


@dataclass
class IngestResult:
    message: Message
    conversation: Conversation
    duplicate: bool = False
    opened: bool = False


async def _existing(
    session: HelplineSession, channel_id: int, provider_id: str
) -> IngestResult | None:
    msg = await session.scalar(
        select(Message).where(
            Message.channel_id == channel_id, Message.provider_message_id == provider_id
        )
    )
    if msg is None:
        return None
    conv = await session.get(Conversation, msg.conversation_id)
    assert conv is not None
    return IngestResult(msg, conv, duplicate=True)


async def ingest_message(
    session: HelplineSession, channel: Channel, event: InboundMessage
) -> IngestResult:
    """Store one inbound message and commit; realtime events leave after the commit.

    Raises `Unprocessable` (nothing stored) when the sender's phone is not a phone number.
    """
    phone = normalize_phone(event.from_phone)
    channel_id, channel_area = channel.id, channel.default_area_id  # a rollback expires `channel`
    contact = await upsert_contact(session, phone, event.contact_name)
    conv, opened = await find_or_open(session, channel, contact)
    msg = Message(
        conversation_id=conv.id,
        channel_id=channel.id,
        direction=Direction.IN.value,
        sender=Sender.CONTACT.value,
        type=event.type,
        body=event.text,
        status=MessageStatus.RECEIVED.value,
        provider_message_id=event.provider_message_id,
        created_at=utcnow(),
    )
    msg.sender_user = None
    session.add(msg)
    try:
        await session.flush()
    except IntegrityError:  # delivered before: undo this attempt and answer with the original
        await session.rollback()
        session.expunge_all()  # rolled-back objects would lazy-load; read the originals fresh
        found = await _existing(session, channel_id, event.provider_message_id)
        assert found is not None
        return found
    touch_conversation(conv, msg)
    conv.unread_count += 1
    if opened and channel_area is not None:
        conv.area_id = channel_area
        await session.flush()
    if conv.area_id is not None and conv.status == ConversationStatus.PENDING:
        await customer_waiting(session, conv)
    if conv.waiting_since is None:
        conv.waiting_since = msg.created_at
    if opened:
        announce_conversation(session, "conversation:incoming", conv)
    announce_message(session, msg, conv)
    await session.commit()
    return IngestResult(msg, conv, opened=opened)


async def ingest_status(db: Database, channel_id: int, update: StatusUpdate) -> Message | None:
    async with db.sessionmaker() as session:
        msg = await apply_status(
            session, channel_id, update.provider_message_id, update.status, update.error
        )
        await session.commit()
        return msg
