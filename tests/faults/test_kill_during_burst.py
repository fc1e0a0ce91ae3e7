"""kill -9 in the middle of an inbound burst (sandbox messages and signed Cloud API webhooks
at once): after a restart every message that was answered 2xx is stored exactly once, the
rest is stored when its sender retries (as Meta does), and every reply that was queued is
sent, once. A send under way at the very moment of the kill may go out twice (the provider
answered, the process died before writing it down): such duplicates are counted, and must
be among the messages that were being sent at the kill."""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest

from tests.cloud.helpers import PHONE_NUMBER_ID, WEBHOOK, sign
from tests.faults.conftest import fresh_database
from tests.faults.harness import (
    Desk,
    FlakyGraph,
    admin_session,
    cloud_text,
    connected_cloud_channel,
    login,
    query,
    wait_for,
)

pytestmark = pytest.mark.faults

BURST = int(os.environ.get("HELPLINE_FAULTS_BURST", "10000"))
CUSTOMERS = 100  # per channel
CONCURRENCY = 32
OPERATOR_REPLIES = 10  # per channel, queued just before the kill
SANDBOX_CHANNEL = 1  # the demo's


@pytest.fixture(params=["sqlite", "postgresql"])
async def desk_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async for url in fresh_database(request.param, tmp_path):
        yield url


@dataclass(frozen=True)
class Inbound:
    """One customer message of the burst: sandbox or Cloud API by its number."""

    number: int

    @property
    def cloud(self) -> bool:
        return self.number % 2 == 1

    @property
    def customer(self) -> int:
        return (self.number // 2) % CUSTOMERS

    @property
    def key(self) -> str:
        return f"wamid.FAULT{self.number}" if self.cloud else f"sb-fault-{self.number}"

    @property
    def phone(self) -> str:
        return f"+54911{(60_000_000 if self.cloud else 50_000_000) + self.customer}"

    async def post(self, client: aiohttp.ClientSession) -> int:
        """The answer's status code."""
        text = f"mensaje {self.number}"
        if self.cloud:
            body = cloud_text(self.key, self.phone, text, PHONE_NUMBER_ID)
            headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)}
            async with client.post(WEBHOOK, data=body, headers=headers) as response:
                return response.status
        sandbox = {"id": self.key, "from": self.phone, "text": text}
        async with client.post(f"/api/sandbox/{SANDBOX_CHANNEL}/inbound", json=sandbox) as response:
            return response.status


@dataclass
class Burst:
    """Senders working through the messages concurrently; each answer is recorded."""

    pending: list[Inbound]
    accepted: set[str] = field(default_factory=set)
    refused: list[Inbound] = field(default_factory=list)  # no answer, or not 2xx
    stop: bool = False

    async def run(self, admin: httpx.AsyncClient) -> None:
        """Sent as `admin` (its session cookie and CSRF token) with aiohttp, which costs
        the test far less CPU per request than httpx: the desk gets the machine."""
        async with aiohttp.ClientSession(
            base_url=str(admin.base_url),
            cookies=dict(admin.cookies),
            headers={"X-CSRF-Token": admin.headers["X-CSRF-Token"]},
            timeout=aiohttp.ClientTimeout(total=60),
            connector=aiohttp.TCPConnector(limit=CONCURRENCY),
        ) as client:
            await asyncio.gather(*(self._sender(client) for _ in range(CONCURRENCY)))

    async def _sender(self, client: aiohttp.ClientSession) -> None:
        while self.pending and not self.stop:
            item = self.pending.pop()
            try:
                status = await item.post(client)
            except (aiohttp.ClientError, TimeoutError):
                self.refused.append(item)
                continue
            if status < 300:
                self.accepted.add(item.key)
            else:
                self.refused.append(item)

    def left(self) -> list[Inbound]:
        return self.refused + self.pending


async def queue_operator_replies(admin: httpx.AsyncClient, cloud_id: int) -> dict[str, int]:
    """Replies from an operator to a few customers of each channel: body -> channel."""
    conversations = (
        await admin.get("/api/conversations", params={"status": "all", "pageSize": 100})
    ).json()["items"]
    chosen: dict[int, list[int]] = {SANDBOX_CHANNEL: [], cloud_id: []}
    for conv in conversations:
        ids = chosen.get(conv["channelId"])
        if ids is not None and len(ids) < OPERATOR_REPLIES:
            ids.append(conv["id"])
    replies: dict[str, int] = {}
    for channel_id, conv_ids in chosen.items():
        for conv_id in conv_ids:
            body = f"respuesta del operador a {conv_id}"
            answer = await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": body})
            assert answer.status_code == 201, answer.text
            replies[body] = channel_id
    return replies


async def pause_the_bot(admin: httpx.AsyncClient) -> None:
    """The demo's bot would answer most of the burst, which makes the test slow without
    testing anything more: the operator's replies are the queued replies here."""
    for flow in (await admin.get("/api/flows")).json():
        if flow["active"]:
            response = await admin.patch(f"/api/flows/{flow['id']}", json={"active": False})
            assert response.is_success, response.text


