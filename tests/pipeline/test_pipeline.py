"""The board, stages and deals through HTTP: exact totals, moves and their history, and
bad input answered with 4xx."""

from __future__ import annotations

import httpx

from tests.conftest import App, CapturedEvents
from tests.pipeline.helpers import contact, deal, pipeline


def _column(board: dict, stage_id: int) -> dict:
    stages = [s for p in board["pipelines"] for s in p["stages"]]
    return next(s for s in stages if s["id"] == stage_id)


async def test_board_totals_are_exact(app: App, admin: httpx.AsyncClient) -> None:
    pipe = await pipeline(admin)
    first, second = pipe["stages"][0]["id"], pipe["stages"][1]["id"]
    customer = (await contact(admin))["contact"]["id"]
    for value in ("10.10", "20.20", "0.05"):
        await deal(admin, customer, first, value)
    await deal(admin, customer, first, "1.50", currency="USD")
    await deal(admin, customer, second, "99999999999.99")

    board = (await admin.get("/api/pipeline", params={"pipelineId": pipe["id"]})).json()
    assert [p["id"] for p in board["pipelines"]] == [pipe["id"]]
    column = _column(board, first)
    assert column["dealCount"] == 4
    # Sums per currency, as decimal strings: 10.10 + 20.20 + 0.05 is 30.35, not 30.349999...
    assert column["totals"] == [
        {"currency": "ARS", "value": "30.35"},
        {"currency": "USD", "value": "1.50"},
    ]
    assert _column(board, second)["totals"] == [{"currency": "ARS", "value": "99999999999.99"}]
    assert [s["name"] for s in board["pipelines"][0]["stages"]] == ["A", "B", "C"]
    assert {d["value"] for d in column["deals"]} == {"10.10", "20.20", "0.05", "1.50"}


async def test_owner_filter(app: App, admin: httpx.AsyncClient) -> None:
    pipe = await pipeline(admin)
    stage = pipe["stages"][0]["id"]
    customer = (await contact(admin))["contact"]["id"]
    users = (await admin.get("/api/users")).json()
    me = next(u for u in users if u["username"] == "test")
    mine = await deal(admin, customer, stage)
    await deal(admin, customer, stage, ownerId=None)
    board = (
        await admin.get("/api/pipeline", params={"pipelineId": pipe["id"], "ownerId": me["id"]})
    ).json()
    assert [d["id"] for d in _column(board, stage)["deals"]] == [mine["id"]]
    assert mine["owner"]["id"] == me["id"]


