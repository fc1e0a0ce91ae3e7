"""The dashboard over a real Socket.IO client against a real server process: a burst of
messages costs one update, and the update carries the new figures."""

from __future__ import annotations

import asyncio

import httpx

from tests.conftest import LiveServer
from tests.test_realtime import connect, session_for

EVENT = "dashboard:updated"


async def test_two_messages_within_a_second_make_one_update(live_server: LiveServer) -> None:
    async with session_for(live_server, "test", "Test1234!") as admin:
        listener = await connect(live_server, admin)
        try:
            assert await listener.client.call("dashboard:subscribe", {}) is True
            # Connecting changed presence: that update comes and goes first.
            await listener.wait_for(EVENT)
            await asyncio.sleep(1.5)
            listener.received.clear()
            before = (await admin.get("/api/dashboard")).json()

            sent = await asyncio.gather(
                *(
                    admin.post(
                        "/api/sandbox/1/inbound",
                        json={"from": f"+54911666000{n}", "name": f"Live {n}", "text": "hola"},
                    )
                    for n in (1, 2)
                )
            )
            assert [r.status_code for r in sent] == [201, 201]

            update = await listener.wait_for(EVENT)
            await asyncio.sleep(2.0)  # long enough for a second update to show up
            assert listener.names().count(EVENT) == 1, listener.names()
            assert update["scope"] == "all"
            assert update["messages"]["inbound"] == before["messages"]["inbound"] + 2
            sandbox = next(c for c in update["channels"] if c["id"] == 1)
            was = next(c for c in before["channels"] if c["id"] == 1)
            assert sandbox["inbound"] == was["inbound"] + 2
            opened = sum(v or 0 for v in update["conversations"].values())
            assert opened == sum(v or 0 for v in before["conversations"].values()) + 2
            assert update == (await admin.get("/api/dashboard")).json() | {
                "generatedAt": update["generatedAt"],
                "areas": update["areas"],  # waiting times grow by the second
            }
        finally:
            await listener.client.disconnect()


async def test_an_unsubscribed_console_gets_no_updates(live_server: LiveServer) -> None:
    async with session_for(live_server, "test", "Test1234!") as admin:
        listener = await connect(live_server, admin)
        try:
            response = await admin.post(
                "/api/sandbox/1/inbound", json={"from": "+549116660009", "text": "hola"}
            )
            assert response.status_code == 201
            await asyncio.sleep(2.0)
            assert EVENT not in listener.names()
        finally:
            await listener.client.disconnect()


async def test_an_agent_hears_only_their_own_view(live_server: LiveServer) -> None:
    async with session_for(live_server, "test", "Test1234!") as admin:
        await _user(admin, "liveagent")
        async with session_for(live_server, "liveagent", "Secret123!") as agent_http:
            agent = await connect(live_server, agent_http)
            try:
                assert await agent.client.call("dashboard:subscribe", {}) is True
                update = await agent.wait_for(EVENT)  # its own connection changed presence
                assert update["scope"] == "own"
                assert update["messages"] is None and update["channels"] == []
                assert [a["name"] for a in update["agents"]] == ["Liveagent"]
            finally:
                await agent.client.disconnect()


async def _user(admin: httpx.AsyncClient, username: str) -> None:
    response = await admin.post(
        "/api/users",
        json={"username": username, "name": username.title(), "password": "Secret123!"},
    )
    assert response.status_code == 201, response.text
