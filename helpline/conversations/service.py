"""The conversation lifecycle: open, list, read, reply, close. No HTTP here."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from helpline.areas.models import Area
from helpline.auth.models import User
from helpline.auth.service import user_area_ids
from helpline.clock import utcnow
from helpline.contacts.models import Contact
from helpline.conversations import hooks, routing
from helpline.conversations.access import OVERSEER_ROLES, audience, can_see, visible_filter
from helpline.conversations.events import announce_conversation, announce_mention, announce_message
from helpline.conversations.labels import ConversationLabel
from helpline.conversations.lifecycle import log_event, set_assignee
from helpline.conversations.models import Conversation, ConversationEvent, ConversationStatus
from helpline.conversations.schemas import InboxQuery
from helpline.errors import Conflict, Forbidden, NotFound, Unprocessable
from helpline.messages.models import NOTE_TYPE, Direction, Message, MessageStatus, Sender
from helpline.messages.service import queue_outbound
from helpline.messages.views import load_views
from helpline.templates.window import ensure_reply_window


def open_key(channel_id: int, contact_id: int) -> str:
    return f"{channel_id}:{contact_id}"


async def find_or_open(
    session: AsyncSession, wanted: list[tuple[int, Contact]]
) -> dict[str, tuple[Conversation, bool]]:
    """Each (channel id, contact)'s open conversation, or a new pending one: open key ->
    (conversation, opened now). Two statements for any number of pairs.

    A conversation opened concurrently by another transaction surfaces as an IntegrityError
    on the unique open key at the caller's flush; the caller retries its transaction."""
    keys = {
        open_key(channel_id, contact.id): (channel_id, contact) for channel_id, contact in wanted
    }
    found: dict[str, tuple[Conversation, bool]] = {
        conv.open_key: (conv, False)
        for conv in await session.scalars(
            select(Conversation).where(Conversation.open_key.in_(keys))
        )
        if conv.open_key
    }
    for key, (channel_id, contact) in keys.items():
        if key not in found:
            conv = Conversation(
                channel_id=channel_id,
                contact_id=contact.id,
                status=ConversationStatus.PENDING.value,
                open_key=key,
                unread_count=0,
                created_at=utcnow(),
            )
            conv.contact = contact
            conv.assigned_user = None
            set_committed_value(conv, "labels", [])  # new: none, and no lazy load later
            session.add(conv)
            found[key] = (conv, True)
    await session.flush()
    for conv, opened in found.values():
        if opened:
            log_event(session, conv, "opened", new=conv.status)
            await hooks.CONVERSATION_CHANGED.run(session, "opened", conv)
    return found


async def access_conversation(session: AsyncSession, user: User, conv_id: int) -> Conversation:
    """Fetch a conversation the user may see; one they may not see does not exist for them."""
    conv = await session.get(Conversation, conv_id)
    if conv is None or not can_see(user, conv, await user_area_ids(session, user.id)):
        raise NotFound(f"Conversation {conv_id} not found")
    return conv


