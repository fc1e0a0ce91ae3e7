"""A known history for the reports: two days (Monday 9 and Tuesday 10 March 2026) of a
desk with Ventas (working hours 09-13 and 14-18 on weekdays, Buenos Aires time, so a lunch
break) and Soporte (no hours: clock time). Times below are local (UTC-3, as São Paulo,
the viewer's zone in the tests). Each conversation's comment gives its figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.areas.models import Area
from helpline.channels.models import Channel
from helpline.contacts.models import Contact
from helpline.conversations.labels import ConversationLabel, Label
from helpline.conversations.models import Conversation
from helpline.messages.models import NOTE_TYPE, Message
from helpline.surveys.models import Survey
from helpline.targets.models import TargetBreach
from tests.conftest import App, make_user

ZONE = "America/Sao_Paulo"
SUNDAY, MONDAY, TUESDAY = 8, 9, 10


def local(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A local (UTC-3) time of March 2026, as a UTC instant."""
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC) + timedelta(hours=3)


@dataclass
class Desk:
    ventas: int
    soporte: int
    users: dict[str, int]
    cloud: int
    vip: int


async def build(app: App, admin: httpx.AsyncClient) -> Desk:
    async with app.db.sessionmaker() as session:
        ventas = Area(name="Ventas", auto_assign=False)
        soporte = Area(name="Soporte", auto_assign=False)
        session.add_all([ventas, soporte])
        await session.commit()
        areas = {"Ventas": ventas.id, "Soporte": soporte.id}
    hours = [
        {"weekday": d, "start": s, "end": e}
        for d in range(5)
        for s, e in (("09:00", "13:00"), ("14:00", "18:00"))
    ]
    schedule = {"timezone": "America/Argentina/Buenos_Aires", "intervals": hours}
    answer = await admin.put(f"/api/working-hours/{areas['Ventas']}", json=schedule)
    assert answer.status_code == 200, answer.text
    users = {
        "ana": await make_user(admin, "ana", "OPERATOR"),
        "bruno": await make_user(admin, "bruno", "OPERATOR"),
        "sofia": await make_user(admin, "sofia", "SUPERVISOR"),
    }
    memberships = {"ana": ["Ventas"], "bruno": ["Ventas", "Soporte"], "sofia": ["Soporte"]}
    for name, names in memberships.items():
        answer = await admin.patch(
            f"/api/users/{users[name]['id']}", json={"areaIds": [areas[a] for a in names]}
        )
        assert answer.status_code == 200, answer.text
    ids = {name: int(u["id"]) for name, u in users.items()}
    async with app.db.sessionmaker() as session:
        cloud = Channel(name="Cloud", provider="sandbox", status="disconnected", enabled=False)
        vip = Label(name="vip")
        session.add_all([cloud, vip])
        await session.flush()
        desk = Desk(areas["Ventas"], areas["Soporte"], ids, cloud.id, vip.id)
        await History(session, desk).build()
        await session.commit()
    return desk