def graph_text(request: dict[str, Any]) -> str:
    body = request["json"] or {}
    if body.get("type") == "text":
        return str(body["text"]["body"])
    return str(body.get(body.get("type", ""), {}).get("body", {}).get("text", ""))


async def test_kill_9_in_the_middle_of_a_burst(
    desk_db: str, tmp_path: Path, graph: FlakyGraph
) -> None:
    started = time.monotonic()
    # A short lease: the messages the killed process was sending are taken over soon.
    desk = Desk(tmp_path, {"DATABASE_URL": desk_db, "DELIVERY_LEASE_SECONDS": "3"})
    await desk.start()
    try:
        async with admin_session(desk) as admin:
            cloud_id = await connected_cloud_channel(admin, graph.url)
            await pause_the_bot(admin)
            burst = Burst([Inbound(n) for n in reversed(range(BURST))])
            sending = asyncio.create_task(burst.run(admin))
            await wait_for(lambda: _half(burst), "half of the burst", within=120, interval=0.05)
            replies = await queue_operator_replies(admin, cloud_id)
            server_cpu = desk.cpu_seconds()
            desk.kill()
            burst.stop = True
            await sending
        killed_at = time.monotonic() - started
        in_flight = await query(
            desk_db,
            "SELECT channel_id, to_phone, body FROM messages"
            " WHERE direction = 'out' AND status = 'sending'",
        )
        accepted_before_kill = len(burst.accepted)

        await desk.start()
        async with httpx.AsyncClient(base_url=desk.url, timeout=30) as client:
            await login(client)
            # The senders retry what got no 2xx (as Meta does), and some of those had been
            # stored before the kill: they must not be stored twice.
            burst = Burst(burst.left(), accepted=burst.accepted)
            await burst.run(client)
            assert not burst.refused, f"{len(burst.refused)} refused after the restart"
            await wait_for(lambda: _all_sent(desk_db), "every reply to be sent", within=120)
        drained_at = time.monotonic() - started

        stored = Counter(
            key
            for (key,) in await query(
                desk_db, "SELECT provider_message_id FROM messages WHERE direction = 'in'"
            )
        )
        twice = {k: n for k, n in stored.items() if n > 1}
        assert not twice, f"stored more than once: {twice}"
        missing = {Inbound(n).key for n in range(BURST)} - stored.keys()
        assert not missing, f"{len(missing)} messages answered 2xx or retried were lost"
        assert burst.accepted == {Inbound(n).key for n in range(BURST)}

        outbound = await query(
            desk_db,
            "SELECT channel_id, status, provider_message_id, to_phone, body FROM messages"
            " WHERE direction = 'out'",
        )
        statuses = Counter((c == cloud_id, s) for c, s, *_ in outbound)
        assert set(statuses) <= {(True, "sent"), (False, "delivered")}, statuses

        # Sandbox: each operator reply exists once and reached the phone.
        bodies = Counter(b for *_, b in outbound)
        assert all(bodies[body] == 1 for body in replies), {b: bodies[b] for b in replies}

        # Cloud: every message the desk sent was asked of Graph once; Graph got a request
        # the desk did not write down only for a message being sent at the kill.
        recorded = {p for c, _, p, *_ in outbound if c == cloud_id}
        answered = {f"wamid.OUT{i + 1}": r for i, r in enumerate(graph.requests)}
        assert recorded <= answered.keys()
        unrecorded = [answered[w] for w in answered.keys() - recorded]
        flying = Counter((p.lstrip("+"), b) for c, p, b in in_flight if c == cloud_id)
        doubled = Counter((r["json"]["to"], graph_text(r)) for r in unrecorded)
        assert not doubled - flying, f"sent twice, yet not in flight at the kill: {doubled}"
        for body, channel_id in replies.items():
            if channel_id == cloud_id:
                times = sum(1 for r in graph.requests if graph_text(r) == body)
                assert times == 1 or (times == 2 and doubled[_key(body, outbound)]), body
        print(
            f"\n[{desk_db.split(':')[0]}] burst {BURST}: {accepted_before_kill} answered 2xx"
            f" before kill -9 at {killed_at:.1f}s (server CPU {server_cpu:.1f}s, test CPU"
            f" {time.process_time():.1f}s), {len(in_flight)} replies in flight;"
            f" everything stored and {len(outbound)} replies sent by {drained_at:.1f}s;"
            f" sent twice: {sum(doubled.values())}"
        )
    finally:
        await desk.stop()


def _key(body: str, outbound: list[tuple[Any, ...]]) -> tuple[str, str]:
    phone = next(p for *_, p, b in outbound if b == body)
    return (phone.lstrip("+"), body)


async def _half(burst: Burst) -> bool:
    return len(burst.accepted) >= BURST // 2


async def _all_sent(db_url: str) -> bool:
    waiting = await query(
        db_url,
        "SELECT count(*) FROM messages WHERE direction = 'out' AND status IN ('queued', 'sending')",
    )
    return waiting[0][0] == 0
