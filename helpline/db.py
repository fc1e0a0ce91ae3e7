"""Engine, sessions, the declarative base and the few dialect helpers we need."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

from annotated_types import Ge, Le
from pydantic import BeforeValidator
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from helpline.hooks import Hook

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The largest row id every supported database's INTEGER holds (SQLite's is 64-bit, but
# PostgreSQL's and MySQL's INT are 32-bit).
ROW_ID_MAX = 2**31 - 1


def _no_bool(value: Any) -> Any:
    # Pydantic's lax mode reads JSON `true` as 1: an id is never a yes/no.
    if isinstance(value, bool):
        raise ValueError("must be an id (a whole number), not true/false")
    return value


# A row's id as the API takes it (path, query or body): out of range answers 422, where a
# number too big for the column would have reached the database and failed there (500).
RowId = Annotated[int, Ge(1), Le(ROW_ID_MAX), BeforeValidator(_no_bool)]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC (MySQL has no time zones), always returned aware in UTC."""

    impl = DateTime(timezone=False).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use helpline.clock.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


# Run with the session's `info` after each successful commit; the modules that queue work
# in `info` (realtime events, the outbox wake-up) connect to it when imported.
COMMITTED: Hook[[dict[str, Any]]] = Hook("db.committed")


class HelplineSession(AsyncSession):
    """An AsyncSession that publishes queued realtime events only after a commit succeeds."""

    async def commit(self) -> None:
        await super().commit()
        await COMMITTED.run(self.info)

    async def rollback(self) -> None:
        self.info.pop("realtime_events", None)
        self.info.pop("outbox_dirty", None)
        await super().rollback()


def _configure_sqlite(engine: AsyncEngine) -> None:
    # SQLite's default deferred transactions fail at once with "database is locked" when a
    # reader upgrades to a writer under concurrency; BEGIN IMMEDIATE waits on busy_timeout.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        # One connection per process: SQLite has one writer anyway, and waiting for the
        # pool is an asyncio queue, while waiting on SQLite's lock is its busy handler's
        # sleep-and-retry (1..100 ms naps) that leaves the CPU idle and the tail long.
        engine = create_async_engine(
            url, connect_args={"timeout": 10}, pool_size=1, max_overflow=0, pool_timeout=60
        )
        _configure_sqlite(engine)
        return engine
    options: dict[str, Any] = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20}
    if url.startswith("mysql"):
        # InnoDB's default REPEATABLE READ takes gap locks that make concurrent claims and
        # inserts deadlock; READ COMMITTED is what PostgreSQL does by default.
        options["isolation_level"] = "READ COMMITTED"
    return create_async_engine(url, **options)


def _ensure_sqlite_dir(url: str) -> None:
    from pathlib import Path

    path = url.split(":///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


class Database:
    """The engine and its session factory; one per process, kept on the app state."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.sessionmaker = async_sessionmaker(
            self.engine, class_=HelplineSession, expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def session(self) -> AsyncIterator[HelplineSession]:
        async with self.sessionmaker() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
