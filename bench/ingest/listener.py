"""The operator's socket, in its own process so its clock does not wait on the senders."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import signal
from collections import Counter
from typing import Any

from bench.ingest.common import BenchError, now, process_tree_cpu

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
