"""One process at a time for a periodic job, whatever the number of servers: a database
advisory lock (PostgreSQL, MySQL/MariaDB). SQLite serves one machine, where write
transactions are serialized anyway."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from helpline.db import Database


@asynccontextmanager
async def exclusive(db: Database, name: str) -> AsyncIterator[bool]:
    """Yield True if this process holds `name` now (never waits), False if another does."""
    if db.dialect == "sqlite":
        yield True
        return
    async with db.engine.connect() as conn:
        params: dict[str, object]
        if db.dialect == "postgresql":
            params = {"k": zlib.crc32(name.encode())}
            acquire, release = "SELECT pg_try_advisory_lock(:k)", "SELECT pg_advisory_unlock(:k)"
        else:  # mysql / mariadb
            params = {"k": name}
            acquire, release = "SELECT GET_LOCK(:k, 0)", "SELECT RELEASE_LOCK(:k)"
        got = bool(await conn.scalar(text(acquire), params))
        try:
            yield got
        finally:
            if got:
                await conn.execute(text(release), params)
            await conn.commit()
