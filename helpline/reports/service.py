"""Reports over a date range: the figures, who may see them, and how each is counted.

* The range is whole days in the viewer's time zone (`tz`), both ends included; days in
  the per-day table are the viewer's days.
* opened: conversations created in the range; closed: closed in the range; reopened:
  opened in the range less than 24 h after the same customer's previous conversation on
  the same number closed (`queries.REOPEN_WINDOW`).
* First response: see `queries.first_responses`; counted on the day it was written, for
  the person who wrote it. Resolution: from a conversation's opening to its closing,
  counted on the day it closed, for the person it was assigned to when it closed.
* Both are counted in business hours when the conversation's area has working hours (in
  the area's own time zone, breaks and holidays excluded), else in clock time; each
  `ReportDurations` says which (`basis`).
* Messages in and out: messages of the covered conversations written in the range;
  private notes are not messages. A person's `messagesOut` counts those they wrote.
* Bot resolved: a closed conversation no person wrote in nor was assigned to.
* Breaches: service targets missed (helpline.targets), on the day they fell due, for the
  conversation's area and the person it is assigned to.
* Satisfaction: the mean rating of the survey answers given in the range (helpline.surveys),
  on the day given, for the conversation's area and the person it was assigned to.

Admins see every conversation; supervisors the conversations of their areas (and the
people who worked on them). The agent filter picks the conversations assigned to that
person, and the first responses that person gave.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.areas.models import Area
from helpline.auth.models import Role, User
from helpline.auth.service import user_area_ids
from helpline.clock import utcnow
from helpline.errors import Forbidden
from helpline.reports import queries
from helpline.reports.figures import Tally
from helpline.reports.schemas import (
    ReportAgentRow,
    ReportAgents,
    ReportAreaRow,
    ReportAreas,
    ReportCounts,
    ReportDayRow,
    ReportDays,
    ReportQuery,
    ReportRange,
    ReportSummary,
)
from helpline.working_hours.business_time import open_seconds
from helpline.working_hours.service import Schedule, load


@dataclass
class Built:
    """One report's raw material, counted into rows by the table functions below."""

    range: ReportRange
    days: list[date]
    total: Tally
    by_day: dict[int, Tally]
    by_area: dict[int | None, Tally]
    by_agent: dict[int, Tally]
    areas: dict[int, Area]
    scheduled: set[int]  # areas with working hours
    names: dict[int, str]


async def filters_for(session: AsyncSession, user: User, q: ReportQuery) -> queries.Filters:
    """The viewer's scope and the requested filters. Operators never get here (router)."""
    zone = ZoneInfo(q.tz)
    start = datetime.combine(q.first_day, time(), zone)
    end = datetime.combine(q.last_day + timedelta(days=1), time(), zone)
    area_ids: frozenset[int] | None = None
    if user.role != Role.ADMIN:
        area_ids = frozenset(await user_area_ids(session, user.id))
    if q.area_id is not None:
        if area_ids is not None and q.area_id not in area_ids:
            raise Forbidden("You can only see reports of the areas you supervise")
        area_ids = frozenset({q.area_id})
    return queries.Filters(start, end, area_ids, q.channel_id, q.agent_id, q.label_id)


def _range(q: ReportQuery, f: queries.Filters) -> ReportRange:
    return ReportRange(
        date_from=q.first_day,
        date_to=q.last_day,
        tz=q.tz,
        starts_at=f.start.astimezone(UTC),
        ends_at=f.end.astimezone(UTC),
        generated_at=utcnow(),
    )


async def build(session: AsyncSession, user: User, q: ReportQuery) -> Built:
    f = await filters_for(session, user, q)
    zone = ZoneInfo(q.tz)
    days = [q.first_day + timedelta(days=i) for i in range((q.last_day - q.first_day).days + 1)]
    midnights = [datetime.combine(d, time(), zone) for d in days[1:]]
    areas = {a.id: a for a in await session.scalars(select(Area))}
    schedules = {a.id: await load(session, a) for a in areas.values()}
    b = Built(
        range=_range(q, f),
        days=days,
        total=Tally(),
        by_day=defaultdict(Tally),
        by_area=defaultdict(Tally),
        by_agent=defaultdict(Tally),
        areas=areas,
        scheduled={a for a, s in schedules.items() if s.configured},
        names={},
    )

    def day_of(at: datetime) -> int:
        return (at.astimezone(zone).date() - q.first_day).days

    def timed(area_id: int | None, start: datetime, end: datetime) -> tuple[float, bool]:
        schedule: Schedule | None = schedules.get(area_id) if area_id is not None else None
        if schedule is not None and schedule.configured:
            return open_seconds(schedule, start, end), True
        return max((end - start).total_seconds(), 0.0), False

    convs = await queries.conversations(session, f)
    await _count_conversations(session, f, b, convs, day_of, timed)
    for r in await queries.first_responses(session, f):
        seconds, business = timed(r.area_id, r.asked_at, r.answered_at)
        for tally in (b.total, b.by_day[day_of(r.answered_at)], b.by_area[r.area_id]):
            tally.first_response.add(seconds, business)
        b.by_agent[r.user_id].first_response.add(seconds, business)
    for m in await queries.message_counts(session, f, midnights):
        inbound = m.direction == "in"
        for tally in (b.total, b.by_day[m.bucket], b.by_area[m.area_id]):
            if inbound:
                tally.messages_in += m.count
            else:
                tally.messages_out += m.count
        if m.user_id is not None:
            b.by_agent[m.user_id].messages_out += m.count
    for rating in await queries.ratings(session, f):
        for tally in (b.total, b.by_day[day_of(rating.rated_at)], b.by_area[rating.area_id]):
            tally.ratings.append(rating.rating)
        if rating.user_id is not None:
            b.by_agent[rating.user_id].ratings.append(rating.rating)
    for breach in await queries.breaches(session, f):
        tallies = [b.total, b.by_day[day_of(breach.due_at)], b.by_area[breach.area_id]]
        if breach.user_id is not None:
            tallies.append(b.by_agent[breach.user_id])
        for tally in tallies:
            if breach.kind == "first_response":
                tally.first_response_breaches += 1
            else:
                tally.resolution_breaches += 1
    if b.by_agent:
        rows = await session.execute(
            select(User.id, User.name, User.username).where(User.id.in_(sorted(b.by_agent)))
        )
        b.names = {uid: name or username for uid, name, username in rows}
    return b


