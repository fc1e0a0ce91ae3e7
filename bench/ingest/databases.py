"""The databases the benchmark runs on: made fresh, dropped after."""

from __future__ import annotations

import asyncio
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.ingest.common import BenchError

# --- databases ----------------------------------------------------------------------------


@dataclass
class BenchDatabases:
    """The server's database and one fresh database per baseline variant."""

    kind: str  # sqlite | postgresql | mysql
    server_urls: dict[str, str]  # one fresh database per scenario
    baseline_urls: dict[str, str]  # per_message_<scenario>, batched, service
    admin_url: str | None = None  # server-level URL used to create/drop (non-SQLite)
    created: list[str] = field(default_factory=list)


def _display_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


async def _admin_exec(admin_url: str, statements: list[str]) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for stmt in statements:
                await conn.execute(text(stmt))
    finally:
        await engine.dispose()


def prepare_databases(
    database_url: str | None, workdir: Path, scenarios: list[str]
) -> BenchDatabases:
    variants = [f"per_message_{s}" for s in scenarios] + ["batched", "service"]
    if not database_url:
        return BenchDatabases(
            kind="sqlite",
            server_urls={s: f"sqlite+aiosqlite:///{workdir / s / 'bench.db'}" for s in scenarios},
            baseline_urls={
                v: f"sqlite+aiosqlite:///{workdir / f'baseline-{v}.db'}" for v in variants
            },
        )
    from sqlalchemy.engine import make_url

    from helpline.config import to_async_url

    url = make_url(to_async_url(database_url))
    backend = url.get_backend_name()
    if backend == "sqlite":
        raise BenchError("for SQLite leave out --database-url: the bench makes its own files")
    if backend not in ("postgresql", "mysql"):
        raise BenchError(f"unsupported database {backend!r} (SQLite, PostgreSQL or MySQL)")
    base = f"helpline_bench_{secrets.token_hex(4)}"
    servers = {s: f"{base}_{s}" for s in scenarios}
    bases = {v: f"{base}_{v}" for v in variants}
    # MySQL needs no database to create one; `URL.set(database=None)` would keep the old
    # name (set() ignores None), so it is an empty name there.
    admin_db = "postgres" if backend == "postgresql" else ""
    admin_url = url.set(database=admin_db).render_as_string(hide_password=False)
    dbs = BenchDatabases(
        kind=backend,
        server_urls={
            s: url.set(database=n).render_as_string(hide_password=False) for s, n in servers.items()
        },
        baseline_urls={
            v: url.set(database=n).render_as_string(hide_password=False) for v, n in bases.items()
        },
        admin_url=admin_url,
    )
    for name in [*servers.values(), *bases.values()]:
        asyncio.run(_admin_exec(admin_url, [f"CREATE DATABASE {name}"]))
        dbs.created.append(name)
    return dbs


def drop_databases(dbs: BenchDatabases) -> None:
    if not dbs.created or dbs.admin_url is None:
        return
    force = " WITH (FORCE)" if dbs.kind == "postgresql" else ""
    stmts = [f"DROP DATABASE IF EXISTS {name}{force}" for name in dbs.created]
    try:
        asyncio.run(_admin_exec(dbs.admin_url, stmts))
        dbs.created.clear()
    except Exception as exc:  # report, never mask the real outcome
        print(f"warning: could not drop bench databases {dbs.created}: {exc}", file=sys.stderr)
