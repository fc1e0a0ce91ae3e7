"""Working hours: the schedule API, open/closed across time zones and day boundaries,
the courtesy text once a day, and the queue entering assignment at opening."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from helpline import clock
from helpline.presence import service as presence
from helpline.scheduler.service import open_queues
from helpline.working_hours.service import Schedule
from tests.conftest import App, login

SAO_PAULO = "America/Sao_Paulo"  # UTC-3, no DST since 2019


def test_open_across_a_time_zone_and_a_day_boundary() -> None:
    # Friday 22:00-24:00 and Saturday 00:00-02:00 in São Paulo: one night shift in two spans.
    schedule = Schedule(timezone=SAO_PAULO, weekly={4: [(22 * 60, 24 * 60)], 5: [(0, 2 * 60)]})
    friday_2230_local = datetime(2026, 11, 28, 1, 30, tzinfo=UTC)  # Saturday 01:30 UTC
    assert schedule.is_open(friday_2230_local)
    assert schedule.is_open(datetime(2026, 11, 28, 4, 59, tzinfo=UTC))  # Sat 01:59 local
    assert not schedule.is_open(datetime(2026, 11, 28, 5, 0, tzinfo=UTC))  # Sat 02:00 local
    assert not schedule.is_open(datetime(2026, 11, 27, 23, 0, tzinfo=UTC))  # Fri 20:00 local
    nxt = schedule.next_opening(datetime(2026, 11, 27, 23, 0, tzinfo=UTC))
    assert nxt is not None and nxt.astimezone(UTC) == datetime(2026, 11, 28, 1, 0, tzinfo=UTC)


def test_exceptions_override_the_week() -> None:
    weekdays = {d: [(9 * 60, 18 * 60)] for d in range(5)}
    holiday, saturday = date(2026, 12, 25), date(2026, 12, 26)
    schedule = Schedule(
        timezone="UTC", weekly=weekdays, exceptions={holiday: [], saturday: [(10 * 60, 12 * 60)]}
    )
    assert not schedule.is_open(datetime(2026, 12, 25, 10, 0, tzinfo=UTC))  # Friday, but Christmas
    assert schedule.is_open(datetime(2026, 12, 26, 11, 0, tzinfo=UTC))  # a special Saturday
    assert schedule.is_open(datetime(2026, 12, 24, 17, 59, tzinfo=UTC))
    assert Schedule().is_open(datetime(2026, 12, 25, 3, 0, tzinfo=UTC))  # no schedule: always open


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[datetime]]:
    # Friday 2026-11-27 12:00 in São Paulo (15:00 UTC).
    current = [datetime(2026, 11, 27, 15, 0, tzinfo=UTC)]
    monkeypatch.setattr(clock, "source", lambda: current[0])
    yield current


WEEKDAYS_9_TO_18: dict[str, Any] = {
    "timezone": SAO_PAULO,
    "courtesyMessage": "Estamos cerrados: abrimos de lunes a viernes de 9 a 18 h.",
    "intervals": [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(5)],
    "exceptions": [{"date": "2026-12-25", "intervals": [], "note": "Navidad"}],
}


async def test_schedule_api_and_validation(
    now: list[datetime], app: App, admin: httpx.AsyncClient
) -> None:
    area = (await admin.post("/api/areas", json={"name": "Ventas"})).json()["id"]
    saved = await admin.put(f"/api/working-hours/{area}", json=WEEKDAYS_9_TO_18)
    assert saved.status_code == 200, saved.text
    assert saved.json()["exceptions"] == [
        {"date": "2026-12-25", "intervals": [], "note": "Navidad"}
    ]
    assert len(saved.json()["intervals"]) == 5
    status = (await admin.get(f"/api/working-hours/{area}/status")).json()
    assert status["open"] is True and status["configured"] is True
    bad = [
        {**WEEKDAYS_9_TO_18, "timezone": "Mars/Olympus"},
        {**WEEKDAYS_9_TO_18, "intervals": [{"weekday": 0, "start": "18:00", "end": "09:00"}]},
        {
            **WEEKDAYS_9_TO_18,
            "intervals": [
                {"weekday": 0, "start": "09:00", "end": "13:00"},
                {"weekday": 0, "start": "12:00", "end": "18:00"},
            ],
        },
        {**WEEKDAYS_9_TO_18, "intervals": [{"weekday": 7, "start": "09:00", "end": "13:00"}]},
        {**WEEKDAYS_9_TO_18, "intervals": [{"weekday": 1, "start": "9am", "end": "13:00"}]},
    ]
    for payload in bad:
        response = await admin.put(f"/api/working-hours/{area}", json=payload)
        assert response.status_code == 422, payload
    assert (await admin.get(f"/api/working-hours/{area}")).json()["intervals"] == saved.json()[
        "intervals"
    ]
    assert (await admin.put("/api/working-hours/999", json=WEEKDAYS_9_TO_18)).status_code == 404


async def test_supervisors_set_their_own_areas_only(app: App, admin: httpx.AsyncClient) -> None:
    mine = (await admin.post("/api/areas", json={"name": "Soporte"})).json()["id"]
    other = (await admin.post("/api/areas", json={"name": "Ventas"})).json()["id"]
    await admin.post(
        "/api/users",
        json={
            "username": "sofia",
            "name": "Sofía",
            "password": "Secret123!",
            "role": "SUPERVISOR",
            "areaIds": [mine],
        },
    )
    await admin.post(
        "/api/users",
        json={"username": "laura", "name": "Laura", "password": "Secret123!", "areaIds": [mine]},
    )
    async with app.client() as sofia, app.client() as laura:
        await login(sofia, "sofia", "Secret123!")
        await login(laura, "laura", "Secret123!")
        assert (
            await sofia.put(f"/api/working-hours/{mine}", json=WEEKDAYS_9_TO_18)
        ).status_code == 200
        assert (
            await sofia.put(f"/api/working-hours/{other}", json=WEEKDAYS_9_TO_18)
        ).status_code == 403
        assert (
            await laura.put(f"/api/working-hours/{mine}", json=WEEKDAYS_9_TO_18)
        ).status_code == 403


@pytest.mark.settings(session_max_age=30 * 24 * 3600 * 1000)  # the test spans a weekend
async def test_out_of_hours_courtesy_once_a_day_and_assignment_at_opening(
    now: list[datetime], app: App, admin: httpx.AsyncClient
) -> None:
    area = (await admin.post("/api/areas", json={"name": "Ventas"})).json()["id"]
    await admin.put(f"/api/working-hours/{area}", json=WEEKDAYS_9_TO_18)
    await admin.post(
        "/api/channels", json={"name": "Ventas", "provider": "sandbox", "defaultAreaId": area}
    )
    op = (
        await admin.post(
            "/api/users",
            json={
                "username": "laura",
                "name": "Laura",
                "password": "Secret123!",
                "areaIds": [area],
            },
        )
    ).json()
    await presence.connected(app.db, op["id"], "sid-laura")
    phone = "+5511988887777"

    async def write(text: str) -> dict[str, Any]:
        response = await admin.post("/api/sandbox/2/inbound", json={"from": phone, "text": text})
        result: dict[str, Any] = response.json()["conversation"]
        return result

    async def courtesies() -> int:
        thread = (await admin.get("/api/sandbox/2/thread", params={"to": phone})).json()
        return sum(1 for m in thread if m["sender"] == "system")

    now[0] = datetime(2026, 11, 27, 22, 30, tzinfo=UTC)  # Friday 19:30 local: closed
    conv = await write("hola")
    assert conv["status"] == "pending" and conv["assignedTo"] is None
    await write("¿hay alguien?")
    assert await courtesies() == 1  # once per conversation and day
    now[0] = datetime(2026, 11, 28, 3, 30, tzinfo=UTC)  # Saturday 00:30 local
    await presence.heartbeat(app.db)
    await write("sigo esperando")
    assert await courtesies() == 2  # a new local day (Saturday), the text again
    assert await open_queues(app.db) == 0  # weekend: still closed
    now[0] = datetime(2026, 11, 30, 12, 5, tzinfo=UTC)  # Monday 09:05 local
    await presence.heartbeat(app.db)
    assert await open_queues(app.db) == 1
    assigned = (await admin.get(f"/api/conversations/{conv['id']}")).json()
    assert assigned["assignedTo"]["name"] == "Laura" and assigned["status"] == "active"
