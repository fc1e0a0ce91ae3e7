"""Sockets to drop when a user's rooms no longer fit them (auth calls this; it must not
import the socket handlers, which read sessions through auth)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline import realtime
from helpline.presence.models import ConsoleSocket


async def queue_rooms_changed(session: AsyncSession, user_id: int) -> None:
    """The user's areas, role or access changed: after the commit, drop their sockets (on
    every process), so no event of an area they left reaches them."""
    sids = await session.scalars(select(ConsoleSocket.sid).where(ConsoleSocket.user_id == user_id))
    realtime.queue_disconnect(session, tuple(sids))
