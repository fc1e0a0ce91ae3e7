"""The reports on a known history (tests/reports/history.py), exactly, on every database:
each figure, each table, each filter, the viewer's time zone, CSV, and who sees what."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest

from tests.conftest import App, login
from tests.reports.history import NONE, ZONE, Desk, build, row

RANGE = {"from": "2026-03-09", "to": "2026-03-10", "tz": ZONE}

TOTALS = row(
    7, 4, 1, (7, 9), 1,
    (6, 750.0, 1800.0, "mixed"),  # 120 240 600 | 900 1500 1800
    (4, 8700.0, 18300.0, "mixed"),  # 300 3600 | 13800 18300
    (3.33, 3),  # 5 3 2
    (2, 1),  # c4b c3 | c2
)  # fmt: skip
VENTAS = row(
    4, 2, 0, (4, 6), 0, (4, 750.0, 1500.0, "business"), (2, 16050.0, 18300.0, "business"), (3.5, 2),
    (1, 1),
)  # fmt: skip
SOPORTE = row(
    2, 1, 1, (2, 2), 0, (2, 960.0, 1800.0, "clock"), (1, 3600.0, 3600.0, "clock"), (3.0, 1),
    (1, 0),
)  # fmt: skip
NO_AREA = row(1, 1, 0, (1, 1), 1, NONE, (1, 300.0, 300.0, "clock"))


def durations(count: int, median: float, p90: float, basis: str) -> dict[str, Any]:
    return {"count": count, "medianSeconds": median, "p90Seconds": p90, "basis": basis}


async def get(client: httpx.AsyncClient, table: str, **params: Any) -> dict[str, Any]:
    answer = await client.get(f"/api/reports/{table}", params={**RANGE, **params})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


@pytest.fixture
async def desk(app: App, admin: httpx.AsyncClient) -> Desk:
    return await build(app, admin)


@pytest.mark.settings(auto_close_minutes=0)
async def test_summary_days_areas_agents(admin: httpx.AsyncClient, desk: Desk) -> None:
    summary = await get(admin, "summary")
    assert summary["range"]["from"] == "2026-03-09"
    assert summary["range"]["to"] == "2026-03-10"
    assert summary["range"]["startsAt"] == "2026-03-09T03:00:00Z"
    assert summary["range"]["endsAt"] == "2026-03-11T03:00:00Z"
    assert summary["totals"] == TOTALS

    days = (await get(admin, "days"))["days"]
    assert days == [
        {
            "day": "2026-03-09",
            **row(
                5, 2, 1, (5, 5), 0,
                (4, 1050.0, 1800.0, "mixed"),  # 120 600 1500 1800
                (2, 8700.0, 13800.0, "mixed"),  # 3600 13800
                (4.0, 2),  # 5 3
                (1, 1),  # c4b | c2
            ),
        },
        {
            "day": "2026-03-10",
            **row(
                2, 2, 0, (2, 4), 1,
                (2, 570.0, 900.0, "business"),  # 240 900
                (2, 9300.0, 18300.0, "mixed"),  # 300 18300
                (2.0, 1),
                (1, 0),  # c3
            ),
        },
    ]  # fmt: skip

    areas = (await get(admin, "areas"))["areas"]
    assert areas == [
        {"id": desk.soporte, "name": "Soporte", "workingHours": False, **SOPORTE},
        {"id": desk.ventas, "name": "Ventas", "workingHours": True, **VENTAS},
        {"id": None, "name": None, "workingHours": False, **NO_AREA},
    ]

    agents = (await get(admin, "agents"))["agents"]
    assert agents == [
        {
            "id": desk.users["ana"],
            "name": "Ana",
            "closed": 1,
            "messagesOut": 3,
            "firstResponse": durations(3, 600.0, 900.0, "business"),  # 240 600 900
            "resolution": durations(1, 13800.0, 13800.0, "business"),
            "satisfaction": 5.0,
            "satisfactionResponses": 1,
            "firstResponseBreaches": 0,
            "resolutionBreaches": 0,
        },
        {
            "id": desk.users["bruno"],
            "name": "Bruno",
            "closed": 2,
            "messagesOut": 4,
            "firstResponse": durations(3, 1500.0, 1800.0, "mixed"),  # 120 1500 1800
            "resolution": durations(2, 10950.0, 18300.0, "mixed"),  # 3600 18300
            "satisfaction": 2.5,  # 2 3
            "satisfactionResponses": 2,
            "firstResponseBreaches": 2,  # c3 c4b
            "resolutionBreaches": 1,  # c2
        },
    ]


@pytest.mark.settings(auto_close_minutes=0)
async def test_the_viewers_days(admin: httpx.AsyncClient, desk: Desk) -> None:
    """In UTC the same dates start three hours earlier: Sunday night's c6 falls inside."""
    totals = (await get(admin, "summary", tz="UTC"))["totals"]
    assert totals == row(
        8, 5, 1, (8, 10), 1,
        (7, 600.0, 1800.0, "mixed"),  # 120 240 600 600 900 1500 1800
        (5, 5400.0, 18300.0, "mixed"),  # 300 3600 5400 13800 18300
        (3.5, 4),  # 5 3 2 and c6's 4
        (2, 2),  # and c6's resolution
    )  # fmt: skip


