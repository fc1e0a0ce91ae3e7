"""The dashboard's figures on a known history (fixed clock, fixed timestamps), exactly, for
each kind of viewer: admin, supervisor, agents (the permission matrix), on every database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from helpline import clock
from helpline.areas.models import Area
from helpline.auth.models import User
from helpline.channels.models import Channel
from helpline.contacts.models import Contact
from helpline.conversations.models import Conversation
from helpline.messages.models import NOTE_TYPE, Message
from helpline.presence.models import ConsoleSocket
from tests.conftest import App, login, make_user

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
YESTERDAY = NOW - timedelta(days=1)


def at(hour: int, minute: int = 0, second: int = 0, day: datetime = NOW) -> datetime:
    return day.replace(hour=hour, minute=minute, second=second)


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(clock, "source", lambda: NOW)
    yield


@dataclass
class Desk:
    ventas: int
    soporte: int
    users: dict[str, int]
    cloud: int


async def build_history(app: App, admin: httpx.AsyncClient) -> Desk:
    """Two areas (Ventas capacity 3, Soporte capacity 2), four people, two numbers and
    eleven conversations; the comments give each one's contribution to the figures."""
    async with app.db.sessionmaker() as session:
        # No automatic assignment: the queues must stay as built.
        ventas = Area(name="Ventas", capacity=3, auto_assign=False)
        soporte = Area(name="Soporte", capacity=2, auto_assign=False)
        session.add_all([ventas, soporte])
        await session.commit()
        area_ids = {"Ventas": ventas.id, "Soporte": soporte.id}
    users = {
        "ana": await make_user(admin, "ana", "OPERATOR"),
        "bruno": await make_user(admin, "bruno", "OPERATOR"),
        "carla": await make_user(admin, "carla", "SUPPORT"),
        "sofia": await make_user(admin, "sofia", "SUPERVISOR"),
    }
    memberships = {
        "ana": ["Ventas"],
        "bruno": ["Ventas", "Soporte"],
        "carla": ["Soporte"],
        "sofia": ["Soporte"],
    }
    for name, areas in memberships.items():
        response = await admin.patch(
            f"/api/users/{users[name]['id']}", json={"areaIds": [area_ids[a] for a in areas]}
        )
        assert response.status_code == 200, response.text
    ids = {name: u["id"] for name, u in users.items()}
    async with app.db.sessionmaker() as session:
        # Presence: ana and bruno online (fresh sockets); carla's socket is stale and she
        # left an hour ago; sofia never connected.
        session.add_all(
            [
                ConsoleSocket(sid="s-ana", user_id=ids["ana"], node="x", last_seen_at=NOW),
                ConsoleSocket(sid="s-bruno", user_id=ids["bruno"], node="x", last_seen_at=NOW),
                ConsoleSocket(
                    sid="s-carla",
                    user_id=ids["carla"],
                    node="x",
                    last_seen_at=NOW - timedelta(minutes=5),
                ),
            ]
        )
        carla = await session.get(User, ids["carla"])
        assert carla is not None
        carla.offline_since = NOW - timedelta(hours=1)
        cloud = Channel(name="Cloud", provider="sandbox", status="disconnected", enabled=False)
        session.add(cloud)
        await session.flush()
        history = History(session, ventas.id, soporte.id, ids, cloud.id)
        await history.build()
        await session.commit()
        return Desk(ventas.id, soporte.id, ids, cloud.id)


