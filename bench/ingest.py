"""Ingest benchmark: how many customer messages per second Helpline accepts, how long they
take to reach an operator's screen, and how that compares with the bare database.

Starts its own `helpline demo` server (temp dir, free port, SQLite unless --database-url),
logs in as the demo admin, listens on Socket.IO as one operator (in a separate process, so
its timestamps do not queue behind the senders), and runs:

1. warm-up   a few messages from other phones (not counted);
2. throughput C customers post M messages in total as fast as they can;
3. paced     a fixed rate for a fixed time, spread over the same customers;
4. baseline  (server stopped) the same rows inserted straight through SQLAlchemy into a
             fresh database: one transaction per message, one per 100, and the service
             function `ingest_message()` without HTTP/auth/realtime.

Latency = time the `message:new` socket event arrived - time the POST was sent (both on
this machine's monotonic clock). Figures go to stdout and bench/results/ingest-*.json.

Usage: python -m bench.ingest [--customers 50] [--messages 3000] [--rate 50] [--duration 10]
                              [--database-url URL] [--workers N] [--port P]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing
import os
import platform
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp

HOST = "127.0.0.1"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
ADMIN = ("test", "Test1234!")
CHANNEL_ID = 1
COOKIE_NAME = "helpline.sid"

TARGET_THROUGHPUT = 300.0  # msg/s accepted, SQLite, 2 cores
TARGET_P99_MS = 100.0  # p99 POST -> socket event at TARGET_PACE_RATE msg/s
TARGET_PACE_RATE = 50.0

WARMUP_CUSTOMERS = 10
WARMUP_MESSAGES = 100
EVENT_GRACE_S = 30.0  # how long to wait for stragglers after a phase
BATCH = 100


class BenchError(Exception):
    """A real failure (not a missed target): the process exits non-zero."""


# --- small helpers ------------------------------------------------------------------------


def now() -> float:
    # CLOCK_MONOTONIC on Linux: system-wide, so comparable between our processes.
    return time.monotonic()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def customer_phone(i: int) -> str:
    return f"+54911555{i:05d}"


def warmup_phone(i: int) -> str:
    return f"+54911554{i:05d}"


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def latency_summary(values_s: list[float]) -> dict[str, float | int | None]:
    ms = sorted(v * 1000 for v in values_s)
    out: dict[str, float | int | None] = {"count": len(ms)}
    for name, p in (("p50", 50), ("p95", 95), ("p99", 99)):
        v = percentile(ms, p)
        out[f"{name}_ms"] = None if v is None else round(v, 2)
    out["max_ms"] = round(ms[-1], 2) if ms else None
    out["mean_ms"] = round(sum(ms) / len(ms), 2) if ms else None
    return out


def clk_tck() -> int:
    try:
        return int(os.sysconf("SC_CLK_TCK"))
    except (ValueError, OSError):
        return 100


def process_tree_cpu(root_pid: int) -> float:
    """user+system CPU seconds of a process and all its live descendants (Linux /proc)."""
    stats: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        ppid = int(fields[1])
        cpu = (int(fields[11]) + int(fields[12])) / clk_tck()
        stats[int(entry)] = (ppid, cpu)
    total, todo, seen = 0.0, [root_pid], set()
    while todo:
        pid = todo.pop()
        if pid in seen or pid not in stats:
            continue
        seen.add(pid)
        total += stats[pid][1]
        todo.extend(p for p, (pp, _) in stats.items() if pp == pid)
    return total


def self_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


# --- databases ----------------------------------------------------------------------------


@dataclass
class BenchDatabases:
    """The server's database and one fresh database per baseline variant."""

    kind: str  # sqlite | postgresql | mysql
    server_url: str
    baseline_urls: dict[str, str]
    admin_url: str | None = None  # server-level URL used to create/drop (non-SQLite)
    created: list[str] = field(default_factory=list)


def _display_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


async def _admin_exec(admin_url: str, statements: list[str]) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for stmt in statements:
                await conn.execute(text(stmt))
    finally:
        await engine.dispose()


