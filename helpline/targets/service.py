"""Service targets per area: the first-response and resolution deadlines of its open
conversations, and the breaches.

`sweep` runs every few seconds (app lifespan). It sets each open conversation's deadlines
from its area's targets (counted from the conversation's opening, in the area's open
hours when it has working hours, else in clock time) and announces the ones that changed,
so consoles colour and sort their lists; then it records each missed target once
(`TargetBreach`) and alerts the area's supervisors and the admins live
(`target:breached`). A first response is missed when no person answered by its deadline
(or answered later); a resolution when the conversation was not closed by its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.areas.models import Area
from helpline.auth.models import Role
from helpline.clock import utcnow
from helpline.conversations.events import announce_conversation
from helpline.conversations.models import Conversation, ConversationStatus
from helpline.db import Database
from helpline.realtime import queue_event, role_room, supervisors_room
from helpline.targets.models import AreaTargets, TargetBreach
from helpline.targets.schemas import AreaTargetsIn, AreaTargetsOut
from helpline.working_hours.business_time import after_open_seconds
from helpline.working_hours.service import Schedule, load

FIRST_RESPONSE, RESOLUTION = "first_response", "resolution"
LOOK_BACK = timedelta(days=2)  # breaches older than this when first seen are not alerted


# --- the area's settings -----------------------------------------------------------------


async def get_targets(session: AsyncSession, area: Area) -> AreaTargetsOut:
    row = await session.get(AreaTargets, area.id)
    return await _out(session, area, row)


async def save_targets(session: AsyncSession, area: Area, data: AreaTargetsIn) -> AreaTargetsOut:
    row = await session.get(AreaTargets, area.id)
    if row is None:
        row = AreaTargets(area_id=area.id)
        session.add(row)
    row.first_response_minutes = data.first_response_minutes
    row.resolution_minutes = data.resolution_minutes
    await session.flush()
    return await _out(session, area, row)


async def _out(session: AsyncSession, area: Area, row: AreaTargets | None) -> AreaTargetsOut:
    schedule = await load(session, area)
    return AreaTargetsOut(
        area_id=area.id,
        first_response_minutes=row.first_response_minutes if row else None,
        resolution_minutes=row.resolution_minutes if row else None,
        basis="business" if schedule.configured else "clock",
    )


def deadline(schedule: Schedule, start: datetime, minutes: int | None) -> datetime | None:
    if minutes is None:
        return None
    if schedule.configured:
        return after_open_seconds(schedule, start, minutes * 60)
    return start + timedelta(minutes=minutes)


# --- the sweep -----------------------------------------------------------------------------


async def sweep(db: Database) -> int:
    """Deadlines brought up to date and new breaches recorded; how many of each changed."""
    async with db.sessionmaker() as session:
        changed = await _update_deadlines(session)
        breached = await _record_breaches(session, utcnow())
        await session.commit()
    return changed + breached


async def _update_deadlines(session: AsyncSession) -> int:
    targets = {t.area_id: t for t in await session.scalars(select(AreaTargets))}
    schedules = {
        area.id: await load(session, area)
        for area in await session.scalars(select(Area).where(Area.id.in_(sorted(targets))))
    }
    has_due = or_(
        Conversation.first_response_due_at.is_not(None), Conversation.resolution_due_at.is_not(None)
    )
    open_ones = await session.scalars(
        select(Conversation).where(
            Conversation.status != ConversationStatus.CLOSED.value,
            or_(Conversation.area_id.in_(sorted(targets)), has_due),
        )
    )
    changed = 0
    for conv in open_ones.unique():
        target = targets.get(conv.area_id) if conv.area_id is not None else None
        schedule = schedules.get(conv.area_id) if conv.area_id is not None else None
        first = resolution = None
        if target is not None and schedule is not None:
            first = deadline(schedule, conv.created_at, target.first_response_minutes)
            resolution = deadline(schedule, conv.created_at, target.resolution_minutes)
        if (conv.first_response_due_at, conv.resolution_due_at) != (first, resolution):
            conv.first_response_due_at, conv.resolution_due_at = first, resolution
            announce_conversation(session, "conversation:update", conv)
            changed += 1
    return changed


async def _record_breaches(session: AsyncSession, now: datetime) -> int:
    found = 0
    for kind, due, done in (
        (FIRST_RESPONSE, Conversation.first_response_due_at, Conversation.first_response_at),
        (RESOLUTION, Conversation.resolution_due_at, Conversation.closed_at),
    ):
        recorded = exists().where(
            TargetBreach.conversation_id == Conversation.id, TargetBreach.kind == kind
        )
        missed = await session.scalars(
            select(Conversation).where(
                due.is_not(None),
                due <= now,
                due > now - LOOK_BACK,
                or_(done.is_(None), done > due),
                ~recorded,
            )
        )
        for conv in missed.unique():
            due_at = getattr(conv, due.key)
            session.add(TargetBreach(conversation_id=conv.id, kind=kind, due_at=due_at))
            _alert(session, conv, kind, due_at)
            found += 1
    return found


def _alert(session: AsyncSession, conv: Conversation, kind: str, due_at: datetime) -> None:
    rooms = {role_room(Role.ADMIN.value)}
    if conv.area_id is not None:
        rooms.add(supervisors_room(conv.area_id))
    payload = {
        "conversationId": conv.id,
        "kind": kind,
        "dueAt": due_at.isoformat().replace("+00:00", "Z"),
        "areaId": conv.area_id,
        "contactName": conv.contact.name or conv.contact.phone or "",
        "assignedUserId": conv.assigned_user_id,
    }
    queue_event(session, "target:breached", payload, rooms)
