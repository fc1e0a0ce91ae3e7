"""The conversation lifecycle: open, list, read, reply, close. No HTTP here."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.auth.models import User
from helpline.auth.service import user_area_ids
from helpline.channels.models import Channel
from helpline.clock import utcnow
from helpline.contacts.models import Contact
from helpline.conversations.access import audience, can_see, visible_filter
from helpline.conversations.events import announce_conversation, announce_message
from helpline.conversations.models import Conversation, ConversationEvent, ConversationStatus
from helpline.conversations.schemas import StatusFilter
from helpline.errors import Conflict, NotFound
from helpline.messages.models import Message, Sender
from helpline.messages.service import queue_outbound


def _open_key(channel_id: int, contact_id: int) -> str:
    return f"{channel_id}:{contact_id}"


def log_event(
    session: AsyncSession,
    conv: Conversation,
    type_: str,
    actor: User | None = None,
    old: str | None = None,
    new: str | None = None,
    note: str | None = None,
) -> None:
    session.add(
        ConversationEvent(
            conversation_id=conv.id,
            type=type_,
            actor_user_id=actor.id if actor else None,
            old_value=old,
            new_value=new,
            note=note,
        )
    )


async def find_or_open(
    session: AsyncSession, channel: Channel, contact: Contact
) -> tuple[Conversation, bool]:
    """The contact's open conversation on this number, or a new pending one."""
    key = _open_key(channel.id, contact.id)
    conv = await session.scalar(select(Conversation).where(Conversation.open_key == key))
    if conv is not None:
        return conv, False
    try:
        async with session.begin_nested():
            conv = Conversation(
                channel_id=channel.id,
                contact_id=contact.id,
                status=ConversationStatus.PENDING.value,
                open_key=key,
                unread_count=0,
                created_at=utcnow(),
            )
            conv.contact = contact
            conv.assigned_user = None
            session.add(conv)
    except IntegrityError:  # opened concurrently by another request for the same contact
        conv = await session.scalar(select(Conversation).where(Conversation.open_key == key))
        assert conv is not None
        return conv, False
    log_event(session, conv, "opened", new=conv.status)
    return conv, True


async def access_conversation(session: AsyncSession, user: User, conv_id: int) -> Conversation:
    """Fetch a conversation the user may see; one they may not see does not exist for them."""
    conv = await session.get(Conversation, conv_id)
    if conv is None or not can_see(user, conv, await user_area_ids(session, user.id)):
        raise NotFound(f"Conversation {conv_id} not found")
    return conv


async def list_conversations(
    session: AsyncSession, user: User, status: StatusFilter, q: str | None, page: int, size: int
) -> tuple[list[Conversation], int]:
    query = (
        select(Conversation)
        .join(Contact, Contact.id == Conversation.contact_id)
        .where(visible_filter(user, await user_area_ids(session, user.id)))
    )
    if status == "active":
        query = query.where(Conversation.status != ConversationStatus.CLOSED.value)
    elif status == "closed":
        query = query.where(Conversation.status == ConversationStatus.CLOSED.value)
    if q and q.strip():
        term = f"%{q.strip().lower()}%"
        query = query.where(or_(func.lower(Contact.name).like(term), Contact.phone.like(term)))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .offset((page - 1) * size)
        .limit(size)
    )
    return list(rows.unique()), int(total or 0)


async def list_messages(
    session: AsyncSession, user: User, conv_id: int, page: int, size: int
) -> tuple[list[Message], int]:
    """Page 1 is the newest page; messages inside a page run oldest first."""
    await access_conversation(session, user, conv_id)
    where = Message.conversation_id == conv_id
    total = await session.scalar(select(func.count()).select_from(Message).where(where))
    rows = await session.scalars(
        select(Message)
        .where(where)
        .order_by(Message.id.desc())
        .offset((page - 1) * size)
        .limit(size)
    )
    return list(reversed(list(rows.unique()))), int(total or 0)


def _ensure_open(conv: Conversation) -> None:
    if conv.status == ConversationStatus.CLOSED:
        raise Conflict("This conversation is closed")


async def assign(session: AsyncSession, conv: Conversation, user: User, actor: User | None) -> None:
    before = audience(conv)
    old = str(conv.assigned_user_id) if conv.assigned_user_id else None
    conv.assigned_user_id = user.id
    conv.assigned_user = user
    old_status = conv.status
    conv.status = ConversationStatus.ACTIVE.value
    log_event(session, conv, "assigned", actor, old=old, new=str(user.id))
    if old_status != conv.status:
        log_event(session, conv, "status", actor, old=old_status, new=conv.status)
    announce_conversation(session, "conversation:update", conv, previous_audience=before)


async def reply(session: AsyncSession, user: User, conv_id: int, body: str) -> Message:
    conv = await access_conversation(session, user, conv_id)
    _ensure_open(conv)
    if conv.assigned_user_id is None:  # the first operator to answer takes it
        await assign(session, conv, user, actor=user)
    if conv.assigned_user_id == user.id:
        conv.unread_count = 0
    msg = await queue_outbound(session, conv, body, Sender.OPERATOR, user)
    announce_message(session, msg, conv)
    return msg


async def close(session: AsyncSession, user: User | None, conv: Conversation) -> Conversation:
    _ensure_open(conv)
    before = audience(conv)
    old_status = conv.status
    conv.status = ConversationStatus.CLOSED.value
    conv.open_key = None
    conv.closed_at = utcnow()
    conv.unread_count = 0
    log_event(session, conv, "closed", user, old=old_status, new=conv.status)
    announce_conversation(session, "conversation:closed", conv, previous_audience=before)
    return conv


async def mark_read(session: AsyncSession, user: User, conv_id: int) -> Conversation:
    conv = await access_conversation(session, user, conv_id)
    # Unread counts belong to the assignee: a supervisor peeking does not clear them.
    if conv.unread_count and conv.assigned_user_id in (None, user.id):
        conv.unread_count = 0
        announce_conversation(session, "conversation:update", conv)
    return conv


async def list_events(session: AsyncSession, user: User, conv_id: int) -> list[ConversationEvent]:
    await access_conversation(session, user, conv_id)
    rows = await session.scalars(
        select(ConversationEvent)
        .where(ConversationEvent.conversation_id == conv_id)
        .order_by(ConversationEvent.id)
    )
    return list(rows)
