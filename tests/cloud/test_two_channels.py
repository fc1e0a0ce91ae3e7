"""Two numbers of different providers in one desk at once: a sandbox number and a Cloud API
number receive and answer side by side, each through its own provider."""

from __future__ import annotations

import httpx

from tests.cloud.helpers import (
    PHONE_NUMBER_ID,
    FakeGraph,
    cloud_channel,
    load,
    post_webhook,
    retarget,
)
from tests.conftest import App, eventually


async def test_sandbox_and_cloud_numbers_side_by_side(
    app: App, admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    cloud_id = await cloud_channel(admin, "Cloud line", api_base_url=graph.url)
    sandbox_id = (await admin.get("/api/bot/status")).json()["channelId"]
    assert sandbox_id != cloud_id

    # One customer writes to each number.
    assert (
        await post_webhook(admin, retarget(load("message__text__pywa.json")))
    ).status_code == 200
    inbound = await admin.post(
        f"/api/sandbox/{sandbox_id}/inbound", json={"from": "+5491166660000", "text": "hola"}
    )
    assert inbound.status_code == 201, inbound.text

    convs = (await admin.get("/api/conversations", params={"status": "all"})).json()["items"]
    by_channel = {c["channelId"]: c for c in convs}
    assert set(by_channel) >= {sandbox_id, cloud_id}

    replies = {}
    for channel_id, text in ((cloud_id, "Hola desde Cloud"), (sandbox_id, "Hola desde sandbox")):
        conv_id = by_channel[channel_id]["id"]
        response = await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": text})
        assert response.status_code == 201, response.text
        replies[channel_id] = response.json()["id"]

    async def both_out() -> bool:
        page = (await admin.get("/api/messages", params={"direction": "out"})).json()["items"]
        status = {m["id"]: m["status"] for m in page}
        return (
            status.get(replies[cloud_id]) == "sent"
            and status.get(replies[sandbox_id]) == "delivered"
        )

    await eventually(both_out)
    sent_to_graph = [r for r in graph.requests if r["path"].endswith("/messages")]
    assert [r["json"]["text"]["body"] for r in sent_to_graph] == ["Hola desde Cloud"]
    assert sent_to_graph[0]["path"] == f"/v21.0/{PHONE_NUMBER_ID}/messages"
