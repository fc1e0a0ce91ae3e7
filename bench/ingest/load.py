"""The load phases: warm-up, throughput and paced sending."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.ingest.common import (
    ADMIN,
    CHANNEL_ID,
    COOKIE_NAME,
    EVENT_GRACE_S,
    IDLE_S,
    WARMUP_CUSTOMERS,
    WARMUP_MESSAGES,
    BenchError,
    Scenario,
    customer_phone,
    latency_summary,
    now,
    self_cpu,
    warmup_phone,
)
from bench.ingest.listener import Crowd, Listener
from bench.ingest.server import Server

# --- load phases --------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    sent: dict[str, float] = field(default_factory=dict)  # body -> send time
    answered: set[str] = field(default_factory=set)  # bodies that got their 201
    http_latency: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    t_start: float = 0.0
    t_last_response: float = 0.0
    send_lag: list[float] = field(default_factory=list)  # paced: how late each send left
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    events: list[tuple[str, float]] = field(default_factory=list)
    other_events: dict[str, int] = field(default_factory=dict)
    crowd_counts: list[int] = field(default_factory=list)  # events per counting console
    crowd_closed: list[str] = field(default_factory=list)  # why consoles dropped

    @property
    def accepted(self) -> int:
        return self.statuses.get("201", 0)

    def result(self) -> dict[str, Any]:
        matched = [t - self.sent[body] for body, t in self.events if body in self.sent]
        unique = {body for body, _ in self.events}
        elapsed = max(self.t_last_response - self.t_start, 1e-9)
        last_event = max((t for _, t in self.events), default=self.t_start)
        e2e = max(last_event - self.t_start, 1e-9)
        out: dict[str, Any] = {
            "posted": len(self.sent),
            "accepted_201": self.accepted,
            "statuses": dict(self.statuses),
            "errors_sample": self.errors[:5],
            "elapsed_s": round(elapsed, 3),
            "accepted_per_s": round(self.accepted / elapsed, 1),
            "events_received": len(unique),
            "events_duplicated": len(self.events) - len(unique),
            "events_missing": len(self.answered - unique),
            "delivered_per_s": round(len(unique) / e2e, 1),
            "event_latency": latency_summary(matched),
            "http_latency": latency_summary(self.http_latency),
            "server_cpu_s": round(self.server_cpu, 2),
            "server_cpu_ms_per_msg": round(1000 * self.server_cpu / max(self.accepted, 1), 2),
            "server_cpu_util": round(self.server_cpu / elapsed, 2),
            "client_cpu_s": round(self.client_cpu, 2),
            "other_events": self.other_events,
            "consoles": 1 + len(self.crowd_counts),
            # every console must get every accepted message: the timed one plus the crowd
            "console_events_missing": len(self.answered - unique)
            + sum(max(0, self.accepted - c) for c in self.crowd_counts),
            "consoles_dropped": len(self.crowd_closed),
            "consoles_dropped_why": self.crowd_closed[:3],
        }
        if self.send_lag:
            out["send_lag"] = latency_summary(self.send_lag)
            out["offered_per_s"] = round(
                len(self.sent) / max(max(self.sent.values()) - self.t_start, 1e-9), 1
            )
        return out


class Runner:
    def __init__(
        self,
        client: aiohttp.ClientSession,
        csrf: str,
        cookie: str,
        run_id: str,
        server: Server,
        listener: Listener,
        crowd: Crowd,
    ):
        self.client = client
        self.headers = {"X-CSRF-Token": csrf, "Cookie": cookie}
        self.run_id = run_id
        self.server = server
        self.listener = listener
        self.crowd = crowd
        self.path = f"/api/sandbox/{CHANNEL_ID}/inbound"

    async def post(self, phase: Phase, seq: int, phone: str, name: str) -> None:
        body = f"bench {self.run_id} {phase.name} {seq}"
        payload = {
            "from": phone,
            "name": name,
            "text": body,
            "id": f"{self.run_id}-{phase.name}-{seq}",
        }
        t0 = now()
        phase.sent[body] = t0
        try:
            async with self.client.post(self.path, json=payload, headers=self.headers) as r:
                answer = await r.read()  # read it all, so the connection goes back to the pool
            status = str(r.status)
            if r.status != 201 and len(phase.errors) < 20:
                phase.errors.append(f"{r.status}: {answer[:200].decode(errors='replace')}")
        except Exception as exc:  # noqa: BLE001 - counted and reported
            status = type(exc).__name__
            if len(phase.errors) < 20:
                phase.errors.append(f"{status}: {exc}")
        t1 = now()
        phase.statuses[status] += 1
        if status == "201":
            phase.http_latency.append(t1 - t0)
            phase.answered.add(body)
        phase.t_last_response = max(phase.t_last_response, t1)

    async def _measure(self, phase: Phase, load: Any) -> Phase:
        cpu0, me0 = self.server.cpu_seconds(), self_cpu()
        li0 = self.listener.cpu_seconds() + self.crowd.cpu_seconds()
        phase.t_start = now()
        await load
        phase.server_cpu = self.server.cpu_seconds() - cpu0
        li1 = self.listener.cpu_seconds() + self.crowd.cpu_seconds()
        phase.client_cpu = (self_cpu() - me0) + (li1 - li0)
        phase.events, phase.other_events = await self.listener.collect(
            phase.accepted, EVENT_GRACE_S
        )
        phase.crowd_counts, phase.crowd_closed = await self.crowd.collect(
            phase.accepted, EVENT_GRACE_S
        )
        return phase

    async def closed_loop(
        self, name: str, customers: int, messages: int, phone: Any, in_flight: int = 1
    ) -> Phase:
        """`customers` x `in_flight` senders taking the next message as they finish one."""
        phase = Phase(name)
        seqs = iter(range(messages))  # shared: no await between next() calls

        async def sender(w: int) -> None:
            c = w % customers
            for seq in seqs:
                await self.post(phase, seq, phone(c), f"Cliente {c}")

        senders = (sender(w) for w in range(customers * in_flight))
        return await self._measure(phase, asyncio.gather(*senders))

    async def idle_cpu(self, seconds: float = IDLE_S) -> float:
        """Share of a core the server burns doing nothing (timers, polls): part of every
        per-message CPU figure at a low rate."""
        cpu0, t0 = self.server.cpu_seconds(), now()
        await asyncio.sleep(seconds)
        return (self.server.cpu_seconds() - cpu0) / (now() - t0)

    async def paced(
        self, name: str, customers: int, rate: float, duration: float, phone: Any
    ) -> Phase:
        """Open loop: message k leaves at start + k/rate whatever happened to earlier ones."""
        phase = Phase(name)
        total = max(1, int(round(rate * duration)))

        async def load() -> None:
            tasks = []
            start = now()
            for k in range(total):
                due = start + k / rate
                delay = due - now()
                if delay > 0:
                    await asyncio.sleep(delay)
                phase.send_lag.append(max(0.0, now() - due))
                c = k % customers
                tasks.append(asyncio.create_task(self.post(phase, k, phone(c), f"Cliente {c}")))
            await asyncio.gather(*tasks)

        return await self._measure(phase, load())


async def login(client: aiohttp.ClientSession) -> tuple[str, str]:
    credentials = {"username": ADMIN[0], "password": ADMIN[1]}
    async with client.post("/api/auth/login", json=credentials) as r:
        answer = await r.read()
        if r.status != 200:
            raise BenchError(f"login failed: {r.status} {answer[:200].decode(errors='replace')}")
        morsel = r.cookies.get(COOKIE_NAME)
    if morsel is None or not morsel.value:
        raise BenchError(f"login set no {COOKIE_NAME} cookie")
    # The session keeps no cookies (DummyCookieJar): we send the Cookie header ourselves.
    return f"{COOKIE_NAME}={morsel.value}", str(json.loads(answer)["csrfToken"])


async def pause_bots(client: aiohttp.ClientSession, cookie: str, csrf: str) -> None:
    """Deactivate the demo's bot flow: the bot answers every message of a new conversation
    (two outbound messages each, until it hands over), which is a different workload."""
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf}
    async with client.get("/api/flows", headers=headers) as r:
        flows = await r.json()
    for flow in flows:
        if flow["active"]:
            url = f"/api/flows/{flow['id']}"
            async with client.patch(url, json={"active": False}, headers=headers) as r:
                if r.status != 200:
                    raise BenchError(f"could not pause flow {flow['id']}: {r.status}")


async def run_load(
    sc: Scenario, server: Server, warmup: int = WARMUP_MESSAGES, idle_s: float = IDLE_S
) -> tuple[dict[str, Phase], float]:
    """The scenario's phases on a started server, and the server's idle CPU (share of a core)."""
    # One session, one keep-alive connection per sender (HTTP/1.1). aiohttp's client costs
    # far less CPU per request than httpx's, which matters when the bench shares 2 cores.
    async with aiohttp.ClientSession(
        base_url=server.base_url,
        # Idle connections close before uvicorn's 5 s keep-alive does: otherwise a request
        # may go out on a socket the server is closing ("Can not write request body").
        connector=aiohttp.TCPConnector(limit=sc.customers * sc.in_flight, keepalive_timeout=3.0),
        # Generous: an overloaded scenario (500 consoles) queues its POSTs for tens of
        # seconds, which is a missed target, not a lost message.
        timeout=aiohttp.ClientTimeout(total=180.0),
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=False,
    ) as client:
        await server.wait_healthy(client)
        cookie, csrf = await login(client)
        if not sc.bot:
            await pause_bots(client, cookie, csrf)
        run_id = secrets.token_hex(3)
        listener = Listener(server.base_url, cookie, f"bench {run_id} ")
        crowd = Crowd(server.base_url, cookie, f"bench {run_id} ", sc.consoles - 1)
        try:
            await listener.start()
            print(f"  connecting {sc.consoles} console(s) ...", flush=True)
            await crowd.start()
            runner = Runner(client, csrf, cookie, run_id, server, listener, crowd)
            phases: dict[str, Phase] = {}
            idle = await runner.idle_cpu(idle_s)
            print(
                f"  warm-up: {warmup} messages from {WARMUP_CUSTOMERS} other phones ...",
                flush=True,
            )
            phases["warmup"] = await runner.closed_loop(
                "warmup", WARMUP_CUSTOMERS, warmup, warmup_phone
            )
            print(
                f"  throughput: {sc.customers} customer(s) x {sc.in_flight} in flight,"
                f" {sc.messages} messages ...",
                flush=True,
            )
            phases["throughput"] = await runner.closed_loop(
                "throughput", sc.customers, sc.messages, customer_phone, sc.in_flight
            )
            print(f"  paced: {sc.rate:g} msg/s for {sc.duration:g}s ...", flush=True)
            offset = sc.customers if sc.fresh_paced_phones else 0
            phases["paced"] = await runner.paced(
                "paced", sc.customers, sc.rate, sc.duration, lambda c: customer_phone(offset + c)
            )
            return phases, idle
        finally:
            crowd.stop()
            listener.stop()