class History:
    def __init__(self, session: AsyncSession, desk: Desk) -> None:
        self.session = session
        self.desk = desk
        self.contacts: dict[str, int] = {}
        self.contact_of: dict[int, int] = {}  # conversation id: its contact's

    async def conv(
        self,
        who: str,
        area: int | None,
        opened: datetime,
        closed: datetime | None = None,
        agent: str | None = None,
        channel: int = 1,
    ) -> int:
        if who not in self.contacts:
            contact = Contact(phone=f"+54911000{len(self.contacts):05d}", name=who)
            self.session.add(contact)
            await self.session.flush()
            self.contacts[who] = contact.id
        conv = Conversation(
            channel_id=channel,
            contact_id=self.contacts[who],
            area_id=area,
            status="closed" if closed else "active" if agent else "pending",
            open_key=None if closed else f"{channel}:{self.contacts[who]}",
            assigned_user_id=self.desk.users[agent] if agent else None,
            created_at=opened,
            closed_at=closed,
            last_message_at=opened,
        )
        self.session.add(conv)
        await self.session.flush()
        self.contact_of[conv.id] = conv.contact_id
        return conv.id

    def msg(
        self, conv: int, when: datetime, who: str, channel: int = 1, note: bool = False
    ) -> None:
        """who: "in" (the customer), "bot", or a user's name."""
        inbound = who == "in"
        self.session.add(
            Message(
                conversation_id=conv,
                channel_id=channel,
                direction="in" if inbound else "out",
                sender="contact" if inbound else "bot" if who == "bot" else "operator",
                sender_user_id=self.desk.users.get(who),
                type=NOTE_TYPE if note else "text",
                body="x",
                status="internal" if note else "received" if inbound else "delivered",
                created_at=when,
            )
        )

    async def build(self) -> None:
        v, s = self.desk.ventas, self.desk.soporte
        # c1 Ventas, before opening: first response 09:00-09:10 = 600 s (the bot's text
        # does not count); closed by ana at 12:50: resolution 09:00-12:50 = 13800 s.
        c1 = await self.conv("c1", v, local(MONDAY, 8, 50), local(MONDAY, 12, 50), "ana")
        self.msg(c1, local(MONDAY, 8, 50), "in")
        self.msg(c1, local(MONDAY, 8, 51), "bot")
        self.msg(c1, local(MONDAY, 9, 10), "ana")
        # c2 Ventas, across the lunch break: answered by bruno at 14:20 = 300 + 1200 =
        # 1500 s (ana's private note does not count); closed Tuesday 10:00: 300 + 14400
        # (Monday afternoon) + 3600 = 18300 s.
        c2 = await self.conv("c2", v, local(MONDAY, 12, 55), local(TUESDAY, 10), "bruno")
        self.msg(c2, local(MONDAY, 12, 55), "in")
        self.msg(c2, local(MONDAY, 13, 30), "ana", note=True)
        self.msg(c2, local(MONDAY, 14, 20), "bruno")
        # c3 Ventas, transferred: ana answered in 240 s, then bruno took it; counted once,
        # for ana.
        c3 = await self.conv("c3", v, local(TUESDAY, 9), agent="bruno")
        self.msg(c3, local(TUESDAY, 9), "in")
        self.msg(c3, local(TUESDAY, 9, 4), "ana")
        self.msg(c3, local(TUESDAY, 9, 30), "bruno")
        # c4a Soporte (clock time): answered in 1800 s, closed in 3600 s by bruno.
        c4a = await self.conv("c4", s, local(MONDAY, 10), local(MONDAY, 11), "bruno")
        self.msg(c4a, local(MONDAY, 10), "in")
        self.msg(c4a, local(MONDAY, 10, 30), "bruno")
        # c4b: the same customer again 9 h after c4a closed: reopened; answered in 120 s.
        c4b = await self.conv("c4", s, local(MONDAY, 20), agent="bruno")
        self.msg(c4b, local(MONDAY, 20), "in")
        self.msg(c4b, local(MONDAY, 20, 2), "bruno")
        # c5 on the Cloud number, no area: the bot resolved it in 300 s.
        cloud = self.desk.cloud
        c5 = await self.conv("c5", None, local(TUESDAY, 7), local(TUESDAY, 7, 5), channel=cloud)
        self.msg(c5, local(TUESDAY, 7), "in", channel=cloud)
        self.msg(c5, local(TUESDAY, 7, 0, 2), "bot", channel=cloud)
        # c6 Soporte, Sunday night local (Monday 01:00-02:30 UTC): outside the range in
        # São Paulo, inside it in UTC (first response 600 s, resolution 5400 s).
        c6 = await self.conv("c6", s, local(SUNDAY, 22), local(SUNDAY, 23, 30), "bruno")
        self.msg(c6, local(SUNDAY, 22), "in")
        self.msg(c6, local(SUNDAY, 22, 10), "bruno")
        # c7 Ventas, labelled vip: asked 10 minutes before closing, answered 5 minutes
        # after the next opening: 600 + 300 = 900 s (clock time would be 15 h 15 min).
        c7 = await self.conv("c7", v, local(MONDAY, 17, 50), agent="ana")
        self.msg(c7, local(MONDAY, 17, 50), "in")
        self.msg(c7, local(TUESDAY, 9, 5), "ana")
        self.session.add(ConversationLabel(conversation_id=c7, label_id=self.desk.vip))
        # Survey ratings, counted on the day given: c1 5 (Monday), c4a 3 (Monday), c2 2
        # with a comment (Tuesday), c6 4 (Sunday night: only in UTC); c5's went unanswered.
        self.rated(c1, 5, local(MONDAY, 12, 55))
        self.rated(c4a, 3, local(MONDAY, 11, 10))
        self.rated(c2, 2, local(TUESDAY, 10, 5), "tardaron mucho")
        self.rated(c6, 4, local(SUNDAY, 23, 40))
        # Service targets missed, counted on the day they fell due: c4b's first response
        # (Monday), c2's resolution (Monday), c3's first response (Tuesday), c6's
        # resolution (Sunday night: only in UTC).
        first, resolution = "first_response", "resolution"
        self.session.add_all(
            [
                TargetBreach(conversation_id=c4b, kind=first, due_at=local(MONDAY, 20, 1)),
                TargetBreach(conversation_id=c2, kind=resolution, due_at=local(MONDAY, 16)),
                TargetBreach(conversation_id=c3, kind=first, due_at=local(TUESDAY, 9, 2)),
                TargetBreach(conversation_id=c6, kind=resolution, due_at=local(SUNDAY, 23)),
            ]
        )  # fmt: skip
        self.session.add(
            Survey(conversation_id=c5, channel_id=cloud, contact_id=self.contact_of[c5],
                   state="ignored", sent_at=local(TUESDAY, 7, 5))
        )  # fmt: skip

    def rated(self, conv: int, rating: int, when: datetime, comment: str | None = None) -> None:
        self.session.add(
            Survey(
                conversation_id=conv,
                channel_id=1,
                contact_id=self.contact_of[conv],
                state="answered",
                sent_at=when - timedelta(minutes=5),
                rating=rating,
                rated_at=when,
                comment=comment,
            )
        )


def row(
    opened: int,
    closed: int,
    reopened: int,
    messages: tuple[int, int],
    bot: int,
    first: tuple[int, float | None, float | None, str | None],
    resolution: tuple[int, float | None, float | None, str | None],
    rated: tuple[float | None, int] = (None, 0),
    breaches: tuple[int, int] = (0, 0),
) -> dict[str, Any]:
    """The counts of a row as the API writes them."""
    return {
        "opened": opened,
        "closed": closed,
        "reopened": reopened,
        "messagesIn": messages[0],
        "messagesOut": messages[1],
        "botResolved": bot,
        "botResolvedShare": bot / closed if closed else None,
        "firstResponse": durations(*first),
        "resolution": durations(*resolution),
        "satisfaction": rated[0],
        "satisfactionResponses": rated[1],
        "firstResponseBreaches": breaches[0],
        "resolutionBreaches": breaches[1],
    }


def durations(
    count: int, median: float | None, p90: float | None, basis: str | None
) -> dict[str, Any]:
    return {"count": count, "medianSeconds": median, "p90Seconds": p90, "basis": basis}


NONE = (0, None, None, None)