def prepare_databases(database_url: str | None, workdir: Path) -> BenchDatabases:
    variants = ["per_message", "batched", "service"]
    if not database_url:
        return BenchDatabases(
            kind="sqlite",
            server_url=f"sqlite+aiosqlite:///{workdir / 'server' / 'bench.db'}",
            baseline_urls={
                v: f"sqlite+aiosqlite:///{workdir / f'baseline-{v}.db'}" for v in variants
            },
        )
    from sqlalchemy.engine import make_url

    from helpline.config import to_async_url

    url = make_url(to_async_url(database_url))
    backend = url.get_backend_name()
    if backend == "sqlite":
        raise BenchError("for SQLite leave out --database-url: the bench makes its own files")
    if backend not in ("postgresql", "mysql"):
        raise BenchError(f"unsupported database {backend!r} (SQLite, PostgreSQL or MySQL)")
    base = f"helpline_bench_{secrets.token_hex(4)}"
    names = {"server": base, **{v: f"{base}_{v}" for v in variants}}
    admin_db = "postgres" if backend == "postgresql" else None
    admin_url = url.set(database=admin_db).render_as_string(hide_password=False)
    dbs = BenchDatabases(
        kind=backend,
        server_url=url.set(database=names["server"]).render_as_string(hide_password=False),
        baseline_urls={
            v: url.set(database=names[v]).render_as_string(hide_password=False) for v in variants
        },
        admin_url=admin_url,
    )
    for name in names.values():
        asyncio.run(_admin_exec(admin_url, [f"CREATE DATABASE {name}"]))
        dbs.created.append(name)
    return dbs


def drop_databases(dbs: BenchDatabases) -> None:
    if not dbs.created or dbs.admin_url is None:
        return
    force = " WITH (FORCE)" if dbs.kind == "postgresql" else ""
    stmts = [f"DROP DATABASE IF EXISTS {name}{force}" for name in dbs.created]
    try:
        asyncio.run(_admin_exec(dbs.admin_url, stmts))
        dbs.created.clear()
    except Exception as exc:  # report, never mask the real outcome
        print(f"warning: could not drop bench databases {dbs.created}: {exc}", file=sys.stderr)


# --- the server ---------------------------------------------------------------------------


class Server:
    def __init__(
        self, workdir: Path, database_url: str, port: int, workers: int, redis_url: str | None
    ):
        self.workdir = workdir
        self.database_url = database_url
        self.port = port
        self.workers = workers
        self.redis_url = redis_url
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / "server.log"

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def _command(self) -> list[str]:
        script = Path(sys.executable).parent / "helpline"
        args = ["demo", "--host", HOST, "--port", str(self.port), "--workers", str(self.workers)]
        if script.exists():
            return [str(script), *args]
        return [sys.executable, "-c", "from helpline.cli import main; main()", *args]

    def start(self) -> None:
        env = dict(os.environ)
        for var in ("REDIS_URL", "CORS_ORIGIN", "SESSION_ROLLING", "PORT"):
            env.pop(var, None)
        env.update(
            DATABASE_URL=self.database_url,
            LOG_LEVEL="warning",
            SESSION_SECRET=secrets.token_urlsafe(48),
            PYTHONUNBUFFERED="1",
        )
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        self.log_file = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            self._command(),
            cwd=self.workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # our own process group: Ctrl-C reaches us, we stop it
        )

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    async def wait_healthy(self, client: aiohttp.ClientSession, limit_s: float = 90.0) -> None:
        deadline = now() + limit_s
        while now() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise BenchError(
                    f"server exited with code {self.proc.returncode}:\n{self.log_tail()}"
                )
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with client.get("/health", timeout=aiohttp.ClientTimeout(total=2.0)) as r:
                    await r.read()
                    if r.status == 200:
                        return
            await asyncio.sleep(0.2)
        raise BenchError(f"server not healthy after {limit_s:.0f}s:\n{self.log_tail()}")

    def cpu_seconds(self) -> float:
        return process_tree_cpu(self.proc.pid) if self.proc else 0.0

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, sig)  # the group we created with start_new_session
                try:
                    proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        with contextlib.suppress(ProcessLookupError):  # stray uvicorn workers, if any
            os.killpg(proc.pid, signal.SIGKILL)
        self.log_file.close()


# --- the operator's socket (runs in its own process) ---------------------------------------


