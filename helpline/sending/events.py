"""A channel's status and QR code as Server-Sent Events, for integrators without Socket.IO.

The stream listens to the same source as the console's sockets: the realtime events this
process publishes after each commit (`session:status`, `session:qr`). An event only wakes
the stream; what is sent is read from the database, so a stream never shows a state that
was rolled back, and a change made by another server process (which this one does not
hear) is picked up at the next heartbeat read."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterable
from typing import Any

from helpline import realtime
from helpline.channels.models import Channel
from helpline.channels.service import qr_out, status_out
from helpline.db import Database

WAKE_ON = frozenset({"session:status", "session:qr"})
HEARTBEAT_SECONDS = 15.0
RETRY_MS = 5000  # how long a browser's EventSource waits before reconnecting


def frame(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def _read(db: Database, channel_id: int) -> tuple[dict[str, Any], dict[str, Any]] | None:
    async with db.sessionmaker() as session:
        channel = await session.get(Channel, channel_id)
        if channel is None:
            return None
        return (
            status_out(channel).model_dump(mode="json", by_alias=True),
            qr_out(channel).model_dump(mode="json", by_alias=True),
        )


async def stream(
    db: Database,
    channel_id: int,
    seconds: float | None = None,
    heartbeat: float = HEARTBEAT_SECONDS,
) -> AsyncIterator[str]:
    """`status` at once and on every change, `qr` whenever a new code is shown, a comment
    line every `heartbeat` seconds (proxies close silent connections); `deleted` and the
    end when the channel goes. Ends after `seconds` when given."""
    wake = asyncio.Event()

    def listener(names: Iterable[str]) -> None:
        if not WAKE_ON.isdisjoint(names):
            wake.set()

    loop = asyncio.get_running_loop()
    deadline = None if seconds is None else loop.time() + seconds
    realtime.add_listener(listener)
    try:
        yield f"retry: {RETRY_MS}\n\n"
        last_status: dict[str, Any] | None = None
        last_qr: str | None = None
        while True:
            wake.clear()  # before reading: a change committed after the read wakes us again
            snapshot = await _read(db, channel_id)
            if snapshot is None:
                yield frame("deleted", {"channelId": channel_id})
                return
            status, qr = snapshot
            if status != last_status:
                yield frame("status", status)
                last_status = status
            if qr["qr"] and qr["qr"] != last_qr:
                yield frame("qr", qr)
            last_qr = qr["qr"]
            wait = heartbeat
            if deadline is not None:
                wait = min(wait, deadline - loop.time())
                if wait <= 0:
                    return
            try:
                await asyncio.wait_for(wake.wait(), wait)
            except TimeoutError:
                yield ": heartbeat\n\n"
    finally:
        realtime.remove_listener(listener)