async def test_stage_moves_are_kept(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    pipe = await pipeline(admin)
    a, b, c = (s["id"] for s in pipe["stages"])
    customer = (await contact(admin))["contact"]["id"]
    created = await deal(admin, customer, a, "5.00", expectedClose="2027-01-31", notes="x")
    assert created["value"] == "5.00" and created["expectedClose"] == "2027-01-31"
    for target in (b, c, a):
        moved = await admin.patch(f"/api/pipeline/deals/{created['id']}", json={"stageId": target})
        assert moved.status_code == 200, moved.text
        assert moved.json()["stageId"] == target
    # A patch that does not move it adds no history.
    edited = await admin.patch(
        f"/api/pipeline/deals/{created['id']}", json={"title": "Otra", "value": 7.5}
    )
    assert edited.json()["title"] == "Otra" and edited.json()["value"] == "7.50"
    history = (await admin.get(f"/api/pipeline/deals/{created['id']}/history")).json()
    assert [(h["fromStageId"], h["toStageId"]) for h in history] == [
        (None, a),
        (a, b),
        (b, c),
        (c, a),
    ]
    assert all(h["user"]["name"] for h in history) and all(h["at"] for h in history)
    assert [e.name for e in events.items if e.name.startswith("deal:")] == [
        "deal:created",
        *["deal:updated"] * 4,
    ]
    got = (await admin.get(f"/api/pipeline/deals/{created['id']}")).json()
    assert got["stageId"] == a and got["pipelineId"] == pipe["id"]
    assert got["contact"]["id"] == customer
    listed = (await admin.get(f"/api/contacts/{customer}/deals")).json()
    assert [d["id"] for d in listed] == [created["id"]]

    assert (await admin.delete(f"/api/pipeline/deals/{created['id']}")).status_code == 204
    assert (await admin.get(f"/api/pipeline/deals/{created['id']}")).status_code == 404
    assert events.named("deal:deleted")[-1].payload == {
        "id": created["id"],
        "pipelineId": pipe["id"],
    }


async def test_bad_input(app: App, admin: httpx.AsyncClient) -> None:
    pipe = await pipeline(admin)
    other = await pipeline(admin, "Otro", ("X",))
    stage = pipe["stages"][0]["id"]
    customer = (await contact(admin))["contact"]["id"]
    good = {"title": "T", "contactId": customer, "stageId": stage, "currency": "ARS"}
    bad_bodies = [
        {**good, "stageId": 999_999},
        {**good, "contactId": 999_999},
        {**good, "value": "-1.00"},
        {**good, "value": "1.001"},
        {**good, "value": "abc"},
        {**good, "value": "1e20"},
        {**good, "currency": "XYZ"},
        {**good, "currency": "dollars"},
        {**good, "title": ""},
        {**good, "ownerId": 999_999},
        {k: v for k, v in good.items() if k != "currency"},
    ]
    for body in bad_bodies:
        response = await admin.post("/api/pipeline/deals", json=body)
        assert response.status_code == 422, (body, response.text)
    created = await deal(admin, customer, stage, currency="usd")
    assert created["currency"] == "USD"
    url = f"/api/pipeline/deals/{created['id']}"
    cross = await admin.patch(url, json={"stageId": other["stages"][0]["id"]})
    assert cross.status_code == 422 and "another pipeline" in cross.text
    for body in ({"stageId": 999_999}, {"value": "-0.01"}, {"currency": "EURO"}, {"title": None}):
        response = await admin.patch(url, json=body)
        assert response.status_code == 422, (body, response.text)
    assert (await admin.get(url)).json()["stageId"] == stage  # nothing moved
    assert (await admin.get("/api/pipeline/deals/999999")).status_code == 404
    assert (await admin.get("/api/pipeline", params={"pipelineId": 999_999})).status_code == 404
    assert (await admin.get("/api/contacts/999999/deals")).status_code == 404
    # Stages: both won and lost, bad colour, unknown pipeline.
    for body in (
        {"pipelineId": pipe["id"], "name": "W", "isWon": True, "isLost": True},
        {"pipelineId": pipe["id"], "name": "W", "colour": "red"},
        {"pipelineId": 999_999, "name": "W"},
        {"pipelineId": pipe["id"], "name": ""},
    ):
        response = await admin.post("/api/pipeline/stages", json=body)
        assert response.status_code == 422, (body, response.text)


async def test_stages_reorder_and_delete(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    pipe = await pipeline(admin, stages=("A", "B", "C", "D"))
    ids = {s["name"]: s["id"] for s in pipe["stages"]}
    moved = await admin.patch(f"/api/pipeline/stages/{ids['D']}", json={"position": 0})
    assert moved.status_code == 200 and moved.json()["position"] == 0
    won = await admin.patch(
        f"/api/pipeline/stages/{ids['C']}", json={"isWon": True, "colour": "#00aa00"}
    )
    assert won.json()["isWon"] is True and won.json()["colour"] == "#00aa00"
    board = (await admin.get("/api/pipeline", params={"pipelineId": pipe["id"]})).json()
    stages = board["pipelines"][0]["stages"]
    assert [(s["name"], s["position"]) for s in stages] == [
        ("D", 0),
        ("A", 1),
        ("B", 2),
        ("C", 3),
    ]
    customer = (await contact(admin))["contact"]["id"]
    held = await deal(admin, customer, ids["A"])
    refused = await admin.delete(f"/api/pipeline/stages/{ids['A']}")
    assert refused.status_code == 409 and "1 deal" in refused.text
    assert (await admin.delete(f"/api/pipeline/stages/{ids['D']}")).status_code == 204
    await admin.patch(f"/api/pipeline/deals/{held['id']}", json={"stageId": ids["B"]})
    assert (await admin.delete(f"/api/pipeline/stages/{ids['A']}")).status_code == 204
    history = (await admin.get(f"/api/pipeline/deals/{held['id']}/history")).json()
    assert [(h["fromStageId"], h["toStageId"]) for h in history] == [
        (None, None),  # the stage it was created in is gone
        (None, ids["B"]),
    ]
    board = (await admin.get("/api/pipeline", params={"pipelineId": pipe["id"]})).json()
    assert [(s["name"], s["position"]) for s in board["pipelines"][0]["stages"]] == [
        ("B", 0),
        ("C", 1),
    ]
    assert (await admin.delete("/api/pipeline/stages/999999")).status_code == 404
    renamed = await admin.patch(f"/api/pipeline/{pipe['id']}", json={"name": "Renombrado"})
    assert renamed.json()["name"] == "Renombrado"
    assert [s["name"] for s in renamed.json()["stages"]] == ["B", "C"]
    last = events.named("pipeline:updated")[-1]
    assert last.payload["name"] == "Renombrado" and "role:OPERATOR" in last.rooms