def _listener_main(base_url: str, cookie: str, prefix: str, conn: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us
    try:
        asyncio.run(_listen(base_url, cookie, prefix, conn))
    except Exception as exc:
        with contextlib.suppress(Exception):
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


async def _listen(base_url: str, cookie: str, prefix: str, conn: Any) -> None:
    """Connect python-socketio's AsyncClient as the operator (WebSocket transport only),
    timestamp every `message:new`, and answer the parent's commands over the pipe."""
    import socketio

    loop = asyncio.get_running_loop()
    commands: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
    loop.add_reader(conn.fileno(), lambda: commands.put_nowait(conn.recv()))
    received: list[tuple[str, float]] = []
    others: Counter[str] = Counter()
    changed = asyncio.Event()
    disconnected: list[str] = []

    async def on_message_new(payload: Any) -> None:
        t = now()
        body = payload.get("message", {}).get("body", "") if isinstance(payload, dict) else ""
        if body.startswith(prefix):
            received.append((body, t))
            changed.set()

    async def on_other(event: str, *_: Any) -> None:  # catch-all: events without a handler
        others[event] += 1

    async def on_disconnect(reason: Any = None) -> None:
        disconnected.append(str(reason))
        changed.set()

    sio = socketio.AsyncClient(reconnection=False)  # a silent reconnect would lose events
    sio.on("message:new", on_message_new)
    sio.on("*", on_other)
    sio.on("disconnect", on_disconnect)
    await sio.connect(
        base_url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=10
    )
    try:
        conn.send(("ready", sio.sid))
        while True:
            cmd = await commands.get()
            if cmd[0] == "collect":
                expected, timeout = cmd[1], cmd[2]
                deadline = now() + timeout
                while len(received) < expected and now() < deadline and not disconnected:
                    changed.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(changed.wait(), max(0.0, deadline - now()))
                if disconnected and len(received) < expected:
                    raise RuntimeError(f"operator socket disconnected ({disconnected[0]})")
                batch, received[:] = list(received), []
                conn.send(("events", batch, dict(others)))
                others.clear()
            elif cmd[0] == "stop":
                break
    finally:
        with contextlib.suppress(Exception):
            await sio.disconnect()


class Listener:
    def __init__(self, base_url: str, cookie: str, prefix: str):
        ctx = multiprocessing.get_context("spawn")
        self.conn, child_conn = ctx.Pipe()
        self.proc = ctx.Process(
            target=_listener_main, args=(base_url, cookie, prefix, child_conn), daemon=True
        )

    def _recv(self, timeout: float) -> tuple[Any, ...]:
        if not self.conn.poll(timeout):
            raise BenchError(f"socket listener did not answer within {timeout:.0f}s")
        msg = self.conn.recv()
        if msg[0] == "error":
            raise BenchError(f"socket listener failed: {msg[1]}")
        return msg  # type: ignore[no-any-return]

    async def start(self) -> None:
        self.proc.start()
        await asyncio.to_thread(self._recv, 30.0)

    async def collect(
        self, expected: int, grace_s: float
    ) -> tuple[list[tuple[str, float]], dict[str, int]]:
        self.conn.send(("collect", expected, grace_s))
        msg = await asyncio.to_thread(self._recv, grace_s + 10.0)
        return msg[1], msg[2]

    def cpu_seconds(self) -> float:
        return process_tree_cpu(self.proc.pid) if self.proc.pid else 0.0

    def stop(self) -> None:
        if self.proc.pid is None:
            return
        with contextlib.suppress(Exception):
            self.conn.send(("stop",))
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(5)


# --- load phases --------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    sent: dict[str, float] = field(default_factory=dict)  # body -> send time
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
            "events_missing": self.accepted - len(unique & set(self.sent)),
            "delivered_per_s": round(len(unique) / e2e, 1),
            "event_latency": latency_summary(matched),
            "http_latency": latency_summary(self.http_latency),
            "server_cpu_s": round(self.server_cpu, 2),
            "server_cpu_ms_per_msg": round(1000 * self.server_cpu / max(self.accepted, 1), 2),
            "server_cpu_util": round(self.server_cpu / elapsed, 2),
            "client_cpu_s": round(self.client_cpu, 2),
            "other_events": self.other_events,
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
    ):
        self.client = client
        self.headers = {"X-CSRF-Token": csrf, "Cookie": cookie}
        self.run_id = run_id
        self.server = server
        self.listener = listener
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
        phase.t_last_response = max(phase.t_last_response, t1)

    async def _measure(self, phase: Phase, load: Any) -> Phase:
        cpu0, me0, li0 = self.server.cpu_seconds(), self_cpu(), self.listener.cpu_seconds()
        phase.t_start = now()
        await load
        phase.server_cpu = self.server.cpu_seconds() - cpu0
        phase.client_cpu = (self_cpu() - me0) + (self.listener.cpu_seconds() - li0)
        phase.events, phase.other_events = await self.listener.collect(
            phase.accepted, EVENT_GRACE_S
        )
        return phase

    async def closed_loop(self, name: str, customers: int, messages: int, phone: Any) -> Phase:
        """`customers` tasks, each posting its share back to back (one in flight each)."""
        phase = Phase(name)

        async def customer(c: int) -> None:
            for seq in range(c, messages, customers):
                await self.post(phase, seq, phone(c), f"Cliente {c}")

        return await self._measure(phase, asyncio.gather(*(customer(c) for c in range(customers))))

    async def paced(self, name: str, customers: int, rate: float, duration: float) -> Phase:
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
                tasks.append(
                    asyncio.create_task(self.post(phase, k, customer_phone(c), f"Cliente {c}"))
                )
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


