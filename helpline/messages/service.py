"""Messages: the outbox (what the business says is queued first) and delivery reports."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline import outbox
from helpline.auth.models import User
from helpline.clock import utcnow
from helpline.conversations.events import announce_status
from helpline.conversations.models import Conversation
from helpline.messages.hooks import MESSAGE_STATUS
from helpline.messages.models import (
    STATUS_RANK,
    Direction,
    Message,
    MessageStatus,
    Sender,
)

log = logging.getLogger(__name__)

PREVIEW_LENGTH = 200


def touch_conversation(conv: Conversation, msg: Message) -> None:
    conv.last_message_at = msg.created_at
    conv.last_message_preview = msg.body[:PREVIEW_LENGTH] or f"[{msg.type}]"


async def queue_outbound(
    session: AsyncSession,
    conv: Conversation,
    body: str,
    sender: Sender,
    user: User | None = None,
    *,
    type_: str = "text",
    quoted: Message | None = None,
    payload: dict[str, Any] | None = None,
) -> Message:
    """Store a business message as `queued` in the caller's transaction; the delivery
    worker sends it after commit. Nothing accepted is ever only in memory. A file
    (`type_` image, audio...) is attached by the caller; `body` is then its caption."""
    now = utcnow()
    msg = Message(
        conversation_id=conv.id,
        channel_id=conv.channel_id,
        direction=Direction.OUT.value,
        sender=sender.value,
        sender_user_id=user.id if user else None,
        type=type_,
        body=body,
        quoted_id=quoted.id if quoted else None,
        payload=payload,
        status=MessageStatus.QUEUED.value,
        to_phone=conv.contact.address,
        next_attempt_at=now,
        created_at=now,
    )
    msg.sender_user = user
    msg.quoted = quoted
    session.add(msg)
    await session.flush()
    touch_conversation(conv, msg)
    outbox.mark_dirty(session)
    return msg


async def apply_status(
    session: AsyncSession, channel_id: int, provider_message_id: str, status: str, error: str | None
) -> Message | None:
    """Record a delivery report. Reports only move forward (a late "delivered" after "read"
    changes nothing); unknown ids are logged and ignored."""
    msg = await session.scalar(
        select(Message).where(
            Message.channel_id == channel_id, Message.provider_message_id == provider_message_id
        )
    )
    if msg is None:
        log.info(
            "status %s for unknown message %s on channel %s",
            status,
            provider_message_id,
            channel_id,
        )
        return None
    if not advance_status(msg, status, error):
        return None
    conv = await session.get(Conversation, msg.conversation_id)
    assert conv is not None
    announce_status(session, msg, conv)
    await MESSAGE_STATUS.run(session, msg)
    return msg


def advance_status(msg: Message, status: str, error: str | None = None) -> bool:
    current = STATUS_RANK.get(MessageStatus(msg.status), -1)
    now = utcnow()
    if status == MessageStatus.FAILED:
        if current >= STATUS_RANK[MessageStatus.DELIVERED]:
            return False
        msg.status, msg.error = status, error
        return True
    new_rank = STATUS_RANK.get(MessageStatus(status))
    if new_rank is None or new_rank <= current:
        return False
    msg.status = status
    if new_rank >= STATUS_RANK[MessageStatus.SENT] and msg.sent_at is None:
        msg.sent_at = now
    if new_rank >= STATUS_RANK[MessageStatus.DELIVERED] and msg.delivered_at is None:
        msg.delivered_at = now
    if status == MessageStatus.READ:
        msg.read_at = now
    return True
