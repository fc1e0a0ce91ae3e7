"""The live dashboard's figures: one snapshot of the whole desk computed with a few SQL
aggregates, then cut to what each viewer may see (`view`).

"Today" is the deployment's local day in `DAY_ZONE`. Helpline has no desk-wide time zone
(working hours are per area), so the dashboard's day is the UTC day.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from helpline.areas.models import Area, UserArea
from helpline.auth.models import Role, User
from helpline.auth.service import user_area_ids
from helpline.channels.models import Channel
from helpline.clock import utcnow
from helpline.conversations.models import Conversation, ConversationStatus
from helpline.dashboard.schemas import (
    AgentFigures,
    AreaFigures,
    ChannelFigures,
    ConversationTotals,
    DashboardOut,
    MessageTotals,
    ScopeKind,
)
from helpline.messages.models import NOTE_TYPE, Direction, Message, MessageStatus, Sender
from helpline.presence.service import is_online

DAY_ZONE = ZoneInfo("UTC")
OPEN = (ConversationStatus.BOT, ConversationStatus.PENDING, ConversationStatus.ACTIVE)
ADMIN_ROOM = "dashboard"


@dataclass(frozen=True)
class Scope:
    """Who looks: an admin (everything), a supervisor (their areas) or an agent (their own
    figures and their areas' queues). `room` is the socket room of everyone with this view."""

    kind: ScopeKind
    user_id: int
    area_ids: frozenset[int]

    @property
    def room(self) -> str:
        if self.kind == "all":
            return ADMIN_ROOM
        if self.kind == "areas":  # supervisors of the same areas see the same figures
            return "dashboard:areas:" + ",".join(str(a) for a in sorted(self.area_ids))
        return f"dashboard:user:{self.user_id}"


async def scope_for(session: AsyncSession, user: User) -> Scope:
    if user.role == Role.ADMIN:
        return Scope("all", user.id, frozenset())
    areas = frozenset(await user_area_ids(session, user.id))
    kind: ScopeKind = "areas" if user.role == Role.SUPERVISOR else "own"
    return Scope(kind, user.id, areas)


def day_bounds(now: datetime) -> tuple[date, datetime, datetime]:
    """The local day containing `now` and its [start, end) instants."""
    day = now.astimezone(DAY_ZONE).date()
    start = datetime.combine(day, time(), DAY_ZONE)
    return day, start, datetime.combine(day + timedelta(days=1), time(), DAY_ZONE)


# --- the snapshot ----------------------------------------------------------------------


@dataclass
class AreaRow:
    id: int
    name: str
    capacity: int
    queue: int = 0
    oldest_waiting_since: datetime | None = None
    members: set[int] = field(default_factory=set)


@dataclass
class AgentRow:
    id: int
    name: str
    role: str
    online: bool
    away_since: datetime | None
    area_ids: set[int] = field(default_factory=set)
    active: int = 0
    closed_today: int = 0
    first_responses: list[float] = field(default_factory=list)


@dataclass
class Snapshot:
    """The whole desk at `now`. Conversation counts are kept per area (None: not routed to
    an area yet) so that each viewer's totals are sums over what they may see."""

    now: datetime
    day: date
    areas: dict[int, AreaRow]
    agents: dict[int, AgentRow]
    # (area_id, status) -> open conversations; area_id -> closed today.
    by_state: dict[tuple[int | None, str], int]
    closed_today: dict[int | None, int]
    channels: list[ChannelFigures]


async def snapshot(session: AsyncSession) -> Snapshot:
    now = utcnow()
    day, start, end = day_bounds(now)
    areas = await _areas(session)
    agents = await _agents(session, areas)
    by_state, closed_today = await _conversations(session, start, end, areas, agents)
    for user_id, seconds in await first_responses(session, start, end):
        if user_id in agents:
            agents[user_id].first_responses.append(seconds)
    channels = await _channels(session, start, end)
    return Snapshot(now, day, areas, agents, by_state, closed_today, channels)


async def _areas(session: AsyncSession) -> dict[int, AreaRow]:
    rows = await session.execute(
        select(Area.id, Area.name, Area.capacity).where(Area.active.is_(True)).order_by(Area.name)
    )
    return {a: AreaRow(a, name, capacity) for a, name, capacity in rows}


async def _agents(session: AsyncSession, areas: dict[int, AreaRow]) -> dict[int, AgentRow]:
    """Active users; those in no area and with no conversation are dropped later."""
    users = await session.execute(
        select(User.id, User.name, User.role, is_online().label("online"), User.offline_since)
        .where(User.active.is_(True))
        .order_by(User.name, User.id)
    )
    agents = {
        uid: AgentRow(uid, name, role, bool(online), None if online else since)
        for uid, name, role, online, since in users
    }
    for user_id, area_id in await session.execute(select(UserArea.user_id, UserArea.area_id)):
        if user_id in agents and area_id in areas:
            agents[user_id].area_ids.add(area_id)
            areas[area_id].members.add(user_id)
    return agents


async def _conversations(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    areas: dict[int, AreaRow],
    agents: dict[int, AgentRow],
) -> tuple[dict[tuple[int | None, str], int], dict[int | None, int]]:
    by_state: dict[tuple[int | None, str], int] = defaultdict(int)
    open_rows = await session.execute(
        select(
            Conversation.area_id,
            Conversation.status,
            Conversation.assigned_user_id,
            func.count(),
            func.min(Conversation.waiting_since),
        )
        # IN, not "!= closed": the status index then skips the closed majority.
        .where(Conversation.status.in_([s.value for s in OPEN]))
        .group_by(Conversation.area_id, Conversation.status, Conversation.assigned_user_id)
    )
    for area_id, status, user_id, count, oldest in open_rows:
        by_state[(area_id, status)] += count
        if status == ConversationStatus.ACTIVE and user_id in agents:
            agents[user_id].active += count
        queued = status == ConversationStatus.PENDING and user_id is None
        if queued and area_id in areas:
            area = areas[area_id]
            area.queue += count
            if oldest is not None and (
                area.oldest_waiting_since is None or oldest < area.oldest_waiting_since
            ):
                area.oldest_waiting_since = oldest
    closed: dict[int | None, int] = defaultdict(int)
    closed_rows = await session.execute(
        select(Conversation.area_id, Conversation.assigned_user_id, func.count())
        # Only closed conversations have a closing time; not naming the status leaves
        # SQLite's planner the closing-time index (else it scans every closed one).
        .where(Conversation.closed_at >= start, Conversation.closed_at < end)
        .group_by(Conversation.area_id, Conversation.assigned_user_id)
    )
    for area_id, user_id, count in closed_rows:
        closed[area_id] += count
        if user_id in agents:  # the conversation's assignee when it closed
            agents[user_id].closed_today += count
    return by_state, closed


def _by_a_person(m: Any) -> ColumnElement[bool]:
    """An outbound message a person wrote to the customer (not the bot, not a note)."""
    return and_(
        m.direction == Direction.OUT.value,
        m.sender == Sender.OPERATOR.value,
        m.sender_user_id.is_not(None),
        m.type != NOTE_TYPE,
        m.status != MessageStatus.INTERNAL.value,
    )


async def first_responses(
    session: AsyncSession, start: datetime, end: datetime
) -> list[tuple[int, float]]:
    """(agent id, seconds) for each conversation first answered by a person in [start, end).

    A conversation's first response is the earliest outbound message written by a person
    (sender `operator` with a user; bot and automatic texts and private notes do not count)
    created at or after the customer's first inbound message in that conversation. Its time
    is the seconds from that inbound message to the response, and it belongs to the person
    who wrote it: a conversation transferred between agents counts once, for whoever gave
    the first answer. It counts on the day the response was written. Conversations with no
    inbound message (the business wrote first) have no first response.

    The earliest response is the one with the lowest id among those at or after the first
    inbound (ids grow with time). One row per answered conversation comes back; only the
    median is taken in Python.
    """
    # Correlated subqueries per answered conversation: every database then walks the
    # (conversation_id, id) index of those few conversations; as joins, PostgreSQL's
    # planner misjudged the groups and scanned every message.
    answered = (
        select(Message.conversation_id.label("cid"))
        .where(_by_a_person(Message), Message.created_at >= start, Message.created_at < end)
        .distinct()
        .subquery()
    )
    inbound = aliased(Message)
    asked_at = (
        select(func.min(inbound.created_at))
        .where(inbound.conversation_id == answered.c.cid, inbound.direction == Direction.IN.value)
        .correlate(answered)
        .scalar_subquery()
    )
    asked = select(answered.c.cid, asked_at.label("at")).subquery()
    out = aliased(Message)
    first_out = (
        select(func.min(out.id))
        .where(out.conversation_id == asked.c.cid, _by_a_person(out), out.created_at >= asked.c.at)
        .correlate(asked)
        .scalar_subquery()
    )
    firsts = select(asked.c.at, first_out.label("out_id")).where(asked.c.at.is_not(None)).subquery()
    reply = aliased(Message)
    rows = await session.execute(
        select(reply.sender_user_id, firsts.c.at, reply.created_at)
        .join(reply, reply.id == firsts.c.out_id)
        .where(reply.created_at >= start, reply.created_at < end)
    )
    return [
        (int(user_id), (answered - asked).total_seconds())
        for user_id, asked, answered in rows
        if user_id is not None
    ]


async def _channels(session: AsyncSession, start: datetime, end: datetime) -> list[ChannelFigures]:
    counts: dict[tuple[int, str], int] = {}
    rows = await session.execute(
        select(Message.channel_id, Message.direction, func.count())
        .where(
            Message.created_at >= start,
            Message.created_at < end,
            Message.status != MessageStatus.INTERNAL.value,  # private notes never leave
        )
        .group_by(Message.channel_id, Message.direction)
    )
    for channel_id, direction, count in rows:
        counts[(channel_id, direction)] = count
    channels = await session.execute(
        select(Channel.id, Channel.name, Channel.phone, Channel.provider, Channel.status).order_by(
            Channel.id
        )
    )
    return [
        ChannelFigures(
            id=cid,
            name=name,
            phone=phone,
            provider=provider,
            status=status,
            inbound=counts.get((cid, Direction.IN.value), 0),
            outbound=counts.get((cid, Direction.OUT.value), 0),
        )
        for cid, name, phone, provider, status in channels
    ]


# --- what each viewer sees ---------------------------------------------------------------


def view(snap: Snapshot, scope: Scope) -> DashboardOut:
    """Cut the snapshot to the scope: admins everything; supervisors their areas, the agents
    of those areas, the conversations of those areas, and every channel; agents their own
    figures and their areas' queues."""
    if scope.kind == "all":
        areas = list(snap.areas.values())
        agents = [a for a in snap.agents.values() if _works(a)]
        totals = _totals(snap, None)
    elif scope.kind == "areas":
        areas = [a for a in snap.areas.values() if a.id in scope.area_ids]
        agents = [a for a in snap.agents.values() if a.area_ids & scope.area_ids]
        totals = _totals(snap, scope.area_ids)
    else:
        areas = [a for a in snap.areas.values() if a.id in scope.area_ids]
        own = snap.agents.get(scope.user_id)
        agents = [own] if own else []
        totals = ConversationTotals(
            bot=None,
            pending=sum(a.queue for a in areas),
            active=own.active if own else 0,
            closed_today=own.closed_today if own else 0,
        )
    channels = snap.channels if scope.kind != "own" else []
    messages = (
        MessageTotals(
            inbound=sum(c.inbound for c in channels), outbound=sum(c.outbound for c in channels)
        )
        if scope.kind != "own"
        else None
    )
    return DashboardOut(
        scope=scope.kind,
        generated_at=snap.now,
        day=snap.day,
        timezone=str(DAY_ZONE),
        conversations=totals,
        messages=messages,
        areas=[_area_figures(snap, a) for a in areas],
        agents=[_agent_figures(snap, a) for a in agents],
        channels=channels,
    )


def _works(agent: AgentRow) -> bool:
    """On the desk's agent table: in an area, or with conversations of their own."""
    return bool(agent.area_ids or agent.active or agent.closed_today or agent.first_responses)


def _totals(snap: Snapshot, area_ids: frozenset[int] | None) -> ConversationTotals:
    def count(status: ConversationStatus) -> int:
        return sum(
            n
            for (area_id, s), n in snap.by_state.items()
            if s == status and (area_ids is None or area_id in area_ids)
        )

    closed = sum(
        n for area_id, n in snap.closed_today.items() if area_ids is None or area_id in area_ids
    )
    return ConversationTotals(
        bot=count(ConversationStatus.BOT),
        pending=count(ConversationStatus.PENDING),
        active=count(ConversationStatus.ACTIVE),
        closed_today=closed,
    )


def _area_figures(snap: Snapshot, area: AreaRow) -> AreaFigures:
    waited = (
        int((snap.now - area.oldest_waiting_since).total_seconds())
        if area.oldest_waiting_since is not None
        else None
    )
    return AreaFigures(
        id=area.id,
        name=area.name,
        queue=area.queue,
        oldest_waiting_seconds=max(waited, 0) if waited is not None else None,
        online_agents=sum(1 for u in area.members if snap.agents[u].online),
        agents=len(area.members),
    )


def _agent_figures(snap: Snapshot, agent: AgentRow) -> AgentFigures:
    capacities = [snap.areas[a].capacity for a in agent.area_ids]
    return AgentFigures(
        id=agent.id,
        name=agent.name,
        role=agent.role,
        online=agent.online,
        away_since=agent.away_since,
        active=agent.active,
        capacity=max(capacities) if capacities else None,
        closed_today=agent.closed_today,
        median_first_response_seconds=(
            statistics.median(agent.first_responses) if agent.first_responses else None
        ),
        first_responses=len(agent.first_responses),
    )


async def dashboard(session: AsyncSession, user: User) -> DashboardOut:
    return view(await snapshot(session), await scope_for(session, user))
