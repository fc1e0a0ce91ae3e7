"""Who is online, from their console sockets, and what happens when that changes."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import Exists, delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.areas.hooks import QUEUES_MAY_MOVE
from helpline.auth.models import User
from helpline.auth.service import user_area_ids
from helpline.clock import utcnow
from helpline.db import Database
from helpline.presence.models import ConsoleSocket

# This process's name in console_sockets.
NODE = uuid.uuid4().hex
HEARTBEAT = timedelta(seconds=15)
# A socket row not refreshed for this long belongs to a process that died.
STALE_AFTER = HEARTBEAT * 3


def is_online() -> Exists:
    """SQL: the user in the surrounding query has a fresh console socket."""
    return exists().where(
        ConsoleSocket.user_id == User.id, ConsoleSocket.last_seen_at > utcnow() - STALE_AFTER
    )


async def online(session: AsyncSession, user_id: int) -> bool:
    return bool(
        await session.scalar(select(is_online()).select_from(User).where(User.id == user_id))
    )


async def connected(db: Database, user_id: int, sid: str) -> None:
    """A console socket opened: the user is online, and their areas' queues drain."""
    async with db.sessionmaker() as session:
        # The user row first, then the socket row: inserting the socket first takes a shared
        # lock on the user (the foreign key) and two consoles of one user opening at once
        # then deadlock on MariaDB, each waiting to update the row the other holds.
        await session.execute(update(User).where(User.id == user_id).values(offline_since=None))
        session.add(ConsoleSocket(sid=sid, user_id=user_id, node=NODE, last_seen_at=utcnow()))
        await session.flush()
        await QUEUES_MAY_MOVE.run(session, await user_area_ids(session, user_id))
        await session.commit()


async def disconnected(db: Database, user_id: int, sid: str) -> None:
    async with db.sessionmaker() as session:
        await session.execute(delete(ConsoleSocket).where(ConsoleSocket.sid == sid))
        if not await online(session, user_id):
            await session.execute(
                update(User)
                .where(User.id == user_id, User.offline_since.is_(None))
                .values(offline_since=utcnow())
            )
        await session.commit()


async def heartbeat(db: Database) -> None:
    """Refresh this process's sockets; forget those of processes that stopped refreshing."""
    now = utcnow()
    async with db.sessionmaker() as session:
        await session.execute(
            update(ConsoleSocket).where(ConsoleSocket.node == NODE).values(last_seen_at=now)
        )
        dead_users = list(
            await session.scalars(
                select(ConsoleSocket.user_id).where(ConsoleSocket.last_seen_at <= now - STALE_AFTER)
            )
        )
        if dead_users:
            await session.execute(
                delete(ConsoleSocket).where(ConsoleSocket.last_seen_at <= now - STALE_AFTER)
            )
            await session.execute(
                update(User)
                .where(User.id.in_(dead_users), User.offline_since.is_(None), ~is_online())
                .values(offline_since=now)
            )
        await session.commit()


async def forget_node(db: Database) -> None:
    """At shutdown: this process's sockets are gone."""
    async with db.sessionmaker() as session:
        users = list(
            await session.scalars(select(ConsoleSocket.user_id).where(ConsoleSocket.node == NODE))
        )
        await session.execute(delete(ConsoleSocket).where(ConsoleSocket.node == NODE))
        if users:
            await session.execute(
                update(User)
                .where(User.id.in_(users), User.offline_since.is_(None), ~is_online())
                .values(offline_since=utcnow())
            )
        await session.commit()