class History:
    def __init__(
        self, session: Any, ventas: int, soporte: int, users: dict[str, int], cloud: int
    ) -> None:
        self.session = session
        self.ventas = ventas
        self.soporte = soporte
        self.u = users
        self.cloud = cloud
        self.n = 0

    async def conv(self, area: int | None, status: str, channel: int = 1, **kw: Any) -> int:
        self.n += 1
        contact = Contact(phone=f"+5491100000{self.n:03d}", name=f"C{self.n}")
        self.session.add(contact)
        await self.session.flush()
        conv = Conversation(
            channel_id=channel,
            contact_id=contact.id,
            area_id=area,
            status=status,
            open_key=None if status == "closed" else f"{channel}:{contact.id}",
            created_at=kw.pop("created_at", at(0)),
            last_message_at=NOW,
            **kw,
        )
        self.session.add(conv)
        await self.session.flush()
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
                sender_user_id=self.u.get(who),
                type=NOTE_TYPE if note else "text",
                body="x",
                status="internal" if note else "received" if inbound else "delivered",
                created_at=when,
            )
        )

    async def build(self) -> None:
        v, s, u = self.ventas, self.soporte, self.u
        # Ventas' queue: two waiting, the older for 600 s.
        c1 = await self.conv(v, "pending", waiting_since=NOW - timedelta(seconds=300))
        self.msg(c1, at(14, 55), "in")
        c2 = await self.conv(v, "pending", waiting_since=NOW - timedelta(seconds=600))
        self.msg(c2, at(14, 50), "in")
        # Soporte's queue: one, answered by the bot meanwhile (nobody waits).
        c3 = await self.conv(s, "pending")
        self.msg(c3, at(14), "in")
        # With the bot, no area yet.
        c4 = await self.conv(None, "bot")
        self.msg(c4, at(14, 58), "in")
        self.msg(c4, at(14, 58, 1), "bot")
        # ana answers 120 s after the customer (the bot's reply does not count).
        c5 = await self.conv(v, "active", assigned_user_id=u["ana"])
        self.msg(c5, at(9), "in")
        self.msg(c5, at(9, 0, 5), "bot")
        self.msg(c5, at(9, 2), "ana")
        self.msg(c5, at(9, 3), "ana")
        # On the second number: carla answers in 30 s, then it is transferred to bruno.
        c6 = await self.conv(
            s, "active", channel=self.cloud, assigned_user_id=u["bruno"], waiting_since=None
        )
        self.msg(c6, at(10), "in", channel=self.cloud)
        self.msg(c6, at(10, 0, 30), "carla", channel=self.cloud)
        self.msg(c6, at(10, 5), "bruno", channel=self.cloud)
        # Closed today by ana: her private note does not count, her reply in 60 s does.
        c7 = await self.conv(v, "closed", assigned_user_id=u["ana"], closed_at=at(11))
        self.msg(c7, at(10, 30), "in")
        self.msg(c7, at(10, 30, 10), "ana", note=True)
        self.msg(c7, at(10, 31), "ana")
        # Closed yesterday: neither its closing nor its response are today's.
        c8 = await self.conv(
            s, "closed", assigned_user_id=u["carla"], closed_at=at(20, day=YESTERDAY)
        )
        self.msg(c8, at(19, day=YESTERDAY), "in")
        self.msg(c8, at(19, 10, day=YESTERDAY), "carla")
        # Asked yesterday at 23:50, answered today at 00:05: 900 s, counted today.
        c9 = await self.conv(v, "active", assigned_user_id=u["ana"])
        self.msg(c9, at(23, 50, day=YESTERDAY), "in")
        self.msg(c9, at(0, 5), "ana")
        # bruno wrote first; the customer answered at 08:05, bruno again at 08:06: 60 s.
        c10 = await self.conv(
            s, "closed", channel=self.cloud, assigned_user_id=u["bruno"], closed_at=at(12)
        )
        self.msg(c10, at(8), "bruno", channel=self.cloud)
        self.msg(c10, at(8, 5), "in", channel=self.cloud)
        self.msg(c10, at(8, 6), "bruno", channel=self.cloud)
        # The bot closed it today, never routed.
        c11 = await self.conv(None, "closed", closed_at=at(7, 1))
        self.msg(c11, at(7), "in")
        self.msg(c11, at(7, 0, 2), "bot")


def agent(
    desk: Desk,
    name: str,
    *,
    online: bool,
    active: int,
    capacity: int | None,
    closed: int,
    median: float | None,
    responses: int,
    role: str = "OPERATOR",
    away_since: str | None = None,
) -> dict[str, Any]:
    return {
        "id": desk.users[name],
        "name": name.title(),
        "role": role,
        "online": online,
        "awaySince": away_since,
        "active": active,
        "capacity": capacity,
        "closedToday": closed,
        "medianFirstResponseSeconds": median,
        "firstResponses": responses,
    }