async def run_load(args: argparse.Namespace, server: Server) -> dict[str, Phase]:
    # One session, one keep-alive connection per customer (HTTP/1.1). aiohttp's client costs
    # far less CPU per request than httpx's, which matters when the bench shares 2 cores.
    async with aiohttp.ClientSession(
        base_url=server.base_url,
        connector=aiohttp.TCPConnector(limit=args.customers),
        timeout=aiohttp.ClientTimeout(total=60.0),
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=False,
    ) as client:
        await server.wait_healthy(client)
        cookie, csrf = await login(client)
        if not args.bot:
            await pause_bots(client, cookie, csrf)
        run_id = secrets.token_hex(3)
        listener = Listener(server.base_url, cookie, f"bench {run_id} ")
        try:
            await listener.start()
            runner = Runner(client, csrf, cookie, run_id, server, listener)
            phases: dict[str, Phase] = {}
            print(
                f"warm-up: {WARMUP_MESSAGES} messages from {WARMUP_CUSTOMERS} other phones ...",
                flush=True,
            )
            phases["warmup"] = await runner.closed_loop(
                "warmup", WARMUP_CUSTOMERS, WARMUP_MESSAGES, warmup_phone
            )
            print(
                f"throughput: {args.customers} customers x {args.messages} messages ...", flush=True
            )
            phases["throughput"] = await runner.closed_loop(
                "throughput", args.customers, args.messages, customer_phone
            )
            print(f"paced: {args.rate:g} msg/s for {args.duration:g}s ...", flush=True)
            phases["paced"] = await runner.paced("paced", args.customers, args.rate, args.duration)
            return phases
        finally:
            listener.stop()


# --- baseline: the same rows, straight into a fresh database --------------------------------


async def _fresh_channel_db(url: str) -> None:
    from sqlalchemy import update

    from helpline.db import Database
    from helpline.demo import seed_demo
    from helpline.flows.models import Flow

    db = Database(url)
    try:
        await seed_demo(db)  # the admin and sandbox channel 1, as the server has them
        async with db.sessionmaker() as session:  # and the bot paused, as in the load phases
            await session.execute(update(Flow).values(active=False))
            await session.commit()
    finally:
        await db.dispose()


def _new_id(result: Any) -> int:
    pk = result.inserted_primary_key
    assert pk is not None
    return int(pk[0])


