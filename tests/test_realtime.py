"""A real server process and real Socket.IO clients, as the console uses them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import socketio

from tests.conftest import LiveServer

TIMEOUT = 10


class Listener:
    """A Socket.IO client that records every event it receives."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: list[tuple[str, Any]] = []
        self._arrived = asyncio.Condition()
        self.dropped = asyncio.Event()
        self.client.on("*", self._record)
        self.client.on("disconnect", self._dropped)

    async def _dropped(self, *_reason: Any) -> None:
        self.dropped.set()

    async def _record(self, event: str, data: Any) -> None:
        async with self._arrived:
            self.received.append((event, data))
            self._arrived.notify_all()

    async def wait_for(self, event: str, match: Any = lambda data: True) -> Any:
        async def found() -> Any:
            return next((d for e, d in self.received if e == event and match(d)), None)

        async with asyncio.timeout(TIMEOUT), self._arrived:
            while (data := await found()) is None:
                await self._arrived.wait()
            return data

    def names(self) -> list[str]:
        return [event for event, _ in self.received]


@asynccontextmanager
async def session_for(
    server: LiveServer, username: str, password: str
) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.post(
            "/api/auth/login", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        client.headers["X-CSRF-Token"] = response.json()["csrfToken"]
        yield client


async def connect(server: LiveServer, http: httpx.AsyncClient) -> Listener:
    listener = Listener()
    cookie = f"helpline.sid={http.cookies['helpline.sid']}"
    await listener.client.connect(server.url, headers={"Cookie": cookie}, transports=["websocket"])
    return listener


@pytest.fixture
async def admin_http(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with session_for(live_server, "test", "Test1234!") as client:
        yield client


@pytest.fixture
async def without_bot(admin_http: httpx.AsyncClient) -> AsyncIterator[None]:
    """The demo's bot answers first and keeps conversations from operators until it hands
    them over; these tests are about the desk's own events, so it steps aside."""
    flows = (await admin_http.get("/api/flows")).json()
    live = [f["id"] for f in flows if f["active"]]
    for flow_id in live:
        assert (await admin_http.patch(f"/api/flows/{flow_id}", json={"active": False})).is_success
    yield
    for flow_id in live:
        await admin_http.patch(f"/api/flows/{flow_id}", json={"active": True})


async def test_handshake_without_a_session_is_refused(live_server: LiveServer) -> None:
    for headers in ({}, {"Cookie": "helpline.sid=forged.value"}):
        client = socketio.AsyncClient(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError, match="failed to connect"):
            await client.connect(live_server.url, headers=headers, transports=["websocket"])


@pytest.mark.usefixtures("without_bot")
async def test_operator_console_sees_the_whole_exchange_live(
    live_server: LiveServer, admin_http: httpx.AsyncClient
) -> None:
    listener = await connect(live_server, admin_http)
    try:
        phone = "+5491155557001"
        sent = await admin_http.post(
            "/api/sandbox/1/inbound", json={"from": phone, "name": "Ana", "text": "hola"}
        )
        assert sent.status_code == 201
        conv_id = sent.json()["conversation"]["id"]

        incoming = await listener.wait_for(
            "conversation:incoming", lambda d: d["conversation"]["id"] == conv_id
        )
        assert incoming["conversation"]["contact"]["phone"] == phone
        new = await listener.wait_for("message:new", lambda d: d["conversation"]["id"] == conv_id)
        assert new["message"]["body"] == "hola"
        assert listener.names().index("conversation:incoming") < listener.names().index(
            "message:new"
        )

        reply = await admin_http.post(
            f"/api/conversations/{conv_id}/messages", json={"body": "¡Hola!"}
        )
        reply_id = reply.json()["id"]
        await listener.wait_for(
            "conversation:update", lambda d: d["conversation"]["status"] == "active"
        )
        await listener.wait_for("message:new", lambda d: d["message"]["id"] == reply_id)
        delivered = await listener.wait_for("message:status", lambda d: d["id"] == reply_id)
        assert delivered == {
            "id": reply_id,
            "conversationId": conv_id,
            "status": "delivered",
            "error": None,
        }

        await admin_http.post("/api/sandbox/1/read", json={"to": phone})
        await listener.wait_for(
            "message:status", lambda d: d["id"] == reply_id and d["status"] == "read"
        )

        await admin_http.post(f"/api/conversations/{conv_id}/close")
        closed = await listener.wait_for(
            "conversation:closed", lambda d: d["conversation"]["id"] == conv_id
        )
        assert closed["conversation"]["status"] == "closed"
    finally:
        await listener.client.disconnect()


@pytest.mark.usefixtures("without_bot")
async def test_rooms_follow_who_may_see_the_conversation(
    live_server: LiveServer, admin_http: httpx.AsyncClient
) -> None:
    """Demo operators: laura (OPERATOR) and diego (SUPPORT). Both see the unassigned queue;
    once laura takes a conversation, diego hears that it left the queue and nothing more."""
    async with (
        session_for(live_server, "laura", "Operador123!") as laura_http,
        session_for(live_server, "diego", "Operador123!") as diego_http,
    ):
        laura, diego = (
            await connect(live_server, laura_http),
            await connect(live_server, diego_http),
        )
        try:
            phone = "+5491155557002"
            conv_id = (
                await admin_http.post(
                    "/api/sandbox/1/inbound", json={"from": phone, "text": "consulta"}
                )
            ).json()["conversation"]["id"]
            for listener in (laura, diego):
                await listener.wait_for(
                    "conversation:incoming", lambda d: d["conversation"]["id"] == conv_id
                )

            await laura_http.post(
                f"/api/conversations/{conv_id}/messages", json={"body": "La atiendo"}
            )
            taken = await diego.wait_for(
                "conversation:update", lambda d: d["conversation"]["id"] == conv_id
            )
            assert taken["conversation"]["assignedTo"]["name"] == "Laura Gómez"

            await admin_http.post("/api/sandbox/1/inbound", json={"from": phone, "text": "privado"})
            await laura.wait_for("message:new", lambda d: d["message"]["body"] == "privado")
            await asyncio.sleep(0.5)  # give a wrongly routed event time to arrive
            assert not [
                d
                for e, d in diego.received
                if e == "message:new" and d["message"]["body"] == "privado"
            ]
        finally:
            await laura.client.disconnect()
            await diego.client.disconnect()


@pytest.mark.usefixtures("without_bot")
async def test_an_operator_coming_online_drains_their_area_queue(
    live_server: LiveServer, admin_http: httpx.AsyncClient
) -> None:
    """Presence comes from real console sockets: the only member of a new area connects,
    and the conversation waiting there is assigned to them and announced to them. (A new
    area and operator: browser tests on the same server leave demo users' sockets behind.)"""
    name = "Realtime mayoristas"
    area = (await admin_http.post("/api/areas", json={"name": name})).json()["id"]
    user = {
        "username": "rt_online",
        "name": "Rita Online",
        "password": "Secret123!",
        "areaIds": [area],
    }
    assert (await admin_http.post("/api/users", json=user)).status_code == 201
    channel = await admin_http.post(
        "/api/channels", json={"name": name, "provider": "sandbox", "defaultAreaId": area}
    )
    sent = await admin_http.post(
        f"/api/sandbox/{channel.json()['id']}/inbound",
        json={"from": "+5491155557003", "text": "precio?"},
    )
    conv = sent.json()["conversation"]
    assert conv["areaId"] == area and conv["assignedTo"] is None
    async with session_for(live_server, "rt_online", "Secret123!") as rita_http:
        rita = await connect(live_server, rita_http)
        try:
            update = await rita.wait_for(
                "conversation:update", lambda d: d["conversation"]["id"] == conv["id"]
            )
            assert update["conversation"]["assignedTo"]["name"] == "Rita Online"
            assert update["conversation"]["status"] == "active"
        finally:
            await rita.client.disconnect()


@pytest.mark.usefixtures("without_bot")
async def test_sockets_are_dropped_when_their_user_leaves_an_area(
    live_server: LiveServer, admin_http: httpx.AsyncClient
) -> None:
    """Rooms are fixed at the handshake: when diego leaves Soporte the server drops his
    socket, and the one he opens again no longer hears Soporte's queue."""
    areas = {a["name"]: a["id"] for a in (await admin_http.get("/api/areas")).json()}
    diego_id = next(
        u["id"] for u in (await admin_http.get("/api/users")).json() if u["username"] == "diego"
    )
    channel = await admin_http.post(
        "/api/channels",
        json={"name": "Soporte", "provider": "sandbox", "defaultAreaId": areas["Soporte"]},
    )
    async with session_for(live_server, "diego", "Operador123!") as diego_http:
        diego = await connect(live_server, diego_http)
        try:
            moved = await admin_http.patch(
                f"/api/users/{diego_id}", json={"areaIds": [areas["Ventas"]]}
            )
            assert moved.status_code == 200
            async with asyncio.timeout(TIMEOUT):
                await diego.dropped.wait()
            diego = await connect(live_server, diego_http)
            sent = await admin_http.post(
                f"/api/sandbox/{channel.json()['id']}/inbound",
                json={"from": "+5491155557004", "text": "no anda"},
            )
            conv_id = sent.json()["conversation"]["id"]
            await asyncio.sleep(0.5)  # give a wrongly routed event time to arrive
            assert not [d for e, d in diego.received if e == "conversation:incoming"], conv_id
        finally:
            await diego.client.disconnect()
            await admin_http.patch(f"/api/users/{diego_id}", json={"areaIds": [areas["Soporte"]]})
