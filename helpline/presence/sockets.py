"""The console's sockets: who may connect, which rooms they join, and presence kept from
them. Connected to `helpline.realtime`'s socket hooks at start-up (helpline.wiring)."""

from __future__ import annotations

from typing import Any

import socketio

from helpline import realtime
from helpline.auth import service as auth_service
from helpline.config import Settings
from helpline.db import Database
from helpline.presence import service as presence


async def on_connect(
    server: socketio.AsyncServer, db: Database, settings: Settings, sid: str, cookie: str | None
) -> None:
    async with db.sessionmaker() as session:
        found = await auth_service.resolve_session(session, settings, cookie)
        if found is None:
            raise socketio.exceptions.ConnectionRefusedError("authentication required")
        user = found.user
        rooms = [realtime.user_room(user.id), realtime.role_room(user.role)]
        area_ids = await auth_service.user_area_ids(session, user.id)
        rooms += [realtime.area_room(a) for a in area_ids]
        if user.role == "SUPERVISOR":
            rooms += [realtime.supervisors_room(a) for a in area_ids]
    for room in rooms:
        await server.enter_room(sid, room)
    await server.save_session(sid, {"user_id": user.id, "role": user.role})
    await presence.connected(db, user.id, sid)


async def on_disconnect(db: Database, sid: str, state: dict[str, Any]) -> None:
    await presence.disconnected(db, state["user_id"], sid)