async def baseline_core(url: str, customers: int, messages: int, batch: int) -> dict[str, Any]:
    """Core INSERT/UPDATE of what ingest writes: contact + conversation + "opened" event the
    first time a customer writes, then the message and the conversation's last-message
    fields. `batch` messages per transaction, one connection, nothing else."""
    from sqlalchemy import update

    from helpline.clock import utcnow
    from helpline.db import create_engine
    from helpline.models import Base

    await _fresh_channel_db(url)
    t = Base.metadata.tables
    contacts, convs, events, msgs = (
        t["contacts"],
        t["conversations"],
        t["conversation_events"],
        t["messages"],
    )
    engine = create_engine(url)
    conv_ids: dict[int, int] = {}
    try:
        async with engine.connect() as conn:
            t0 = now()
            for start in range(0, messages, batch):
                async with conn.begin():
                    for seq in range(start, min(start + batch, messages)):
                        c = seq % customers
                        ts = utcnow()
                        if c not in conv_ids:
                            r = await conn.execute(
                                contacts.insert().values(
                                    phone=customer_phone(c),
                                    name=f"Cliente {c}",
                                    created_at=ts,
                                    updated_at=ts,
                                )
                            )
                            contact_id = _new_id(r)
                            r = await conn.execute(
                                convs.insert().values(
                                    channel_id=CHANNEL_ID,
                                    contact_id=contact_id,
                                    status="pending",
                                    open_key=f"{CHANNEL_ID}:{contact_id}",
                                    unread_count=0,
                                    created_at=ts,
                                )
                            )
                            conv_ids[c] = _new_id(r)
                            await conn.execute(
                                events.insert().values(
                                    conversation_id=conv_ids[c],
                                    type="opened",
                                    new_value="pending",
                                    created_at=ts,
                                )
                            )
                        body = f"bench baseline {seq}"
                        await conn.execute(
                            msgs.insert().values(
                                conversation_id=conv_ids[c],
                                channel_id=CHANNEL_ID,
                                direction="in",
                                sender="contact",
                                type="text",
                                body=body,
                                status="received",
                                provider_message_id=f"baseline-{seq}",
                                attempts=0,
                                created_at=ts,
                            )
                        )
                        await conn.execute(
                            update(convs)
                            .where(convs.c.id == conv_ids[c])
                            .values(
                                last_message_at=ts,
                                last_message_preview=body,
                                unread_count=convs.c.unread_count + 1,
                            )
                        )
            elapsed = now() - t0
    finally:
        await engine.dispose()
    return {
        "messages": messages,
        "transaction_size": batch,
        "elapsed_s": round(elapsed, 3),
        "rows_per_s": round(messages / elapsed, 1),
    }


async def baseline_service(url: str, customers: int, messages: int) -> dict[str, Any]:
    """`ingest_message()` itself, one session per message, sequential: the app's ORM work
    without HTTP, auth, validation of the request or Socket.IO (no server: events drop)."""
    from helpline.channels.models import Channel
    from helpline.channels.providers.base import InboundMessage
    from helpline.db import Database
    from helpline.messages.ingest import ingest_message

    await _fresh_channel_db(url)
    db = Database(url)
    try:
        t0 = now()
        for seq in range(messages):
            c = seq % customers
            async with db.sessionmaker() as session:
                channel = await session.get(Channel, CHANNEL_ID)
                assert channel is not None
                await ingest_message(
                    session,
                    channel,
                    InboundMessage(
                        f"baseline-{seq}",
                        customer_phone(c),
                        f"bench baseline {seq}",
                        f"Cliente {c}",
                    ),
                )
        elapsed = now() - t0
    finally:
        await db.dispose()
    return {
        "messages": messages,
        "transaction_size": 1,
        "elapsed_s": round(elapsed, 3),
        "rows_per_s": round(messages / elapsed, 1),
    }


def run_baselines(dbs: BenchDatabases, customers: int, messages: int) -> dict[str, Any]:
    from helpline.migrations.runner import upgrade

    out: dict[str, Any] = {}
    jobs: dict[str, Callable[[str], Coroutine[Any, Any, dict[str, Any]]]] = {
        "per_message": lambda u: baseline_core(u, customers, messages, 1),
        "batched": lambda u: baseline_core(u, customers, messages, BATCH),
        "service": lambda u: baseline_service(u, customers, messages),
    }
    for name, job in jobs.items():
        url = dbs.baseline_urls[name]
        print(
            f"baseline {name}: migrating a fresh database and inserting {messages} messages ...",
            flush=True,
        )
        upgrade(url)  # must run outside an event loop
        out[name] = asyncio.run(job(url))
    return out


# --- report -------------------------------------------------------------------------------


def fmt_ms(v: Any) -> str:
    return "-" if v is None else f"{v:.1f}"


