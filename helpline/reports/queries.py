"""The bounded queries a report is built from: rows of the conversations, first responses
and message counts of one time range, already cut to the filters and the viewer's scope.
Nothing is computed here that databases compute differently (percentiles, local days);
`service` does that in Python."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from helpline.conversations.labels import ConversationLabel
from helpline.conversations.models import Conversation
from helpline.messages.models import NOTE_TYPE, Direction, Message, MessageStatus, Sender
from helpline.surveys.models import Survey
from helpline.targets.models import TargetBreach

# A conversation opened this soon after the same customer's previous one on the same
# number closed counts as reopened: the customer came back about the same thing.
REOPEN_WINDOW = timedelta(hours=24)
CHUNK = 500  # ids per IN (...) list
Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class Filters:
    """What the report covers. `area_ids` None: every conversation (admins); otherwise only
    those routed to one of these areas (supervisors; an area filter narrows it to one)."""

    start: datetime
    end: datetime
    area_ids: frozenset[int] | None
    channel_id: int | None
    agent_id: int | None
    label_id: int | None


@dataclass(frozen=True)
class ConversationRow:
    id: int
    channel_id: int
    contact_id: int
    area_id: int | None
    assigned_user_id: int | None
    created_at: datetime
    closed_at: datetime | None
    served: bool  # a person wrote in it


@dataclass(frozen=True)
class FirstResponse:
    conversation_id: int
    area_id: int | None
    user_id: int
    asked_at: datetime
    answered_at: datetime


@dataclass(frozen=True)
class MessageCount:
    bucket: int  # index of the day in the range
    direction: str
    area_id: int | None
    user_id: int | None  # the person who wrote it (outbound), else None
    count: int


def by_a_person(m: Any) -> ColumnElement[bool]:
    """An outbound message a person wrote to the customer (not the bot, not a note)."""
    return and_(
        m.direction == Direction.OUT.value,
        m.sender == Sender.OPERATOR.value,
        m.sender_user_id.is_not(None),
        m.type != NOTE_TYPE,
        m.status != MessageStatus.INTERNAL.value,
    )


def _scoped(query: Q, f: Filters, *, by_assignee: bool = True) -> Q:
    """The filters that select conversations (the query must involve `Conversation`)."""
    if f.area_ids is not None:
        query = query.where(Conversation.area_id.in_(sorted(f.area_ids)))
    if f.channel_id is not None:
        query = query.where(Conversation.channel_id == f.channel_id)
    if f.agent_id is not None and by_assignee:
        query = query.where(Conversation.assigned_user_id == f.agent_id)
    if f.label_id is not None:
        labelled = exists().where(
            ConversationLabel.conversation_id == Conversation.id,
            ConversationLabel.label_id == f.label_id,
        )
        query = query.where(labelled)
    return query


async def conversations(session: AsyncSession, f: Filters) -> list[ConversationRow]:
    """Conversations opened or closed in the range."""
    person = aliased(Message)
    served = exists().where(person.conversation_id == Conversation.id, by_a_person(person))
    query = select(
        Conversation.id,
        Conversation.channel_id,
        Conversation.contact_id,
        Conversation.area_id,
        Conversation.assigned_user_id,
        Conversation.created_at,
        Conversation.closed_at,
        served.label("served"),
    ).where(
        or_(
            and_(Conversation.created_at >= f.start, Conversation.created_at < f.end),
            and_(Conversation.closed_at >= f.start, Conversation.closed_at < f.end),
        )
    )
    rows = await session.execute(_scoped(query, f).order_by(Conversation.id))
    return [
        ConversationRow(cid, ch, contact, area, user, opened, closed, bool(served))
        for cid, ch, contact, area, user, opened, closed, served in rows
    ]


async def previous_closings(
    session: AsyncSession, f: Filters, contact_ids: Sequence[int]
) -> list[tuple[int, int, int, datetime]]:
    """(id, channel, contact, closed_at) of these customers' conversations that closed from
    a reopening window before the range to its end, whatever the filters."""
    found: list[tuple[int, int, int, datetime]] = []
    ids = sorted(set(contact_ids))
    for i in range(0, len(ids), CHUNK):
        rows = await session.execute(
            select(
                Conversation.id,
                Conversation.channel_id,
                Conversation.contact_id,
                Conversation.closed_at,
            ).where(
                Conversation.contact_id.in_(ids[i : i + CHUNK]),
                Conversation.closed_at >= f.start - REOPEN_WINDOW,
                Conversation.closed_at < f.end,
            )
        )
        found.extend((cid, ch, contact, at) for cid, ch, contact, at in rows if at is not None)
    return found


async def first_responses(session: AsyncSession, f: Filters) -> list[FirstResponse]:
    """Each conversation's first response by a person, when written in the range.

    A conversation's first response is the earliest outbound message written by a person
    (bot and automatic texts and private notes do not count) at or after the customer's
    first inbound message; it belongs to whoever wrote it, so a conversation transferred
    between agents counts once, for the one who answered first. The same definition as
    the dashboard's; the agent filter picks responses by that person."""
    written = (
        select(Message.conversation_id.label("cid"))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(by_a_person(Message), Message.created_at >= f.start, Message.created_at < f.end)
    )
    answered = _scoped(written, f, by_assignee=False).distinct().subquery()
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
        .where(out.conversation_id == asked.c.cid, by_a_person(out), out.created_at >= asked.c.at)
        .correlate(asked)
        .scalar_subquery()
    )
    firsts = (
        select(asked.c.cid, asked.c.at, first_out.label("out_id"))
        .where(asked.c.at.is_not(None))
        .subquery()
    )
    reply = aliased(Message)
    query = (
        select(firsts.c.cid, Conversation.area_id, reply.sender_user_id, firsts.c.at)
        .add_columns(reply.created_at)
        .join(reply, reply.id == firsts.c.out_id)
        .join(Conversation, Conversation.id == firsts.c.cid)
        .where(reply.created_at >= f.start, reply.created_at < f.end)
    )
    if f.agent_id is not None:
        query = query.where(reply.sender_user_id == f.agent_id)
    rows = await session.execute(query)
    return [
        FirstResponse(cid, area_id, int(user_id), asked, answered)
        for cid, area_id, user_id, asked, answered in rows
        if user_id is not None
    ]


