"""Service targets over HTTP and through the sweep, on every database: the area's
settings and who may change them, deadlines in clock and business time, the list sorted
by the nearest, breaches recorded once with a live alert, and met targets left alone."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from helpline.clock import utcnow
from helpline.conversations.models import Conversation
from helpline.targets.models import TargetBreach
from helpline.targets.service import sweep
from helpline.working_hours.business_time import after_open_seconds
from helpline.working_hours.service import Schedule
from tests.conftest import App, CapturedEvents, login, make_user
from tests.flows.helpers import make_area

# The app's own sweep waits an hour here: the tests run it when they mean to.
pytestmark = pytest.mark.settings(targets_interval_seconds=3600)


async def say(admin: httpx.AsyncClient, text: str, phone: str) -> int:
    answer = await admin.post("/api/sandbox/1/inbound", json={"from": phone, "text": text})
    assert answer.status_code == 201, answer.text
    conv_id: int = answer.json()["conversation"]["id"]
    return conv_id


async def set_targets(
    admin: httpx.AsyncClient, area: int, first: int | None, resolution: int | None
) -> dict[str, Any]:
    body = {"firstResponseMinutes": first, "resolutionMinutes": resolution}
    answer = await admin.put(f"/api/areas/{area}/targets", json=body)
    assert answer.status_code == 200, answer.text
    out: dict[str, Any] = answer.json()
    return out


async def opened_ago(app: App, conv_id: int, minutes: float) -> datetime:
    """Make the conversation as old as that (its deadlines count from its opening)."""
    at = utcnow() - timedelta(minutes=minutes)
    async with app.db.sessionmaker() as session:
        await session.execute(
            update(Conversation).where(Conversation.id == conv_id).values(created_at=at)
        )
        await session.commit()
    return at


async def conversation(admin: httpx.AsyncClient, conv_id: int) -> dict[str, Any]:
    body: dict[str, Any] = (await admin.get(f"/api/conversations/{conv_id}")).json()
    return body


def at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


@pytest.fixture
async def area(app: App, admin: httpx.AsyncClient) -> int:
    area_id = await make_area(admin, "Soporte")
    answer = await admin.patch("/api/channels/1", json={"defaultAreaId": area_id})
    assert answer.status_code == 200, answer.text
    return area_id


async def test_settings_and_who_may_change_them(
    app: App, admin: httpx.AsyncClient, area: int
) -> None:
    none = (await admin.get(f"/api/areas/{area}/targets")).json()
    assert none == {
        "areaId": area, "firstResponseMinutes": None, "resolutionMinutes": None, "basis": "clock"
    }  # fmt: skip
    saved = await set_targets(admin, area, 15, 240)
    assert (saved["firstResponseMinutes"], saved["resolutionMinutes"]) == (15, 240)
    for bad in ({"firstResponseMinutes": 0}, {"resolutionMinutes": 50_000}):
        refused = await admin.put(f"/api/areas/{area}/targets", json=bad)
        assert refused.status_code == 422, bad
    assert (await admin.get(f"/api/areas/{area}/targets")).json() == saved  # unchanged
    assert (await admin.put("/api/areas/999/targets", json={})).status_code == 404

    hours = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(5)]
    await admin.put(f"/api/working-hours/{area}", json={"timezone": "UTC", "intervals": hours})
    assert (await admin.get(f"/api/areas/{area}/targets")).json()["basis"] == "business"

    other = await make_area(admin, "Ventas")
    boss = await admin.post(
        "/api/users",
        json={"username": "sofia", "name": "Sofia", "password": "Secret123!",
              "role": "SUPERVISOR", "areaIds": [other]},
    )  # fmt: skip
    assert boss.status_code == 201, boss.text
    await make_user(admin, "omar")
    async with app.client() as sofia, app.client() as omar:
        await login(sofia, "sofia", "Secret123!")
        await login(omar, "omar", "Secret123!")
        refused = await sofia.put(f"/api/areas/{area}/targets", json={})
        assert refused.status_code == 403 and "own areas" in refused.json()["detail"]
        assert (await sofia.put(f"/api/areas/{other}/targets", json={})).status_code == 200
        assert (await omar.put(f"/api/areas/{area}/targets", json={})).status_code == 403
        assert (await omar.get(f"/api/areas/{area}/targets")).status_code == 200


async def test_deadlines_in_clock_time_and_the_list_by_the_nearest(
    app: App, admin: httpx.AsyncClient, area: int, events: CapturedEvents
) -> None:
    await set_targets(admin, area, 30, 120)
    later = await say(admin, "hola", "+5491155550501")
    sooner = await say(admin, "hola", "+5491155550502")
    opened = await opened_ago(app, sooner, 20)
    untargeted = await say(admin, "hola", "+5491155550503")
    await admin.post(
        f"/api/conversations/{untargeted}/transfer", json={"areaId": await make_area(admin, "Otra")}
    )
    events.clear()
    await sweep(app.db)

    conv = await conversation(admin, sooner)
    assert at(conv["firstResponseDueAt"]) == opened + timedelta(minutes=30)
    assert at(conv["resolutionDueAt"]) == opened + timedelta(minutes=120)
    assert (await conversation(admin, untargeted))["firstResponseDueAt"] is None
    updated = {e.payload["conversation"]["id"] for e in events.named("conversation:update")}
    assert {later, sooner} <= updated and untargeted not in updated
    listed = (await admin.get("/api/conversations", params={"sort": "due"})).json()["items"]
    assert [c["id"] for c in listed] == [sooner, later, untargeted]

    # Answered: the first response is met, the resolution deadline is next.
    await admin.post(f"/api/conversations/{sooner}/messages", json={"body": "¡Hola!"})
    assert (await conversation(admin, sooner))["firstResponseAt"] is not None
    events.clear()
    await sweep(app.db)
    assert events.named("conversation:update") == []  # nothing changed: nothing announced
    assert events.named("target:breached") == []


async def test_deadlines_in_business_time(app: App, admin: httpx.AsyncClient, area: int) -> None:
    hours = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(7)]
    await admin.put(f"/api/working-hours/{area}", json={"timezone": "UTC", "intervals": hours})
    await set_targets(admin, area, 60, None)
    conv_id = await say(admin, "hola", "+5491155550504")
    await sweep(app.db)
    conv = await conversation(admin, conv_id)
    schedule = Schedule("UTC", {d: [(9 * 60, 18 * 60)] for d in range(7)})
    expected = after_open_seconds(schedule, at(conv["createdAt"]) or utcnow(), 3600)
    assert at(conv["firstResponseDueAt"]) == expected and conv["resolutionDueAt"] is None


async def test_a_missed_target_is_recorded_once_and_alerted(
    app: App, admin: httpx.AsyncClient, area: int, events: CapturedEvents
) -> None:
    await set_targets(admin, area, 5, 60)
    missed = await say(admin, "¿hay alguien?", "+5491155550505")
    await opened_ago(app, missed, 10)
    answered_in_time = await say(admin, "hola", "+5491155550506")
    await admin.post(f"/api/conversations/{answered_in_time}/messages", json={"body": "¡Hola!"})
    await opened_ago(app, answered_in_time, 2)
    events.clear()
    await sweep(app.db)  # the deadlines, one already past
    (alert,) = events.named("target:breached")
    assert alert.payload["conversationId"] == missed and alert.payload["kind"] == "first_response"
    assert alert.payload["areaId"] == area
    assert set(alert.rooms) == {"role:ADMIN", f"area:{area}:supervisors"}
    events.clear()
    await sweep(app.db)
    assert events.named("target:breached") == []  # once
    async with app.db.sessionmaker() as session:
        rows = (await session.scalars(select(TargetBreach))).all()
    assert [(r.conversation_id, r.kind) for r in rows] == [(missed, "first_response")]

    # Answered late is still a miss; closed in time is no resolution miss.
    await admin.post(f"/api/conversations/{missed}/messages", json={"body": "Perdón"})
    await admin.post(f"/api/conversations/{missed}/close")
    await sweep(app.db)
    assert events.named("target:breached") == []
    summary = (await admin.get("/api/reports/summary", params={"tz": "UTC"})).json()["totals"]
    assert (summary["firstResponseBreaches"], summary["resolutionBreaches"]) == (1, 0)


async def test_a_late_resolution_is_a_miss(
    app: App, admin: httpx.AsyncClient, area: int, events: CapturedEvents
) -> None:
    await set_targets(admin, area, None, 30)
    conv_id = await say(admin, "hola", "+5491155550507")
    await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": "Ya vemos"})
    await opened_ago(app, conv_id, 45)
    await sweep(app.db)
    (alert,) = events.named("target:breached")
    assert (alert.payload["conversationId"], alert.payload["kind"]) == (conv_id, "resolution")
    assert at(alert.payload["dueAt"]) is not None
    assert (await conversation(admin, conv_id))["resolutionDueAt"] is not None


async def test_removing_the_targets_clears_the_deadlines(
    app: App, admin: httpx.AsyncClient, area: int
) -> None:
    await set_targets(admin, area, 30, 60)
    conv_id = await say(admin, "hola", "+5491155550508")
    await sweep(app.db)
    assert (await conversation(admin, conv_id))["firstResponseDueAt"] is not None
    await set_targets(admin, area, None, None)
    await sweep(app.db)
    conv = await conversation(admin, conv_id)
    assert conv["firstResponseDueAt"] is None and conv["resolutionDueAt"] is None
