"""GET /api/channels/{id}/events: the channel's status (and QR code) as Server-Sent Events."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from helpline import realtime
from helpline.channels import service as channels
from helpline.channels.models import Channel
from tests.conftest import App, eventually
from tests.sending.helpers import SANDBOX


def parse(stream: str) -> list[tuple[str, Any]]:
    """(event, data) for each event of a text/event-stream body; comments are skipped."""
    events = []
    for block in stream.split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":")
        )
        if "event" in fields:
            events.append((fields["event"], json.loads(fields["data"])))
    return events


async def test_the_stream_yields_the_status_then_each_change(
    app: App, admin: httpx.AsyncClient, sender: httpx.AsyncClient
) -> None:
    before = len(realtime._listeners)
    listening = asyncio.create_task(
        sender.get(f"/api/channels/{SANDBOX}/events", params={"seconds": 2})
    )

    async def subscribed() -> bool:
        return len(realtime._listeners) > before

    await eventually(subscribed)
    await asyncio.sleep(0.1)  # its first read is done
    assert (await admin.post(f"/api/channels/{SANDBOX}/pause")).status_code == 200
    async with app.db.sessionmaker() as session:  # a QR code, as a session's runtime shows one
        channel = await session.get(Channel, SANDBOX)
        assert channel is not None
        channels.record_qr(session, channel, "2@abc,def")
        await session.commit()
    answer = await listening
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/event-stream")
    assert answer.text.startswith("retry: ")
    events = parse(answer.text)
    names = [name for name, _ in events]
    assert names[0] == "status" and "qr" in names
    first = events[0][1]
    assert first["channelId"] == SANDBOX and first["status"] == "connected"
    assert any(name == "status" and data["status"] == "qr" for name, data in events)
    (qr,) = [data for name, data in events if name == "qr"]
    assert qr["qr"] == "2@abc,def" and qr["svg"].startswith("<svg")


async def test_a_heartbeat_keeps_the_stream_alive(
    app: App, sender: httpx.AsyncClient, monkeypatch: Any
) -> None:
    from helpline.sending import events

    original = events.stream
    monkeypatch.setattr(
        events, "stream", lambda db, cid, seconds: original(db, cid, seconds, heartbeat=0.2)
    )
    answer = await sender.get(f"/api/channels/{SANDBOX}/events", params={"seconds": 1})
    assert answer.text.count(": heartbeat") >= 3
    assert [name for name, _ in parse(answer.text)] == ["status"]


async def test_an_unknown_channel_has_no_stream(app: App, sender: httpx.AsyncClient) -> None:
    assert (await sender.get("/api/channels/999/events")).status_code == 404
