"""Conversation labels: admins manage them; whoever sees a conversation labels it; the list
filters by label; the change reaches other consoles (`conversation:update` carries labels)."""

from __future__ import annotations

import httpx

from tests.conftest import App, CapturedEvents, login


async def test_labels_filter_and_event(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    urgent = (await admin.post("/api/labels", json={"name": "urgent", "color": "#dc2626"})).json()
    sale = (await admin.post("/api/labels", json={"name": "sale", "color": "#16a34a"})).json()
    assert (await admin.post("/api/labels", json={"name": "urgent"})).status_code == 409
    assert (await admin.post("/api/labels", json={"name": "x", "color": "red"})).status_code == 422
    first = (
        await admin.post("/api/sandbox/1/inbound", json={"from": "+5491155552001", "text": "hola"})
    ).json()["conversation"]
    second = (
        await admin.post("/api/sandbox/1/inbound", json={"from": "+5491155552002", "text": "hola"})
    ).json()["conversation"]
    assert first["labels"] == []
    events.clear()
    response = await admin.put(
        f"/api/conversations/{first['id']}/labels", json={"labelIds": [urgent["id"], sale["id"]]}
    )
    assert response.status_code == 200, response.text
    assert [label["name"] for label in response.json()["labels"]] == ["sale", "urgent"]
    update = events.named("conversation:update")
    assert update and [label["id"] for label in update[-1].payload["conversation"]["labels"]] == [
        sale["id"],
        urgent["id"],
    ]
    assert "role:ADMIN" in update[-1].rooms

    listed = (await admin.get("/api/conversations", params={"label": urgent["id"]})).json()["items"]
    assert [c["id"] for c in listed] == [first["id"]]
    everything = (await admin.get("/api/conversations")).json()["items"]
    assert {c["id"] for c in everything} == {first["id"], second["id"]}
    assert next(c for c in everything if c["id"] == first["id"])["labels"][0]["color"] == "#16a34a"

    removed = await admin.put(
        f"/api/conversations/{first['id']}/labels", json={"labelIds": [sale["id"]]}
    )
    assert [label["id"] for label in removed.json()["labels"]] == [sale["id"]]
    assert (await admin.get("/api/conversations", params={"label": urgent["id"]})).json()[
        "items"
    ] == []
    unknown = await admin.put(f"/api/conversations/{first['id']}/labels", json={"labelIds": [999]})
    assert unknown.status_code == 422
    renamed = await admin.put(
        f"/api/labels/{sale['id']}", json={"name": "sales", "color": "#0000ff"}
    )
    assert renamed.status_code == 200
    assert (await admin.get(f"/api/conversations/{first['id']}")).json()["labels"][0][
        "name"
    ] == "sales"
    events.clear()
    assert (await admin.delete(f"/api/labels/{sale['id']}")).status_code == 204
    [gone] = events.named("labels:update")
    assert [label["name"] for label in gone.payload["labels"]] == ["urgent"]
    assert {"role:ADMIN", "role:OPERATOR"} <= set(gone.rooms)
    assert (await admin.get(f"/api/conversations/{first['id']}")).json()["labels"] == []
    events_log = (await admin.get(f"/api/conversations/{first['id']}/events")).json()
    assert any(e["type"] == "labels" for e in events_log)


async def test_who_may_label(app: App, admin: httpx.AsyncClient) -> None:
    area = (await admin.post("/api/areas", json={"name": "A", "autoAssign": False})).json()["id"]
    other = (await admin.post("/api/areas", json={"name": "B", "autoAssign": False})).json()["id"]
    await admin.post(
        "/api/users",
        json={
            "username": "op",
            "name": "Op",
            "password": "Secret123!",
            "role": "OPERATOR",
            "areaIds": [area],
        },
    )
    label = (await admin.post("/api/labels", json={"name": "vip"})).json()
    mine = (
        await admin.post("/api/sandbox/1/inbound", json={"from": "+5491155552003", "text": "hola"})
    ).json()["conversation"]
    theirs = (
        await admin.post("/api/sandbox/1/inbound", json={"from": "+5491155552004", "text": "hola"})
    ).json()["conversation"]
    await admin.post(f"/api/conversations/{mine['id']}/transfer", json={"areaId": area})
    await admin.post(f"/api/conversations/{theirs['id']}/transfer", json={"areaId": other})
    async with app.client() as client:
        await login(client, "op", "Secret123!")
        assert (await client.get("/api/labels")).status_code == 200
        assert (await client.post("/api/labels", json={"name": "nope"})).status_code == 403
        assert (await client.delete(f"/api/labels/{label['id']}")).status_code == 403
        ok = await client.put(
            f"/api/conversations/{mine['id']}/labels", json={"labelIds": [label["id"]]}
        )
        assert ok.status_code == 200, ok.text
        hidden = await client.put(
            f"/api/conversations/{theirs['id']}/labels", json={"labelIds": [label["id"]]}
        )
        assert hidden.status_code == 404
