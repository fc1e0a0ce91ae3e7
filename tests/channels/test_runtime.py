"""The channel runtime with a long-lived provider (what WhatsApp Web is): one process runs
the session under a lease, reports reach the API and the admins, and sends go through it."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import httpx
import pytest

from helpline.channels import providers
from helpline.channels.providers.base import (
    ChannelLink,
    InboundMessage,
    OutboundText,
    SendResult,
    StatusUpdate,
)
from tests.conftest import App, CapturedEvents, eventually


class FakeSession:
    """Shows a QR, 'gets scanned', connects; then relays what the test pushes."""

    name = "fakeweb"
    long_lived = True
    config_fields = ()
    instances: ClassVar[list[FakeSession]] = []

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.link: ChannelLink | None = None
        self.sent: list[OutboundText] = []
        self.logouts: list[bool] = []
        self.scanned = asyncio.Event()
        FakeSession.instances.append(self)

    async def run(self, link: ChannelLink) -> None:
        self.link = link
        await link.state("connecting")
        await link.qr("2@fake-qr-code,AAAA,BBBB")
        await self.scanned.wait()
        await link.identity("+5491144440000", "Mi Negocio")
        await link.state("connected")
        await asyncio.Event().wait()  # until cancelled

    async def disconnect(self, link: ChannelLink, logout: bool) -> None:
        self.logouts.append(logout)

    async def send_text(self, message: OutboundText) -> SendResult:
        self.sent.append(message)
        return SendResult(f"fake-{message.message_id}", "sent")


@pytest.fixture
def fake_provider(monkeypatch: pytest.MonkeyPatch) -> type[FakeSession]:
    FakeSession.instances.clear()
    monkeypatch.setitem(providers.PROVIDERS, "fakeweb", FakeSession)
    return FakeSession


async def channel(admin: httpx.AsyncClient, channel_id: int) -> dict[str, Any]:
    body: dict[str, Any] = (await admin.get(f"/api/channels/{channel_id}")).json()
    return body


async def test_qr_session_lifecycle(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents, fake_provider: type[FakeSession]
) -> None:
    created = await admin.post("/api/channels", json={"name": "Web", "provider": "fakeweb"})
    assert created.status_code == 201, created.text
    channel_id = created.json()["id"]

    async def showing_qr() -> dict[str, Any] | None:
        body = await channel(admin, channel_id)
        return body if body["status"] == "qr" else None

    await eventually(showing_qr)
    qr = (await admin.get(f"/api/channels/{channel_id}/qr")).json()
    assert qr["qr"] == "2@fake-qr-code,AAAA,BBBB" and qr["svg"].startswith("<svg")
    (qr_event,) = [e for e in events.named("session:qr") if e.payload["channelId"] == channel_id]
    assert qr_event.payload["svg"] == qr["svg"] and "role:ADMIN" in qr_event.rooms
    session = fake_provider.instances[0]
    assert session.config["channel_id"] == channel_id and "data_dir" in session.config

    session.scanned.set()

    async def connected() -> dict[str, Any] | None:
        body = await channel(admin, channel_id)
        return body if body["status"] == "connected" else None

    body = await eventually(connected)
    assert body["phone"] == "+5491144440000" and body["qr"] is None

    # A customer writes; the operator answers; the answer leaves through the live session.
    assert session.link is not None
    await session.link.inbound(
        InboundMessage(
            provider_message_id="W1", from_phone="5491133332222", text="hola", contact_name="Ana"
        )
    )
    convs = (await admin.get("/api/conversations", params={"status": "all"})).json()
    conv = next(c for c in convs["items"] if c["contact"]["phone"] == "+5491133332222")
    sent = await admin.post(
        f"/api/conversations/{conv['id']}/messages", json={"body": "¡Hola Ana!"}
    )
    assert sent.status_code == 201, sent.text

    async def delivered_by_session() -> bool:
        return any(m.body == "¡Hola Ana!" for m in session.sent)

    await eventually(delivered_by_session)

    async def status_is(wanted: str) -> bool:
        page = (await admin.get("/api/messages", params={"conversationId": conv["id"]})).json()
        return any(m["id"] == sent.json()["id"] and m["status"] == wanted for m in page["items"])

    # The receipt follows the send's own record (an earlier one finds no message yet).
    await eventually(lambda: status_is("sent"))
    await session.link.status(StatusUpdate(f"fake-{sent.json()['id']}", "read"))
    await eventually(lambda: status_is("read"))

    stopped = await admin.post(f"/api/channels/{channel_id}/stop")
    assert stopped.json()["status"] == "disconnected"
    runtime = app.asgi.other_asgi_app.state.runtime
    await runtime.reconcile()
    assert runtime.provider_for(channel_id) is None

    await admin.post(f"/api/channels/{channel_id}/logout")
    await runtime.reconcile()
    await eventually(lambda: asyncio.sleep(0, result=bool(fake_provider.instances[-1].logouts)))
    assert fake_provider.instances[-1].logouts == [True]
    history = [h["status"] for h in (await admin.get(f"/api/channels/{channel_id}/history")).json()]
    assert history[::-1][:4] == ["connecting", "qr", "connected", "disconnected"]
    log = [e["message"] for e in (await admin.get(f"/api/channels/{channel_id}/log")).json()]
    assert any("logged out" in m for m in log)


async def test_a_session_that_gives_up_ends_in_error(
    app: App,
    admin: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    fake_provider: type[FakeSession],
) -> None:
    async def give_up(self: FakeSession, link: ChannelLink) -> None:
        await link.state("connecting")
        raise RuntimeError("reconnect attempts exhausted")

    monkeypatch.setattr(FakeSession, "run", give_up)
    created = await admin.post("/api/channels", json={"name": "Web2", "provider": "fakeweb"})
    channel_id = created.json()["id"]

    async def failed() -> dict[str, Any] | None:
        body = await channel(admin, channel_id)
        return body if body["status"] == "error" else None

    body = await eventually(failed)
    assert "reconnect attempts exhausted" in body["statusDetail"]
