"""Deal and pipeline events reach, over a real Socket.IO connection to a real server, the
consoles that may see them, and only those."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from tests.conftest import LiveServer
from tests.test_realtime import connect, session_for


async def _user(admin: httpx.AsyncClient, area_id: int) -> str:
    username = f"rt_{uuid.uuid4().hex[:8]}"
    response = await admin.post(
        "/api/users",
        json={
            "username": username,
            "name": username,
            "password": "Secret123!",
            "role": "SALES",
            "areaIds": [area_id],
        },
    )
    assert response.status_code == 201, response.text
    return username


@pytest.mark.usefixtures("without_bot")
async def test_deal_events_reach_who_may_see_them(
    live_server: LiveServer, admin_http: httpx.AsyncClient
) -> None:
    tag = uuid.uuid4().hex[:6]
    areas = []
    for name in ("in", "out"):
        response = await admin_http.post("/api/areas", json={"name": f"deals-{name}-{tag}"})
        assert response.status_code == 201, response.text
        areas.append(response.json()["id"])
    insider, outsider = await _user(admin_http, areas[0]), await _user(admin_http, areas[1])
    sent = await admin_http.post(
        "/api/sandbox/1/inbound", json={"from": "+5491155558801", "name": "Eva", "text": "hola"}
    )
    conv = sent.json()["conversation"]
    moved = await admin_http.post(
        f"/api/conversations/{conv['id']}/transfer", json={"areaId": areas[0]}
    )
    assert moved.status_code == 200, moved.text
    board = (await admin_http.get("/api/pipeline")).json()
    # The fresh install's default pipeline.
    stages = board["pipelines"][0]["stages"]
    assert [s["isWon"] for s in stages].count(True) == 1

    async with (
        session_for(live_server, insider, "Secret123!") as inside_http,
        session_for(live_server, outsider, "Secret123!") as outside_http,
    ):
        inside = await connect(live_server, inside_http)
        outside = await connect(live_server, outside_http)
        admin = await connect(live_server, admin_http)
        try:
            created = await inside_http.post(
                "/api/pipeline/deals",
                json={
                    "title": "Plan anual",
                    "contactId": conv["contact"]["id"],
                    "stageId": stages[0]["id"],
                    "value": "1500.50",
                    "currency": "ARS",
                },
            )
            assert created.status_code == 201, created.text
            deal_id = created.json()["id"]
            for listener in (inside, admin):
                got = await listener.wait_for("deal:created", lambda d: d["id"] == deal_id)
                assert got["value"] == "1500.50" and got["stageId"] == stages[0]["id"]

            patched = await admin_http.patch(
                f"/api/pipeline/deals/{deal_id}", json={"stageId": stages[1]["id"]}
            )
            assert patched.status_code == 200, patched.text
            got = await inside.wait_for(
                "deal:updated", lambda d: d["id"] == deal_id and d["stageId"] == stages[1]["id"]
            )
            assert got["owner"]["name"] == insider

            renamed = await admin_http.patch(
                f"/api/pipeline/stages/{stages[2]['id']}", json={"name": f"Propuesta {tag}"}
            )
            assert renamed.status_code == 200
            await outside.wait_for("pipeline:updated", lambda d: d["id"] == stages[2]["pipelineId"])

            assert (await admin_http.delete(f"/api/pipeline/deals/{deal_id}")).status_code == 204
            await inside.wait_for("deal:deleted", lambda d: d["id"] == deal_id)
            await asyncio.sleep(0.3)  # anything wrongly sent to the outsider has arrived by now
            assert not [n for n in outside.names() if n.startswith("deal:")]
        finally:
            for listener in (inside, outside, admin):
                await listener.client.disconnect()
            await admin_http.patch(
                f"/api/pipeline/stages/{stages[2]['id']}", json={"name": stages[2]["name"]}
            )