def mark(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_report(report: dict[str, Any]) -> None:
    cfg, ph, base = report["config"], report["phases"], report["baseline"]
    tp, pc = ph["throughput"], ph["paced"]
    w = 78
    print()
    print("=" * w)
    print(f"Helpline ingest benchmark  {report['timestamp']}  run {report['run_id']}")
    print(
        f"database {cfg['database']}  workers {cfg['workers']}  cpus {cfg['cpus']}  "
        f"customers {cfg['customers']}  bot {'on' if cfg['bot'] else 'paused'}  "
        f"python {cfg['python']}"
    )
    print("=" * w)
    head = (
        f"{'phase':<12}{'posted':>7}{'201':>7}{'err':>5}{'msg/s':>8}{'events':>8}"
        f"{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}"
    )
    print(head + "   (latency ms: POST -> socket event)")
    for name in ("throughput", "paced"):
        r = ph[name]
        lat = r["event_latency"]
        err = r["posted"] - r["accepted_201"]
        print(
            f"{name:<12}{r['posted']:>7}{r['accepted_201']:>7}{err:>5}{r['accepted_per_s']:>8.1f}"
            f"{r['events_received']:>8}{fmt_ms(lat['p50_ms']):>8}{fmt_ms(lat['p95_ms']):>8}"
            f"{fmt_ms(lat['p99_ms']):>8}{fmt_ms(lat['max_ms']):>8}"
        )
    for name in ("throughput", "paced"):
        r, h = ph[name], ph[name]["http_latency"]
        print(
            f"  {name}: HTTP 201 latency p50 {fmt_ms(h['p50_ms'])} / p99 {fmt_ms(h['p99_ms'])} ms;"
            f" server CPU {r['server_cpu_ms_per_msg']:.2f} ms/msg"
            f" ({r['server_cpu_util']:.0%} of a core); bench client CPU {r['client_cpu_s']:.1f}s"
        )
    if "send_lag" in pc:
        print(
            f"  paced: offered {pc['offered_per_s']:.1f} msg/s,"
            f" send lag p99 {fmt_ms(pc['send_lag']['p99_ms'])} ms"
        )
    print("-" * w)
    print("baseline (same rows, SQLAlchemy, fresh database, 1 connection, no server running)")
    labels = {
        "per_message": "Core, 1 transaction per message",
        "batched": f"Core, 1 transaction per {BATCH} (info)",
        "service": "ingest_message(), no HTTP (info)",
    }
    for name, label in labels.items():
        b = base[name]
        print(f"  {label:<40}{b['rows_per_s']:>9.1f} msg/s")
    print(f"  ingest throughput / per-message baseline = {report['ratio_ingest_to_baseline']:.2f}")
    print("-" * w)
    t = report["targets"]
    print(
        f"{f'target  throughput >= {TARGET_THROUGHPUT:.0f} msg/s':<46}"
        f"got {tp['accepted_per_s']:>8.1f}   {t['throughput']}"
    )
    print(
        f"{f'target  p99 < {TARGET_P99_MS:.0f} ms at {TARGET_PACE_RATE:.0f} msg/s':<46}"
        f"got {fmt_ms(pc['event_latency']['p99_ms']):>8}   {t['paced_p99']}"
    )
    if t.get("note"):
        print(f"        ({t['note']})")
    print("=" * w)


def build_report(
    args: argparse.Namespace,
    dbs: BenchDatabases,
    phases: dict[str, Phase],
    baseline: dict[str, Any],
    run_id: str,
) -> dict[str, Any]:
    res = {name: p.result() for name, p in phases.items()}
    tp, pc = res["throughput"], res["paced"]
    p99 = pc["event_latency"]["p99_ms"]
    notes = []
    if dbs.kind != "sqlite" or (os.cpu_count() or 0) != 2:
        notes.append("targets are defined for SQLite on 2 cores")
    if args.rate != TARGET_PACE_RATE:
        notes.append(
            f"latency target is defined at {TARGET_PACE_RATE:.0f} msg/s,"
            f" this run used {args.rate:g}"
        )
    base_rate = baseline["per_message"]["rows_per_s"]
    return {
        "benchmark": "ingest",
        "timestamp": datetime.now().astimezone().isoformat(timespec="seconds"),
        "run_id": run_id,
        "config": {
            "customers": args.customers,
            "messages": args.messages,
            "rate": args.rate,
            "duration": args.duration,
            "workers": args.workers,
            "bot": args.bot,
            "database": dbs.kind if dbs.kind == "sqlite" else _display_url(dbs.server_url),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "warmup_messages": WARMUP_MESSAGES,
        },
        "phases": res,
        "baseline": baseline,
        "ratio_ingest_to_baseline": round(tp["accepted_per_s"] / base_rate, 3)
        if base_rate
        else None,
        "targets": {
            "throughput_min_per_s": TARGET_THROUGHPUT,
            "paced_p99_max_ms": TARGET_P99_MS,
            "paced_rate": TARGET_PACE_RATE,
            "throughput": mark(tp["accepted_per_s"] >= TARGET_THROUGHPUT),
            "paced_p99": mark(p99 is not None and p99 < TARGET_P99_MS),
            "note": "; ".join(notes),
        },
    }


def real_errors(report: dict[str, Any]) -> list[str]:
    problems = []
    for name, r in report["phases"].items():
        if r["accepted_201"] != r["posted"]:
            problems.append(
                f"{name}: {r['posted'] - r['accepted_201']} non-201 answers {r['statuses']} "
                f"e.g. {r['errors_sample'][:2]}"
            )
        if r["events_missing"]:
            problems.append(f"{name}: {r['events_missing']} message:new events never arrived")
    return problems


# --- main ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.ingest",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--customers", type=int, default=50, help="concurrent simulated customers")
    p.add_argument("--messages", type=int, default=3000, help="messages in the throughput phase")
    p.add_argument("--rate", type=float, default=50.0, help="paced phase: messages per second")
    p.add_argument("--duration", type=float, default=10.0, help="paced phase: seconds")
    p.add_argument(
        "--database-url",
        default=None,
        help="bench PostgreSQL/MySQL on this server (a fresh helpline_bench_* database "
        "is created and dropped); default: SQLite in a temp dir",
    )
    p.add_argument(
        "--workers", type=int, default=1, help="server processes (helpline serve --workers)"
    )
    p.add_argument(
        "--redis-url",
        default=None,
        help="REDIS_URL for the server; needed with --workers > 1 so every worker's "
        "socket events reach the operator",
    )
    p.add_argument(
        "--bot",
        action="store_true",
        help="keep the demo's bot flow on (it greets each new customer and answers their "
        "first messages); by default it is paused to measure the desk's ingest path",
    )
    p.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    p.add_argument(
        "--keep", action="store_true", help="keep the temp dir (server log, SQLite files)"
    )
    args = p.parse_args(argv)
    for name in ("customers", "messages", "workers"):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be >= 1")
    if args.rate <= 0 or args.duration <= 0:
        p.error("--rate and --duration must be > 0")
    if args.messages > 1_000_000 or args.rate * args.duration > 1_000_000:
        p.error("keep it under a million messages")
    if args.workers > 1 and not args.redis_url:
        print(
            "warning: --workers > 1 without --redis-url: events from other workers will not "
            "reach the operator socket and will count as missing",
            file=sys.stderr,
        )
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="helpline-bench-"))
    (workdir / "server").mkdir()
    dbs: BenchDatabases | None = None
    server: Server | None = None
    try:
        dbs = prepare_databases(args.database_url, workdir)
        server = Server(
            workdir / "server",
            dbs.server_url,
            args.port or free_port(),
            args.workers,
            args.redis_url,
        )
        print(
            f"starting server on {server.base_url} ({dbs.kind}, {args.workers} worker(s)),"
            f" log {server.log_path}",
            flush=True,
        )
        server.start()
        phases = asyncio.run(run_load(args, server))
        server.stop()
        baseline = run_baselines(dbs, args.customers, args.messages)
        run_id = (
            next(iter(phases["throughput"].sent)).split()[1] if phases["throughput"].sent else "-"
        )
        report = build_report(args, dbs, phases, baseline, run_id)
        problems = real_errors(report)
        report["errors"] = problems
        print_report(report)
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        out = RESULTS_DIR / f"ingest-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
        out.write_text(json.dumps(report, indent=2) + "\n")
        print(f"results: {out}")
        if problems:
            print("ERRORS:\n  " + "\n  ".join(problems), file=sys.stderr)
            return 1
        return 0
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if server is not None:
            server.stop()
        if dbs is not None:
            drop_databases(dbs)
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