def expected_agents(desk: Desk) -> dict[str, dict[str, Any]]:
    return {
        "ana": agent(
            desk, "ana", online=True, active=2, capacity=3, closed=1, median=120.0, responses=3
        ),
        "bruno": agent(
            desk, "bruno", online=True, active=1, capacity=3, closed=1, median=60.0, responses=1
        ),
        "carla": agent(
            desk,
            "carla",
            role="SUPPORT",
            online=False,
            away_since="2026-03-10T14:00:00Z",
            active=0,
            capacity=2,
            closed=0,
            median=30.0,
            responses=1,
        ),
        "sofia": agent(
            desk,
            "sofia",
            role="SUPERVISOR",
            online=False,
            active=0,
            capacity=2,
            closed=0,
            median=None,
            responses=0,
        ),
    }


def expected_areas(desk: Desk) -> dict[str, dict[str, Any]]:
    return {
        "Soporte": {
            "id": desk.soporte,
            "name": "Soporte",
            "queue": 1,
            "oldestWaitingSeconds": None,
            "onlineAgents": 1,
            "agents": 3,
        },
        "Ventas": {
            "id": desk.ventas,
            "name": "Ventas",
            "queue": 2,
            "oldestWaitingSeconds": 600,
            "onlineAgents": 2,
            "agents": 2,
        },
    }


async def expected_channels(app: App, desk: Desk) -> list[dict[str, Any]]:
    async with app.db.sessionmaker() as session:
        sandbox = await session.get(Channel, 1)
        cloud = await session.get(Channel, desk.cloud)
        assert sandbox is not None and cloud is not None
    return [
        {
            "id": 1,
            "name": "Sandbox",
            "phone": None,
            "provider": "sandbox",
            "status": sandbox.status,
            "inbound": 7,
            "outbound": 7,
        },
        {
            "id": desk.cloud,
            "name": "Cloud",
            "phone": None,
            "provider": "sandbox",
            "status": cloud.status,
            "inbound": 2,
            "outbound": 4,
        },
    ]


def common(scope: str) -> dict[str, Any]:
    return {
        "scope": scope,
        "generatedAt": "2026-03-10T15:00:00Z",
        "day": "2026-03-10",
        "timezone": "UTC",
    }


@pytest.mark.settings(auto_close_minutes=0)
@pytest.mark.usefixtures("fixed_clock")
async def test_figures_and_who_sees_them(app: App, admin: httpx.AsyncClient) -> None:
    desk = await build_history(app, admin)
    agents = expected_agents(desk)
    areas = expected_areas(desk)
    channels = await expected_channels(app, desk)

    as_admin = await admin.get("/api/dashboard")
    assert as_admin.status_code == 200, as_admin.text
    assert as_admin.json() == {
        **common("all"),
        "conversations": {"bot": 1, "pending": 3, "active": 3, "closedToday": 3},
        "messages": {"inbound": 9, "outbound": 11},
        "areas": [areas["Soporte"], areas["Ventas"]],
        "agents": [agents["ana"], agents["bruno"], agents["carla"], agents["sofia"]],
        "channels": channels,
    }

    # The supervisor of Soporte: its queue, its people, its conversations; every number.
    expected_for = {
        "sofia": {
            **common("areas"),
            "conversations": {"bot": 0, "pending": 1, "active": 1, "closedToday": 1},
            "messages": {"inbound": 9, "outbound": 11},
            "areas": [areas["Soporte"]],
            "agents": [agents["bruno"], agents["carla"], agents["sofia"]],
            "channels": channels,
        },
        # Agents: their own figures and their areas' queues; no numbers, no colleagues.
        "ana": {
            **common("own"),
            "conversations": {"bot": None, "pending": 2, "active": 2, "closedToday": 1},
            "messages": None,
            "areas": [areas["Ventas"]],
            "agents": [agents["ana"]],
            "channels": [],
        },
        "bruno": {
            **common("own"),
            "conversations": {"bot": None, "pending": 3, "active": 1, "closedToday": 1},
            "messages": None,
            "areas": [areas["Soporte"], areas["Ventas"]],
            "agents": [agents["bruno"]],
            "channels": [],
        },
        "carla": {
            **common("own"),
            "conversations": {"bot": None, "pending": 1, "active": 0, "closedToday": 0},
            "messages": None,
            "areas": [areas["Soporte"]],
            "agents": [agents["carla"]],
            "channels": [],
        },
    }
    for name, expected in expected_for.items():
        async with app.client() as client:
            await login(client, name, "Secret123!")
            response = await client.get("/api/dashboard")
            assert response.status_code == 200, response.text
            assert response.json() == expected, name

    async with app.client() as anonymous:
        assert (await anonymous.get("/api/dashboard")).status_code == 401
