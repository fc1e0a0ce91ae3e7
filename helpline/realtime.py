"""The Socket.IO server: handshake auth from the session cookie, rooms, and the one place
that emits. Services call `queue_event`; events leave only after their transaction commits
(see `HelplineSession.commit`)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import socketio
from redis import asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncSession

from helpline import metrics
from helpline.config import Settings
from helpline.db import COMMITTED, Database
from helpline.hooks import Hook

log = logging.getLogger(__name__)

_server: socketio.AsyncServer | None = None
_redis: aioredis.Redis | None = None  # to tell /health whether Redis answers
# Without Redis the process still emits to its own clients (python-socketio handles an
# emit locally before publishing it); a Redis that does not answer must not hold it up.
REDIS_TIMEOUT = 2.0


# Features above the core (the dashboard) hook in at start-up, so this module imports none
# of them: listeners hear the names of the events this process publishes (and
# `PRESENCE_CHANGED` when a console connects or leaves); handlers answer client events.
PRESENCE_CHANGED = "presence:changed"
Listener = Callable[[Iterable[str]], None]
_listeners: list[Listener] = []
_handlers: dict[str, Callable[..., Awaitable[Any]]] = {}


@dataclass(frozen=True)
class RealtimeEvent:
    name: str
    payload: dict[str, Any]
    rooms: tuple[str, ...]


@dataclass(frozen=True)
class Disconnect:
    """Sockets whose rooms no longer fit their user; the console reconnects for fresh ones."""

    sids: tuple[str, ...]


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def role_room(role: str) -> str:
    return f"role:{role}"


def area_room(area_id: int) -> str:
    return f"area:{area_id}"


def supervisors_room(area_id: int) -> str:
    """An area's supervisors: they follow every conversation of the area, not only its queue."""
    return f"area:{area_id}:supervisors"


def queue_event(
    session: AsyncSession, name: str, payload: dict[str, Any], rooms: list[str] | set[str]
) -> None:
    """Emit `name` to `rooms` once the session's transaction commits (dropped on rollback)."""
    if rooms:
        events = session.info.setdefault("realtime_events", [])
        events.append(RealtimeEvent(name, payload, tuple(sorted(rooms))))


def queue_disconnect(session: AsyncSession, sids: tuple[str, ...]) -> None:
    """Drop these sockets (on every process) once the session's transaction commits."""
    if sids:
        session.info.setdefault("realtime_events", []).append(Disconnect(sids))


# A socket asks to connect: the handler (presence, at start-up) authenticates it from the
# cookie, enters its rooms and saves its session, or raises ConnectionRefusedError.
SOCKET_CONNECT: Hook[[socketio.AsyncServer, Database, Settings, str, str | None]] = Hook(
    "realtime.socket_connect"
)
# A socket that connected went away; its saved session is given.
SOCKET_DISCONNECT: Hook[[Database, str, dict[str, Any]]] = Hook("realtime.socket_disconnect")


async def _after_commit(info: dict[str, Any]) -> None:
    events = info.pop("realtime_events", [])
    if events:
        await publish(events)


COMMITTED.connect(_after_commit)


def add_listener(listener: Listener) -> None:
    _listeners.append(listener)


def remove_listener(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def _notify(names: Iterable[str]) -> None:
    for listener in list(_listeners):
        try:
            listener(names)
        except Exception:  # a feature's bookkeeping must never stop the events
            log.exception("realtime listener failed")


def on(name: str, handler: Callable[..., Awaitable[Any]]) -> None:
    """Answer the client event `name` with `handler(sid, data)` (on later servers too)."""
    _handlers[name] = handler
    if _server is not None:
        _server.on(name, handler)


async def socket_user(sid: str) -> tuple[int, str] | None:
    """The (user id, role) a socket was authenticated as."""
    if _server is None:
        return None
    state = await _server.get_session(sid)
    return (state["user_id"], state["role"]) if state else None


async def join(sid: str, room: str) -> None:
    if _server is not None:
        await _server.enter_room(sid, room)


async def leave(sid: str, room: str) -> None:
    if _server is not None:
        await _server.leave_room(sid, room)


def local_rooms(prefix: str) -> set[str]:
    """Rooms starting with `prefix` that hold a socket of this process."""
    if _server is None:
        return set()
    rooms = _server.manager.rooms.get("/", {})
    return {r for r, sids in rooms.items() if isinstance(r, str) and r.startswith(prefix) and sids}


async def emit(name: str, payload: dict[str, Any], room: str) -> None:
    if _server is not None:
        await _server.emit(name, payload, to=room)


async def publish(events: list[RealtimeEvent | Disconnect]) -> None:
    _notify(tuple(ev.name for ev in events if isinstance(ev, RealtimeEvent)))
    if _server is None:
        return
    for ev in events:
        if isinstance(ev, Disconnect):
            for sid in ev.sids:
                await _server.disconnect(sid)
        else:
            await _server.emit(ev.name, ev.payload, to=list(ev.rooms))


def create_server(settings: Settings, db: Database) -> socketio.AsyncServer:
    """Build the process's Socket.IO server (Redis-backed when REDIS_URL is set)."""
    global _server, _redis
    manager = None
    _redis = None
    if settings.redis_url:
        manager = socketio.AsyncRedisManager(
            settings.redis_url, redis_options={"socket_connect_timeout": REDIS_TIMEOUT}
        )
        _redis = aioredis.Redis.from_url(
            settings.redis_url,
            socket_connect_timeout=REDIS_TIMEOUT,
            socket_timeout=REDIS_TIMEOUT,
        )
    server = socketio.AsyncServer(
        async_mode="asgi",
        client_manager=manager,
        # None = same origin only; a list admits those origins too (CORS_ORIGIN).
        cors_allowed_origins=settings.cors_origins or None,
        cors_credentials=True,
    )

    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        cookie = _cookie(environ, settings.session_cookie_name)
        await SOCKET_CONNECT.run(server, db, settings, sid, cookie)
        metrics.CONNECTED_SOCKETS.inc()
        _notify((PRESENCE_CHANGED,))

    async def disconnect(sid: str, *_reason: Any) -> None:
        state = await server.get_session(sid)
        if state:
            metrics.CONNECTED_SOCKETS.dec()
            await SOCKET_DISCONNECT.run(db, sid, state)
            _notify((PRESENCE_CHANGED,))

    server.on("connect", connect)
    server.on("disconnect", disconnect)
    for name, handler in _handlers.items():
        server.on(name, handler)

    _server = server
    return server


async def redis_state() -> str | None:
    """`up` or `down` when REDIS_URL is set, else None. Down, this process keeps serving
    its own clients; those of other processes miss its events until Redis is back."""
    if _redis is None:
        return None
    try:
        await _redis.ping()
    except Exception as exc:  # any failure means the same to a monitor: not reachable
        log.warning("Redis unreachable: %s", exc)
        return "down"
    return "up"


def _cookie(environ: dict[str, Any], name: str) -> str | None:
    raw = environ.get("HTTP_COOKIE")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    jar.load(raw)
    morsel = jar.get(name)
    return morsel.value if morsel else None
