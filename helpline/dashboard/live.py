"""The dashboard, live: events that change its figures mark it dirty, and one task per
process recomputes it at most once a second, only while a socket of this process is
subscribed, then emits `dashboard.updated` to each view's room.

Every subscribed console of one view (all admins; the supervisors of the same areas; one
agent) shares a room and one computation, so a burst of messages costs one snapshot a
second however many dashboards are open. With Redis each process emits for the changes it
published itself (an admin may then get one update per process in a second), and every
`REFRESH` seconds in any case: that also brings changes made on other processes, presence
that lapsed without an event, and the growing waiting times.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from helpline import realtime
from helpline.auth.models import User
from helpline.dashboard import service
from helpline.db import Database

log = logging.getLogger(__name__)

EVENT = "dashboard.updated"
SUBSCRIBE = "dashboard:subscribe"
UNSUBSCRIBE = "dashboard:unsubscribe"
# Events after which a figure may differ; delivery ticks (`message:status`) change none.
CHANGES = ("conversation:", "message:new", "session:status", realtime.PRESENCE_CHANGED)
THROTTLE = 1.0
REFRESH = 10.0


class DashboardFeed:
    def __init__(self, db: Database, throttle: float = THROTTLE, refresh: float = REFRESH) -> None:
        self._db = db
        self._throttle = throttle
        self._refresh = refresh
        self._dirty = asyncio.Event()
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
        while True:
            with contextlib.suppress(TimeoutError):  # no change: refresh anyway
                await asyncio.wait_for(self._dirty.wait(), self._refresh)
            if not realtime.local_rooms(service.ADMIN_ROOM):
                self._dirty.clear()  # nobody watches here: nothing to compute
                continue
            await asyncio.sleep(self._throttle)  # what changes meanwhile travels together
            self._dirty.clear()
            try:
                await self.push()
            except Exception:  # a database hiccup: the next change or refresh tries again
                log.exception("dashboard update failed")

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