@pytest.mark.settings(auto_close_minutes=0)
async def test_filters(admin: httpx.AsyncClient, desk: Desk) -> None:
    by_area = await get(admin, "summary", areaId=desk.ventas)
    assert by_area["totals"] == VENTAS
    by_label = await get(admin, "summary", labelId=desk.vip)
    assert by_label["totals"] == row(1, 0, 0, (1, 1), 0, (1, 900.0, 900.0, "business"), NONE)
    by_channel = await get(admin, "summary", channelId=desk.cloud)
    assert by_channel["totals"] == NO_AREA
    # ana's conversations (c1, c7) and the first responses she gave (c1, c3, c7).
    by_agent = await get(admin, "summary", agentId=desk.users["ana"])
    assert by_agent["totals"] == row(
        2, 1, 0, (2, 3), 0, (3, 600.0, 900.0, "business"), (1, 13800.0, 13800.0, "business"),
        (5.0, 1),
    )  # fmt: skip


@pytest.mark.settings(auto_close_minutes=0)
async def test_who_sees_what(app: App, admin: httpx.AsyncClient, desk: Desk) -> None:
    async with app.client() as sofia:
        await login(sofia, "sofia", "Secret123!")
        # The supervisor of Soporte: its conversations and the people who worked them.
        assert (await get(sofia, "summary"))["totals"] == SOPORTE
        areas = (await get(sofia, "areas"))["areas"]
        assert areas == [{"id": desk.soporte, "name": "Soporte", "workingHours": False, **SOPORTE}]
        assert (await get(sofia, "agents"))["agents"] == [
            {
                "id": desk.users["bruno"],
                "name": "Bruno",
                "closed": 1,
                "messagesOut": 2,
                "firstResponse": durations(2, 960.0, 1800.0, "clock"),
                "resolution": durations(1, 3600.0, 3600.0, "clock"),
                "satisfaction": 3.0,
                "satisfactionResponses": 1,
                "firstResponseBreaches": 1,
                "resolutionBreaches": 0,
            }
        ]
        refused = await sofia.get("/api/reports/summary", params={"areaId": desk.ventas})
        assert refused.status_code == 403
        assert "areas you supervise" in refused.json()["detail"]
    async with app.client() as ana:
        await login(ana, "ana", "Secret123!")
        for table in ("summary", "days", "agents", "areas"):
            assert (await ana.get(f"/api/reports/{table}")).status_code == 403
    async with app.client() as anonymous:
        assert (await anonymous.get("/api/reports/summary")).status_code == 401


@pytest.mark.settings(auto_close_minutes=0)
async def test_csv(admin: httpx.AsyncClient, desk: Desk) -> None:
    answer = await admin.get("/api/reports/days", params={**RANGE, "format": "csv"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert "days-2026-03-09-2026-03-10.csv" in answer.headers["content-disposition"]
    lines = list(csv.DictReader(io.StringIO(answer.text)))
    assert [line["day"] for line in lines] == ["2026-03-09", "2026-03-10"]
    assert lines[0]["firstResponseMedianSeconds"] == "1050.0"
    assert lines[0]["firstResponseBasis"] == "mixed"
    assert lines[1]["botResolvedShare"] == "0.5"
    agents = await admin.get("/api/reports/agents", params={**RANGE, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(agents.text)))
    assert [(r["name"], r["closed"], r["resolutionP90Seconds"]) for r in rows] == [
        ("Ana", "1", "13800.0"),
        ("Bruno", "2", "18300.0"),
    ]
    summary = await admin.get("/api/reports/summary", params={**RANGE, "format": "csv"})
    (totals,) = list(csv.DictReader(io.StringIO(summary.text)))
    assert totals["opened"] == "7" and totals["botResolvedShare"] == "0.25"
    assert (totals["satisfaction"], totals["satisfactionResponses"]) == ("3.33", "3")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-03-10", "to": "2026-03-09"}, "must not be before"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "at most 366 days"),
        ({"tz": "Mars/Olympus"}, "unknown time zone"),
        ({"from": "yesterday"}, "from"),
    ],
)
async def test_bad_ranges(admin: httpx.AsyncClient, params: dict[str, str], message: str) -> None:
    answer = await admin.get("/api/reports/summary", params=params)
    assert answer.status_code == 422, answer.text
    assert message in answer.json()["detail"]


async def test_a_year_is_allowed_and_empty_is_zero(admin: httpx.AsyncClient) -> None:
    body = await get(admin, "summary", **{"from": "2025-03-11", "to": "2026-03-11"})
    assert body["totals"] == row(0, 0, 0, (0, 0), 0, NONE, NONE)
    days = await get(admin, "days", **{"from": "2025-03-11", "to": "2026-03-11"})
    assert len(days["days"]) == 366