async def message_counts(
    session: AsyncSession, f: Filters, day_starts: Sequence[datetime]
) -> list[MessageCount]:
    """Messages to and from customers in the range (private notes are not messages), by
    day, direction, area and writer. `day_starts` are the local midnights after the first
    day: the day index is computed by a CASE over them, which every database runs alike."""
    bucket = case(
        *((Message.created_at < at, literal(i)) for i, at in enumerate(day_starts)),
        else_=literal(len(day_starts)),
    )
    writer = case((by_a_person(Message), Message.sender_user_id), else_=None)
    rows = select(
        bucket.label("bucket"),
        Message.direction.label("direction"),
        Conversation.area_id.label("area_id"),
        writer.label("user_id"),
    ).join(Conversation, Conversation.id == Message.conversation_id)
    rows = rows.where(
        Message.created_at >= f.start,
        Message.created_at < f.end,
        Message.status != MessageStatus.INTERNAL.value,
    )
    if f.channel_id is not None:
        rows = rows.where(Message.channel_id == f.channel_id)
    inner = _scoped(rows, f).subquery()
    # Grouped outside: PostgreSQL refuses a GROUP BY of an expression with bound values.
    grouped = await session.execute(
        select(
            inner.c.bucket, inner.c.direction, inner.c.area_id, inner.c.user_id, func.count()
        ).group_by(inner.c.bucket, inner.c.direction, inner.c.area_id, inner.c.user_id)
    )
    return [MessageCount(int(b), d, a, u, int(n)) for b, d, a, u, n in grouped]


@dataclass(frozen=True)
class Rating:
    rating: int
    rated_at: datetime
    area_id: int | None
    user_id: int | None  # the person the conversation was assigned to


async def ratings(session: AsyncSession, f: Filters) -> list[Rating]:
    """Survey ratings given in the range, of the covered conversations."""
    query = (
        select(Survey.rating, Survey.rated_at, Conversation.area_id, Conversation.assigned_user_id)
        .join(Conversation, Conversation.id == Survey.conversation_id)
        .where(Survey.rated_at >= f.start, Survey.rated_at < f.end, Survey.rating.is_not(None))
    )
    rows = await session.execute(_scoped(query, f).order_by(Survey.id))
    # Both are set on a rated survey (the WHERE above).
    return [Rating(r, at, area, user) for r, at, area, user in rows if r is not None and at]


@dataclass(frozen=True)
class Breach:
    kind: str  # first_response | resolution
    due_at: datetime
    area_id: int | None
    user_id: int | None  # the person the conversation is assigned to


async def breaches(session: AsyncSession, f: Filters) -> list[Breach]:
    """Service targets missed, falling due in the range, of the covered conversations."""
    query = (
        select(TargetBreach.kind, TargetBreach.due_at, Conversation.area_id)
        .add_columns(Conversation.assigned_user_id)
        .join(Conversation, Conversation.id == TargetBreach.conversation_id)
        .where(TargetBreach.due_at >= f.start, TargetBreach.due_at < f.end)
    )
    rows = await session.execute(_scoped(query, f).order_by(TargetBreach.due_at))
    return [Breach(kind, due, area, user) for kind, due, area, user in rows]
