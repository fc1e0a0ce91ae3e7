"""Automatic assignment: fewest active conversations among online members, capacity,
round-robin ties, queue draining, and the grace period for operators who left."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from helpline import clock
from helpline.presence import service as presence
from helpline.scheduler.service import release_absent_operators
from tests.conftest import App, CapturedEvents, login


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[datetime]]:
    current = [clock.utcnow()]
    monkeypatch.setattr(clock, "source", lambda: current[0])
    yield current


async def desk(
    admin: httpx.AsyncClient, capacity: int = 5, operators: int = 2
) -> tuple[int, list[dict[str, Any]]]:
    """An area routed from the sandbox channel, with operators op0..opN in it."""
    area = (await admin.post("/api/areas", json={"name": "Ventas", "capacity": capacity})).json()[
        "id"
    ]
    channel = await admin.post(
        "/api/channels", json={"name": "Ventas", "provider": "sandbox", "defaultAreaId": area}
    )
    assert channel.status_code == 201 and channel.json()["id"] == 2
    users = []
    for n in range(operators):
        response = await admin.post(
            "/api/users",
            json={
                "username": f"op{n}",
                "name": f"Op {n}",
                "password": "Secret123!",
                "areaIds": [area],
            },
        )
        users.append(response.json())
    return area, users


async def customer(admin: httpx.AsyncClient, n: int) -> dict[str, Any]:
    response = await admin.post(
        "/api/sandbox/2/inbound", json={"from": f"+54911555{n:05d}", "text": "hola"}
    )
    assert response.status_code == 201, response.text
    conversation: dict[str, Any] = response.json()["conversation"]
    return conversation


async def assignee(admin: httpx.AsyncClient, conv_id: int) -> str | None:
    conv = (await admin.get(f"/api/conversations/{conv_id}")).json()
    return conv["assignedTo"]["name"] if conv["assignedTo"] else None


async def test_nobody_online_the_conversation_waits_and_the_area_is_told(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    area, _ = await desk(admin)
    conv = await customer(admin, 1)
    assert conv["status"] == "pending" and conv["areaId"] == area and conv["assignedTo"] is None
    waiting = events.named("conversation:pending_assignment")
    assert waiting and waiting[-1].payload == {"conversationId": conv["id"], "areaId": area}
    assert f"area:{area}" in waiting[-1].rooms


async def test_fewest_active_first_ties_round_robin_and_capacity(
    app: App, admin: httpx.AsyncClient
) -> None:
    _, (op0, op1) = await desk(admin, capacity=2)
    await presence.connected(app.db, op0["id"], "sid-0")
    await presence.connected(app.db, op1["id"], "sid-1")
    names = [await assignee(admin, (await customer(admin, n))["id"]) for n in range(4)]
    assert sorted(names[:2]) == ["Op 0", "Op 1"]  # a tie each time: round-robin
    assert sorted(names[2:]) == ["Op 0", "Op 1"]
    assert names[0] != names[1] and names[2] != names[3]
    overflow = await customer(admin, 5)
    assert overflow["assignedTo"] is None and overflow["status"] == "pending"  # both at capacity


async def test_the_queue_drains_oldest_first_when_someone_comes_online_or_frees_a_slot(
    app: App, admin: httpx.AsyncClient
) -> None:
    area, (op0, op1) = await desk(admin, capacity=1)
    first, second, third = [await customer(admin, n) for n in range(3)]
    await presence.connected(app.db, op0["id"], "sid-0")
    assert await assignee(admin, first["id"]) == "Op 0"
    assert await assignee(admin, second["id"]) is None
    await admin.post(f"/api/conversations/{first['id']}/close")  # frees Op 0's slot
    assert await assignee(admin, second["id"]) == "Op 0"
    # Added to the area while online: takes the next one at once.
    async with app.client() as op1_client:
        await presence.connected(app.db, op1["id"], "sid-1")
        await admin.patch(f"/api/users/{op1['id']}", json={"areaIds": []})
        await admin.patch(f"/api/users/{op1['id']}", json={"areaIds": [area]})
        assert await assignee(admin, third["id"]) == "Op 1"
        await login(op1_client, "op1", "Secret123!")
        mine = (await op1_client.get("/api/conversations", params={"view": "mine"})).json()["items"]
        assert [c["id"] for c in mine] == [third["id"]]


async def test_operators_gone_past_the_grace_period_lose_their_conversations(
    app: App, admin: httpx.AsyncClient, now: list[datetime]
) -> None:
    _, (op0, op1) = await desk(admin)
    await presence.connected(app.db, op0["id"], "sid-0")
    conv = await customer(admin, 1)
    assert await assignee(admin, conv["id"]) == "Op 0"
    await presence.disconnected(app.db, op0["id"], "sid-0")
    await presence.connected(app.db, op1["id"], "sid-1")
    now[0] += timedelta(seconds=60)
    await presence.heartbeat(app.db)  # this process keeps Op 1's socket fresh
    assert await release_absent_operators(app.db, app.settings) == 0  # still within grace
    now[0] += timedelta(seconds=61)
    await presence.heartbeat(app.db)
    assert await release_absent_operators(app.db, app.settings) == 1
    assert await assignee(admin, conv["id"]) == "Op 1"
    timeline = [
        e["type"] for e in (await admin.get(f"/api/conversations/{conv['id']}/events")).json()
    ]
    assert timeline.index("unassigned") < len(timeline) - 1 - timeline[::-1].index("auto_assigned")


async def test_coming_back_within_grace_keeps_the_conversations(
    app: App, admin: httpx.AsyncClient, now: list[datetime]
) -> None:
    _, (op0, _op1) = await desk(admin)
    await presence.connected(app.db, op0["id"], "sid-0")
    conv = await customer(admin, 1)
    await presence.disconnected(app.db, op0["id"], "sid-0")
    now[0] += timedelta(seconds=90)
    await presence.connected(app.db, op0["id"], "sid-0b")  # a page reload, a short network cut
    for _ in range(40):  # ten minutes of heartbeats
        now[0] += timedelta(seconds=15)
        await presence.heartbeat(app.db)
    assert await release_absent_operators(app.db, app.settings) == 0
    assert await assignee(admin, conv["id"]) == "Op 0"


async def test_areas_without_auto_assignment_keep_a_manual_queue(
    app: App, admin: httpx.AsyncClient
) -> None:
    area, (op0, _) = await desk(admin)
    await admin.patch(f"/api/areas/{area}", json={"autoAssign": False})
    await presence.connected(app.db, op0["id"], "sid-0")
    conv = await customer(admin, 1)
    assert await assignee(admin, conv["id"]) is None
    await admin.patch(f"/api/areas/{area}", json={"autoAssign": True})  # the queue drains
    assert await assignee(admin, conv["id"]) == "Op 0"