async def _count_conversations(
    session: AsyncSession,
    f: queries.Filters,
    b: Built,
    convs: list[queries.ConversationRow],
    day_of: Callable[[datetime], int],
    timed: Callable[[int | None, datetime, datetime], tuple[float, bool]],
) -> None:
    opened = [c for c in convs if f.start <= c.created_at < f.end]
    reopened = await _reopened(session, f, opened)
    for c in opened:
        for tally in (b.total, b.by_day[day_of(c.created_at)], b.by_area[c.area_id]):
            tally.opened += 1
            tally.reopened += c.id in reopened
    for c in convs:
        if c.closed_at is None or not f.start <= c.closed_at < f.end:
            continue
        seconds, business = timed(c.area_id, c.created_at, c.closed_at)
        bot = not c.served and c.assigned_user_id is None
        tallies = [b.total, b.by_day[day_of(c.closed_at)], b.by_area[c.area_id]]
        if c.assigned_user_id is not None:
            tallies.append(b.by_agent[c.assigned_user_id])
        for tally in tallies:
            tally.closed += 1
            tally.bot_resolved += bot
            tally.resolution.add(seconds, business)


async def _reopened(
    session: AsyncSession, f: queries.Filters, opened: list[queries.ConversationRow]
) -> set[int]:
    if not opened:
        return set()
    closings: dict[tuple[int, int], list[tuple[int, datetime]]] = defaultdict(list)
    for cid, channel, contact, at in await queries.previous_closings(
        session, f, [c.contact_id for c in opened]
    ):
        closings[(channel, contact)].append((cid, at))
    return {
        c.id
        for c in opened
        if any(
            other != c.id and c.created_at - queries.REOPEN_WINDOW <= at <= c.created_at
            for other, at in closings[(c.channel_id, c.contact_id)]
        )
    }


# --- the tables ----------------------------------------------------------------------------


async def summary(session: AsyncSession, user: User, q: ReportQuery) -> ReportSummary:
    b = await build(session, user, q)
    return ReportSummary(
        range=b.range,
        totals=ReportCounts.model_validate(b.total.counts()),
    )


async def days(session: AsyncSession, user: User, q: ReportQuery) -> ReportDays:
    b = await build(session, user, q)
    rows = [ReportDayRow(day=d, **b.by_day[i].counts()) for i, d in enumerate(b.days)]
    return ReportDays(range=b.range, days=rows)


async def agents(session: AsyncSession, user: User, q: ReportQuery) -> ReportAgents:
    b = await build(session, user, q)
    rows = [
        ReportAgentRow(
            id=uid,
            name=b.names.get(uid, f"#{uid}"),
            closed=t.closed,
            messages_out=t.messages_out,
            first_response=t.first_response.out(),
            resolution=t.resolution.out(),
            satisfaction=t.satisfaction,
            satisfaction_responses=len(t.ratings),
            first_response_breaches=t.first_response_breaches,
            resolution_breaches=t.resolution_breaches,
        )
        for uid, t in b.by_agent.items()
    ]
    rows.sort(key=lambda r: (r.name.lower(), r.id))
    return ReportAgents(range=b.range, agents=rows)


async def areas(session: AsyncSession, user: User, q: ReportQuery) -> ReportAreas:
    b = await build(session, user, q)
    rows = [
        ReportAreaRow(
            id=area_id,
            name=b.areas[area_id].name if area_id is not None else None,
            working_hours=area_id in b.scheduled,
            **t.counts(),
        )
        for area_id, t in b.by_area.items()
    ]
    rows.sort(key=lambda r: (r.name is None, (r.name or "").lower()))
    return ReportAreas(range=b.range, areas=rows)
