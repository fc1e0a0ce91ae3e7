"""Automatic assignment: a pending conversation goes to the online member of its area with
the fewest active conversations, below the area's capacity, ties broken round-robin (who
was assigned longest ago). When nobody can take it, it waits and the area is told."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import ScalarSelect, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.areas.models import Area, UserArea
from helpline.auth.models import Role, User
from helpline.clock import utcnow
from helpline.conversations.events import announce_conversation
from helpline.conversations.lifecycle import log_event, set_assignee
from helpline.conversations.models import Conversation, ConversationStatus
from helpline.messages.models import Sender
from helpline.messages.service import queue_outbound
from helpline.presence.service import is_online
from helpline.realtime import area_room, queue_event, role_room, supervisors_room
from helpline.working_hours import service as working_hours


def _active_load() -> ScalarSelect[int]:
    return (
        select(func.count())
        .where(
            Conversation.assigned_user_id == User.id,
            Conversation.status == ConversationStatus.ACTIVE.value,
        )
        .correlate(User)
        .scalar_subquery()
    )


async def active_load(session: AsyncSession, user_id: int) -> int:
    count = await session.scalar(
        select(func.count()).where(
            Conversation.assigned_user_id == user_id,
            Conversation.status == ConversationStatus.ACTIVE.value,
        )
    )
    return count or 0


async def pick_operator(session: AsyncSession, area: Area) -> User | None:
    load = _active_load()
    row = (
        await session.execute(
            select(User, load.label("load"))
            .join(UserArea, UserArea.user_id == User.id)
            .where(
                UserArea.area_id == area.id,
                User.active.is_(True),
                is_online(),
                load < area.capacity,
            )
            .order_by(load, User.last_assigned_at.is_not(None), User.last_assigned_at, User.id)
            .limit(1)
        )
    ).first()
    return row[0] if row else None


async def try_assign(session: AsyncSession, conv: Conversation) -> bool:
    """Give a pending conversation to someone now if the rules allow; else announce it waits."""
    if conv.status != ConversationStatus.PENDING or conv.assigned_user_id or conv.area_id is None:
        return False
    area = await session.get(Area, conv.area_id)
    if area is None or not area.auto_assign or not area.active:
        return False
    if not (await working_hours.load(session, area)).is_open(utcnow()):
        return False  # it waits for the opening; the scheduler drains the queue then
    user = await pick_operator(session, area)
    if user is None:
        queue_event(
            session,
            "conversation:pending_assignment",
            {"conversationId": conv.id, "areaId": area.id},
            {area_room(area.id), supervisors_room(area.id), role_room(Role.ADMIN.value)},
        )
        return False
    await set_assignee(session, conv, user, actor=None, event_type="auto_assigned")
    user.last_assigned_at = utcnow()
    await session.flush()
    return True


async def customer_waiting(session: AsyncSession, conv: Conversation) -> None:
    """A customer wrote into a queued conversation: outside the area's hours they are told
    so (once per conversation and local day), inside them someone may take it now."""
    if conv.status != ConversationStatus.PENDING or conv.area_id is None:
        return
    area = await session.get(Area, conv.area_id)
    if area is None:
        return
    schedule = await working_hours.load(session, area)
    now = utcnow()
    if schedule.is_open(now):
        await try_assign(session, conv)
        return
    today = schedule.local(now).date().isoformat()
    if area.courtesy_message and conv.courtesy_sent_on != today:
        conv.courtesy_sent_on = today
        await queue_outbound(session, conv, area.courtesy_message, Sender.SYSTEM)


async def drain_areas(session: AsyncSession, area_ids: list[int]) -> int:
    """Assign waiting conversations of these areas, oldest first, while anyone can take them."""
    assigned = 0
    for area_id in area_ids:
        waiting = await session.scalars(
            select(Conversation)
            .where(
                Conversation.area_id == area_id,
                Conversation.status == ConversationStatus.PENDING.value,
                Conversation.assigned_user_id.is_(None),
            )
            .order_by(
                func.coalesce(Conversation.waiting_since, Conversation.created_at), Conversation.id
            )
            .limit(100)
        )
        for conv in list(waiting.unique()):
            if not await try_assign(session, conv):
                break
            assigned += 1
    return assigned


async def release_absent(session: AsyncSession, grace: timedelta) -> int:
    """Operators gone longer than `grace`: their active conversations return to the queue."""
    cutoff = utcnow() - grace
    convs = list(
        (
            await session.scalars(
                select(Conversation)
                .join(User, User.id == Conversation.assigned_user_id)
                .where(
                    Conversation.status == ConversationStatus.ACTIVE.value,
                    User.offline_since.is_not(None),
                    or_(User.offline_since <= cutoff, User.active.is_(False)),
                )
            )
        ).unique()
    )
    for conv in convs:
        before_user = conv.assigned_user_id
        conv.assigned_user_id = None
        conv.assigned_user = None
        conv.status = ConversationStatus.PENDING.value
        log_event(session, conv, "unassigned", None, old=str(before_user), note="operator offline")
        announce_conversation(
            session, "conversation:update", conv, previous_audience={f"user:{before_user}"}
        )
    await session.flush()
    await drain_areas(session, sorted({c.area_id for c in convs if c.area_id is not None}))
    return len(convs)
