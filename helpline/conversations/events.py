"""Realtime announcements about conversations and their messages (queued until commit)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helpline.auth.models import User
from helpline.conversations.access import audience
from helpline.conversations.models import Conversation
from helpline.conversations.schemas import ConversationOut
from helpline.messages.models import Message
from helpline.messages.schemas import MessageOut, MessageStatusOut
from helpline.realtime import queue_event, user_room


def conversation_payload(conv: Conversation) -> dict[str, Any]:
    return ConversationOut.model_validate(conv).model_dump(mode="json", by_alias=True)


def message_payload(msg: Message) -> dict[str, Any]:
    return MessageOut.model_validate(msg).model_dump(mode="json", by_alias=True)


def announce_conversation(
    session: AsyncSession, name: str, conv: Conversation, previous_audience: set[str] | None = None
) -> None:
    """`previous_audience` lets those who just lost sight of it (a taken queue item) update."""
    rooms = audience(conv) | (previous_audience or set())
    queue_event(session, name, {"conversation": conversation_payload(conv)}, rooms)


def announce_message(session: AsyncSession, msg: Message, conv: Conversation) -> None:
    payload = {"message": message_payload(msg), "conversation": conversation_payload(conv)}
    queue_event(session, "message:new", payload, audience(conv))


def announce_message_update(session: AsyncSession, msg: Message, conv: Conversation) -> None:
    """A message changed beyond its delivery state: its file arrived or failed, or it got a
    reaction. Attach its views first (`helpline.messages.views.load_views`)."""
    payload = {"message": message_payload(msg), "conversation": conversation_payload(conv)}
    queue_event(session, "message:update", payload, audience(conv))


def announce_status(session: AsyncSession, msg: Message, conv: Conversation) -> None:
    payload = MessageStatusOut.model_validate(msg).model_dump(mode="json", by_alias=True)
    queue_event(session, "message:status", payload, audience(conv))


def announce_mention(
    session: AsyncSession, user_id: int, note: Message, conv: Conversation, by: User
) -> None:
    payload = {
        "message": message_payload(note),
        "conversation": conversation_payload(conv),
        "by": {"id": by.id, "name": by.name},
    }
    queue_event(session, "note:mention", payload, [user_room(user_id)])