async def list_conversations(
    session: AsyncSession, user: User, f: InboxQuery
) -> tuple[list[Conversation], int]:
    query = (
        select(Conversation)
        .join(Contact, Contact.id == Conversation.contact_id)
        .where(visible_filter(user, await user_area_ids(session, user.id)))
    )
    if f.status == "active":
        query = query.where(Conversation.status != ConversationStatus.CLOSED.value)
    elif f.status == "closed":
        query = query.where(Conversation.status == ConversationStatus.CLOSED.value)
    if f.view == "mine":
        query = query.where(Conversation.assigned_user_id == user.id)
    elif f.view == "unassigned":
        query = query.where(Conversation.assigned_user_id.is_(None))
    if f.area_id is not None:
        query = query.where(Conversation.area_id == f.area_id)
    if f.label is not None:
        labelled = select(ConversationLabel.conversation_id).where(
            ConversationLabel.conversation_id == Conversation.id,
            ConversationLabel.label_id == f.label,
        )
        query = query.where(labelled.exists())
    if f.q and f.q.strip():
        term = f"%{f.q.strip().lower()}%"
        said = select(Message.id).where(
            Message.conversation_id == Conversation.id, func.lower(Message.body).like(term)
        )
        query = query.where(
            or_(
                func.lower(Contact.name).like(term),
                Contact.phone.like(term),
                func.lower(Contact.external_id).like(term),
                func.lower(Contact.email).like(term),
                func.lower(Contact.document).like(term),
                said.exists(),
            )
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    order: tuple[ColumnElement[Any], ...] = (
        Conversation.last_message_at.desc(),
        Conversation.id.desc(),
    )
    if f.sort == "waiting":  # longest waiting first; those nobody waits on go last
        waiting_first = Conversation.waiting_since.is_(None)  # false sorts first
        order = (waiting_first, Conversation.waiting_since.asc(), Conversation.id.asc())
    elif f.sort == "due":  # the nearest service-target deadline first; those without last
        due = next_due()
        order = (due.is_(None), due.asc(), Conversation.id.asc())
    rows = await session.scalars(
        query.order_by(*order).offset((f.page - 1) * f.page_size).limit(f.page_size)
    )
    return list(rows.unique()), int(total or 0)


def next_due() -> ColumnElement[Any]:
    """The conversation's next deadline: its first response's until a person answered,
    then its resolution's."""
    return case(
        (
            and_(
                Conversation.first_response_at.is_(None),
                Conversation.first_response_due_at.is_not(None),
            ),
            Conversation.first_response_due_at,
        ),
        else_=Conversation.resolution_due_at,
    )


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
    messages = list(reversed(list(rows.unique())))
    await load_views(session, messages)
    return messages, int(total or 0)


def _ensure_open(conv: Conversation) -> None:
    if conv.status == ConversationStatus.CLOSED:
        raise Conflict("This conversation is closed")


async def _assignable(session: AsyncSession, conv: Conversation, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"User {user_id} not found")
    if not user.active:
        raise Conflict(f"{user.name} is inactive")
    if conv.area_id is not None and conv.area_id not in await user_area_ids(session, user.id):
        area = await session.get(Area, conv.area_id)
        raise Conflict(f"{user.name} is not a member of area {area.name if area else conv.area_id}")
    await _ensure_capacity(session, conv, user)
    return user


async def _ensure_capacity(session: AsyncSession, conv: Conversation, user: User) -> None:
    """A person can be handed only as many conversations as the area allows at once."""
    area = await session.get(Area, conv.area_id) if conv.area_id is not None else None
    if area is None or conv.assigned_user_id == user.id:
        return
    load = await routing.active_load(session, user.id)
    if load >= area.capacity:
        raise Conflict(
            f"{user.name} already has {load} active conversations, "
            f"the most area {area.name} allows (capacity {area.capacity})"
        )


async def take(session: AsyncSession, user: User, conv_id: int) -> Conversation:
    conv = await session.get(Conversation, conv_id)
    area_ids = await user_area_ids(session, user.id)
    in_their_queue = conv is not None and (conv.area_id is None or conv.area_id in area_ids)
    if conv is None or not (in_their_queue or can_see(user, conv, area_ids)):
        raise NotFound(f"Conversation {conv_id} not found")
    _ensure_open(conv)
    if conv.assigned_user_id == user.id:
        return conv
    if conv.assigned_user_id is not None:  # someone from the same queue was faster
        holder = conv.assigned_user.name if conv.assigned_user else "someone else"
        raise Conflict(f"This conversation was already taken by {holder}")
    await set_assignee(session, conv, user, actor=user)
    return conv


async def assign(session: AsyncSession, actor: User, conv_id: int, user_id: int) -> Conversation:
    """A supervisor or admin gives the conversation to a member of its area."""
    conv = await access_conversation(session, actor, conv_id)
    _ensure_open(conv)
    user = await _assignable(session, conv, user_id)
    if conv.assigned_user_id != user.id:
        await set_assignee(session, conv, user, actor)
    return conv


async def transfer(
    session: AsyncSession,
    actor: User,
    conv_id: int,
    *,
    user_id: int | None = None,
    area_id: int | None = None,
    note: str | None = None,
) -> Conversation:
    """Hand the conversation to another operator, or back to another area's queue."""
    conv = await access_conversation(session, actor, conv_id)
    _ensure_open(conv)
    if conv.assigned_user_id not in (None, actor.id) and actor.role not in OVERSEER_ROLES:
        raise Forbidden("Only its operator or a supervisor can transfer this conversation")
    if user_id is not None:
        user = await _assignable(session, conv, user_id)
        previous = conv.assigned_user_id
        await set_assignee(session, conv, user, actor, event_type="transferred", note=note)
        await _slot_freed(session, previous if previous != user.id else None)
        return conv
    assert area_id is not None
    area = await session.get(Area, area_id)
    if area is None:
        raise NotFound(f"Area {area_id} not found")
    if not area.active:
        raise Conflict(f"Area {area.name} is inactive")
    before = audience(conv)
    old_area, old_status, old_user = conv.area_id, conv.status, conv.assigned_user_id
    if old_status == ConversationStatus.BOT:
        await hooks.BOT_STOPPED.run(session, conv, actor)
    conv.area_id = area.id
    conv.assigned_user_id = None
    conv.assigned_user = None
    conv.status = ConversationStatus.PENDING.value
    log_event(
        session,
        conv,
        "transferred",
        actor,
        old=f"area:{old_area}" if old_area else None,
        new=f"area:{area.id}",
        note=note,
    )
    if old_status != conv.status:
        log_event(session, conv, "status", actor, old=old_status, new=conv.status)
    announce_conversation(session, "conversation:update", conv, previous_audience=before)
    await session.flush()
    await routing.try_assign(session, conv)
    await _slot_freed(session, old_user)
    return conv


async def _slot_freed(session: AsyncSession, user_id: int | None) -> None:
    """An operator has one conversation less: their areas' queues may move."""
    if user_id is not None:
        await session.flush()
        await routing.drain_areas(session, await user_area_ids(session, user_id))


async def reply(
    session: AsyncSession, user: User, conv_id: int, body: str, quoted_id: int | None = None
) -> Message:
    conv = await start_reply(session, user, conv_id)
    await ensure_reply_window(session, conv)  # nothing is kept if it refuses: no commit
    quoted = await quotable(session, conv, quoted_id)
    msg = await queue_outbound(session, conv, body, Sender.OPERATOR, user, quoted=quoted)
    announce_message(session, msg, conv)
    return msg


async def start_reply(session: AsyncSession, user: User, conv_id: int) -> Conversation:
    """What every operator reply (text or file) checks and does first: the conversation
    is one they may see and open, and the first operator to answer takes it."""
    conv = await access_conversation(session, user, conv_id)
    _ensure_open(conv)
    if conv.assigned_user_id is None:  # the first operator to answer takes it
        await set_assignee(session, conv, user, actor=user)
    if conv.assigned_user_id == user.id:
        conv.unread_count = 0
    conv.waiting_since = None  # answered
    if conv.first_response_at is None:
        conv.first_response_at = utcnow()
    return conv


async def quotable(
    session: AsyncSession, conv: Conversation, message_id: int | None
) -> Message | None:
    """The message a reply quotes: one of this conversation's, and no private note."""
    if message_id is None:
        return None
    msg = await session.get(Message, message_id)
    if msg is None or msg.conversation_id != conv.id:
        raise Unprocessable(f"Message {message_id} is not in this conversation")
    if msg.type == NOTE_TYPE:
        raise Unprocessable("A private note cannot be quoted to the customer")
    return msg


MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_.\-]+)")


