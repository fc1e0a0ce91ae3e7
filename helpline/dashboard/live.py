"""The dashboard, live: events that change its figures mark it dirty, and one task per
process recomputes it at most once a second, only while a socket of this process is
subscribed, then emits `dashboard:updated` to each view's room.

Every subscribed console of one view (all admins; the supervisors of the same areas; one
agent) shares a room and one computation, so a burst of messages costs one snapshot a
second however many dashboards are open. With Redis (several processes) a process that
published changes also says so, at most once a second, on a Redis channel; every process
with subscribers then recomputes and emits to its own rooms, which Socket.IO's Redis
manager delivers everywhere: a console may get one update per process in a second, which
is harmless (each carries the whole figures). Every `REFRESH` seconds each process with
subscribers recomputes anyway: presence that lapsed without an event, growing waits, and
changes whose Redis note was lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Iterable

from redis import asyncio as aioredis

from helpline import realtime
from helpline.auth.models import User
from helpline.dashboard import service
from helpline.db import Database

log = logging.getLogger(__name__)

EVENT = "dashboard:updated"
SUBSCRIBE = "dashboard:subscribe"
UNSUBSCRIBE = "dashboard:unsubscribe"
# Events after which a figure may differ; delivery ticks (`message:status`) change none.
CHANGES = ("conversation:", "message:new", "session:status", realtime.PRESENCE_CHANGED)
THROTTLE = 1.0
REFRESH = 10.0
# Between processes: "something changed here" (the payload is the sender's id).
REDIS_CHANNEL = "helpline:dashboard:changed"
REDIS_TIMEOUT = 2.0


class DashboardFeed:
    def __init__(
        self,
        db: Database,
        redis_url: str | None = None,
        throttle: float = THROTTLE,
        refresh: float = REFRESH,
    ) -> None:
        self._db = db
        self._redis_url = redis_url
        self._throttle = throttle
        self._refresh = refresh
        self._dirty = asyncio.Event()
        self._ours = False  # this process published a change (others must hear of it)
        self._node = uuid.uuid4().hex
        self._scopes: dict[str, service.Scope] = {}

    def install(self) -> None:
        realtime.add_listener(self.changed)
        realtime.on(SUBSCRIBE, self.subscribe)
        realtime.on(UNSUBSCRIBE, self.unsubscribe)

    def uninstall(self) -> None:
        realtime.remove_listener(self.changed)

    def changed(self, names: Iterable[str]) -> None:
        """Called on every publish: only sets a flag, so ingest does not wait for us."""
        if any(name.startswith(CHANGES) for name in names):
            self._ours = True
            self._dirty.set()

    async def _scope(self, sid: str) -> service.Scope | None:
        who = await realtime.socket_user(sid)
        if who is None:
            return None
        async with self._db.sessionmaker() as session:
            user = await session.get(User, who[0])
            if user is None or not user.active:
                return None
            return await service.scope_for(session, user)

    async def subscribe(self, sid: str, _data: object = None) -> bool:
        """The socket joins its view's room. A user whose areas change is disconnected
        (`realtime.queue_rooms_changed`); the console subscribes again on reconnecting."""
        scope = await self._scope(sid)
        if scope is None:
            return False
        self._scopes[scope.room] = scope
        await realtime.join(sid, scope.room)
        self._dirty.set()  # the newcomer's first figures, on the next tick
        return True

    async def unsubscribe(self, sid: str, _data: object = None) -> bool:
        scope = await self._scope(sid)
        if scope is not None:
            await realtime.leave(sid, scope.room)
        return True

    async def run_forever(self) -> None:
        others = (
            asyncio.create_task(self._hear_others(), name="dashboard-redis")
            if self._redis_url
            else None
        )
        publisher = (
            aioredis.Redis.from_url(
                self._redis_url,
                socket_connect_timeout=REDIS_TIMEOUT,
                socket_timeout=REDIS_TIMEOUT,
            )
            if self._redis_url
            else None
        )
        try:
            while True:
                await self._tick(publisher)
        finally:
            if others is not None:
                others.cancel()
                await asyncio.gather(others, return_exceptions=True)
            if publisher is not None:
                await publisher.aclose()

    async def _tick(self, publisher: aioredis.Redis | None) -> None:
        with contextlib.suppress(TimeoutError):  # no change: refresh anyway
            await asyncio.wait_for(self._dirty.wait(), self._refresh)
        await asyncio.sleep(self._throttle)  # what changes meanwhile travels together
        self._dirty.clear()
        ours, self._ours = self._ours, False
        if ours and publisher is not None:
            await self._tell_others(publisher)
        if not realtime.local_rooms(service.ADMIN_ROOM):
            return  # nobody watches here: nothing to compute
        try:
            await self.push()
        except Exception:  # a database hiccup: the next change or refresh tries again
            log.exception("dashboard update failed")

    async def _tell_others(self, publisher: aioredis.Redis) -> None:
        try:
            await publisher.publish(REDIS_CHANNEL, self._node)
        except Exception as exc:  # Redis down: the others catch up at their next refresh
            log.warning("dashboard: could not tell other processes: %s", exc)

    async def _hear_others(self) -> None:
        """Another process's change wakes this one (its own notes are ignored)."""
        assert self._redis_url is not None
        while True:
            client = aioredis.Redis.from_url(self._redis_url, socket_connect_timeout=REDIS_TIMEOUT)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(REDIS_CHANNEL)
                    async for note in pubsub.listen():
                        if note.get("type") == "message" and note["data"] != self._node.encode():
                            self._dirty.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("dashboard: not hearing other processes (%s); retrying", exc)
                await asyncio.sleep(5)
            finally:
                await client.aclose()

    async def push(self) -> int:
        """Compute once, emit each subscribed view; returns how many rooms were sent to."""
        rooms = realtime.local_rooms(service.ADMIN_ROOM)
        for stale in set(self._scopes) - rooms:
            del self._scopes[stale]
        scopes = [self._scopes[r] for r in rooms if r in self._scopes]
        if not scopes:
            return 0
        async with self._db.sessionmaker() as session:
            snap = await service.snapshot(session)
        for scope in scopes:
            payload = service.view(snap, scope).model_dump(mode="json", by_alias=True)
            await realtime.emit(EVENT, payload, scope.room)
        return len(scopes)
