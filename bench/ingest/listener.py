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
        message = payload.get("message", {}) if isinstance(payload, dict) else {}
        body = message.get("body") or ""
        if body.startswith(prefix):
            received.append((body, t))
            changed.set()
        elif message.get("sender") == "bot":  # the bot's greetings and answers: counted
            others["message:new (bot)"] += 1

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


# --- the other consoles: raw Engine.IO sockets that only count (their own process) ----------


def _crowd_main(base_url: str, cookie: str, prefix: str, n: int, conn: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        asyncio.run(_crowd(base_url, cookie, prefix, n, conn))
    except Exception as exc:
        with contextlib.suppress(Exception):
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


async def _crowd(base_url: str, cookie: str, prefix: str, n: int, conn: Any) -> None:
    """`n` consoles as bare Engine.IO v4 WebSockets (the operator's handshake, pings
    answered): each keeps the markers of the `message:new` events it got. Much cheaper than
    n Socket.IO clients, so 500 of them leave the cores to the server."""
    import aiohttp

    loop = asyncio.get_running_loop()
    commands: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
    loop.add_reader(conn.fileno(), lambda: commands.put_nowait(conn.recv()))
    seen: list[set[str]] = [set() for _ in range(n)]
    closed: list[str] = []
    changed = asyncio.Event()
    ws_url = base_url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
    head, needle = '42["message:new"', f'"body":"{prefix}'
    handshakes = asyncio.Semaphore(20)

    async def console(i: int, ready: asyncio.Future[None]) -> None:
        ws: aiohttp.ClientWebSocketResponse | None = None
        try:
            async with handshakes:  # a few at a time: 500 at once would time out
                # autoping: answer the server's WebSocket pings, or uvicorn closes us (1011)
                ws = await session.ws_connect(ws_url, headers={"Cookie": cookie})
                if not (await ws.receive_str()).startswith("0"):
                    raise RuntimeError("no Engine.IO open packet")
                await ws.send_str("40")
                ack = await ws.receive_str()
                if not ack.startswith("40"):
                    raise RuntimeError(f"namespace refused: {ack[:100]}")
            ready.set_result(None)
            async for msg in ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue  # binary attachments (a file's bytes): not what we count
                data = msg.data
                if data == "2":
                    await ws.send_str("3")
                elif data.startswith(head) and (k := data.find(needle)) >= 0:
                    start = k + len('"body":"')
                    seen[i].add(data[start : data.index('"', start)])
                    changed.set()
            why = f"closed by the server ({ws.close_code})"
        except Exception as exc:
            why = f"{type(exc).__name__}: {exc}"
            if not ready.done():
                ready.set_exception(exc)
        finally:
            if ws is not None:
                await ws.close()
        closed.append(why)
        changed.set()

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        readies = [loop.create_future() for _ in range(n)]
        tasks = [asyncio.create_task(console(i, readies[i])) for i in range(n)]
        await asyncio.gather(*readies)
        conn.send(("ready", n))
        while True:
            cmd = await commands.get()
            if cmd[0] == "collect":
                expected, timeout = cmd[1], cmd[2]
                deadline = now() + timeout
                while min(len(s) for s in seen) < expected and now() < deadline and not closed:
                    changed.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(changed.wait(), max(0.0, deadline - now()))
                counts = [len(s) for s in seen]
                for s in seen:
                    s.clear()
                conn.send(("counts", counts, list(closed)))
            elif cmd[0] == "stop":
                break
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class Crowd:
    """The consoles beyond the timed operator: each must get every `message:new`."""

    def __init__(self, base_url: str, cookie: str, prefix: str, n: int):
        self.n = n
        ctx = multiprocessing.get_context("spawn")
        self.conn, child_conn = ctx.Pipe()
        self.proc = ctx.Process(
            target=_crowd_main, args=(base_url, cookie, prefix, n, child_conn), daemon=True
        )

    def _recv(self, timeout: float) -> tuple[Any, ...]:
        if not self.conn.poll(timeout):
            raise BenchError(f"console crowd did not answer within {timeout:.0f}s")
        msg = self.conn.recv()
        if msg[0] == "error":
            raise BenchError(f"console crowd failed: {msg[1]}")
        return msg  # type: ignore[no-any-return]

    async def start(self) -> None:
        if self.n:
            self.proc.start()
            await asyncio.to_thread(self._recv, 120.0)

    async def collect(self, expected: int, grace_s: float) -> tuple[list[int], list[str]]:
        """Events each console got since the last collect, and why any console dropped."""
        if not self.n:
            return [], []
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