async def add_note(session: AsyncSession, user: User, conv_id: int, body: str) -> Message:
    """A private note for colleagues: stored with the messages, never sent. Each active
    user @mentioned who may see the conversation is notified."""
    conv = await access_conversation(session, user, conv_id)
    note = Message(
        conversation_id=conv.id,
        channel_id=conv.channel_id,
        direction=Direction.OUT.value,
        sender=Sender.OPERATOR.value,
        sender_user_id=user.id,
        type=NOTE_TYPE,
        body=body,
        status=MessageStatus.INTERNAL.value,
        created_at=utcnow(),
    )
    note.sender_user = user
    session.add(note)
    await session.flush()
    announce_message(session, note, conv)
    usernames = {m.lower() for m in MENTION.findall(body)}
    if usernames:
        mentioned = await session.scalars(
            select(User).where(func.lower(User.username).in_(usernames), User.active.is_(True))
        )
        for other in mentioned:
            if other.id != user.id and can_see(other, conv, await user_area_ids(session, other.id)):
                announce_mention(session, other.id, note, conv, user)
    return note


async def close(
    session: AsyncSession, user: User | None, conv: Conversation, note: str | None = None
) -> Conversation:
    """Close it (`user` None: the system did, e.g. for inactivity)."""
    _ensure_open(conv)
    before = audience(conv)
    old_status = conv.status
    conv.status = ConversationStatus.CLOSED.value
    conv.open_key = None
    conv.closed_at = utcnow()
    conv.unread_count = 0
    conv.waiting_since = None
    if old_status == ConversationStatus.BOT and user is not None:
        await hooks.BOT_STOPPED.run(session, conv, user)
    log_event(session, conv, "closed", user, old=old_status, new=conv.status, note=note)
    await hooks.CONVERSATION_CHANGED.run(session, "closed", conv)
    announce_conversation(session, "conversation:closed", conv, previous_audience=before)
    await _slot_freed(session, conv.assigned_user_id)
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
