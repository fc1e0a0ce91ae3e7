"""Contact search with 100,000 contacts, and a CSV import of 100,000 rows, against a
`helpline demo` server: p95 of each search over HTTP beside the same service call run
directly on the database (the baseline, measured in the same run), and the import's wall
time.

    python -m bench.contacts [--contacts 100000] [--requests 200] [--import-rows 100000]
                             [--postgres]

Targets (issue 17): search p95 ≤ 50 ms on SQLite and PostgreSQL; an import of 100,000
rows ≤ 30 s. A miss is printed, not failed. `--postgres` uses a throw-away database on
127.0.0.1:5432 (user postgres, trust), else a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.ingest.common import BenchError, free_port, timed
from bench.ingest.load import login
from bench.ingest.server import Server
from helpline.auth.models import User
from helpline.clock import utcnow
from helpline.contacts.models import Contact
from helpline.contacts.schemas import ContactQuery
from helpline.customers import directory
from helpline.db import Database

TARGET_P95_MS = 50.0
TARGET_IMPORT_S = 30.0
PG_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
NAMES = ("Ana", "Bruno", "Carla", "Diego", "Elena", "Facundo", "Gabriela", "Hugo", "Inés")
SURNAMES = ("García", "López", "Martínez", "Pérez", "Gómez", "Díaz", "Romero", "Sosa")


def phone(n: int) -> str:
    return f"+54911{n:08d}"


async def seed(url: str, contacts: int) -> None:
    """Contacts straight into the database (the API is not what is timed)."""
    db = Database(url)
    try:
        rng = random.Random(17)
        now = utcnow()
        async with db.engine.begin() as conn:
            for start in range(0, contacts, 2000):
                batch = [
                    {
                        "phone": phone(n),
                        "name": f"{rng.choice(NAMES)} {rng.choice(SURNAMES)} {n}",
                        "email": f"cliente{n}@example.com",
                        "document": str(20_000_000 + n),
                        "created_at": now,
                        "updated_at": now,
                    }
                    for n in range(start, min(start + 2000, contacts))
                ]
                await conn.execute(insert(Contact), batch)
    finally:
        await db.dispose()


def searches(contacts: int) -> dict[str, dict[str, Any]]:
    some = contacts // 2
    return {
        "list, page 1": {},
        "name 'garcía' (many)": {"q": "garcía"},
        "full phone +54 9 11…": {"q": f"+54 9 11 {some:08d}"},
        "phone digits (part)": {"q": f"{some:08d}"[-6:]},
        "email (one)": {"q": f"cliente{some}@example.com"},
        "document (one)": {"q": str(20_000_000 + some)},
    }


def csv_file(rows: int, offset: int) -> bytes:
    out = io.StringIO()
    out.write("phone,name,email,company\n")
    for n in range(offset, offset + rows):
        out.write(f"{phone(n)},Importado {n},importado{n}@example.com,Empresa {n % 97}\n")
    return out.getvalue().encode()


async def database(args: argparse.Namespace, workdir: Path) -> tuple[str, str | None]:
    """The bench's database URL, and the PostgreSQL database to drop afterwards."""
    if not args.postgres:
        return f"sqlite+aiosqlite:///{workdir / 'helpline.db'}", None
    name = f"helpline_bench_contacts_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}", name


async def drop(name: str) -> None:
    admin = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


async def run(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="helpline-bench-contacts-"))
    url, pg_name = await database(args, workdir)
    server = Server(workdir, url, free_port(), 1, None)
    server.start()
    try:
        async with aiohttp.ClientSession(server.base_url) as client:
            await server.wait_healthy(client)
            await seed(url, args.contacts)
            cookie, csrf = await login(client)
            headers = {"Cookie": cookie}
            results = await search_all(args, url, client, headers)
            imported = await import_csv(args, client, {**headers, "X-CSRF-Token": csrf})
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        if pg_name is not None:
            await drop(pg_name)
    return report(args, results, imported)


async def search_all(
    args: argparse.Namespace, url: str, client: aiohttp.ClientSession, headers: dict[str, str]
) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    async def http(params: dict[str, Any]) -> None:
        async with client.get("/api/contacts", params=params, headers=headers) as r:
            body = await r.json()
            if r.status != 200:
                raise BenchError(f"GET /api/contacts {params}: {r.status} {body}")

    results: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    db = Database(url)
    try:
        async with db.sessionmaker() as session:
            admin = await session.scalar(select(User).where(User.username == "test"))
        if admin is None:
            raise BenchError("the demo admin 'test' is missing")
        for name, params in searches(args.contacts).items():
            query = ContactQuery.model_validate(params)

            async def direct(query: ContactQuery = query, user: User = admin) -> None:
                async with db.sessionmaker() as session:
                    await directory.list_contacts(session, user, query, "")

            await http(params)  # warm
            over_http = await timed(args.requests, lambda p=params: http(p))
            results[name] = (over_http, await timed(args.requests, direct))
    finally:
        await db.dispose()
    return results


async def import_csv(
    args: argparse.Namespace, client: aiohttp.ClientSession, headers: dict[str, str]
) -> tuple[float, dict[str, Any]] | None:
    if args.import_rows <= 0:
        return None
    form = aiohttp.FormData()
    body = csv_file(args.import_rows, offset=args.contacts)
    form.add_field("file", body, filename="contacts.csv", content_type="text/csv")
    start = time.perf_counter()
    async with client.post("/api/contacts/import", data=form, headers=headers) as r:
        answer = await r.json()
        if r.status != 200:
            raise BenchError(f"POST /api/contacts/import: {r.status} {answer}")
    return time.perf_counter() - start, answer


def report(
    args: argparse.Namespace,
    results: dict[str, tuple[dict[str, Any], dict[str, Any]]],
    imported: tuple[float, dict[str, Any]] | None,
) -> int:
    kind = "PostgreSQL" if args.postgres else "SQLite"
    print(f"contacts: {args.contacts} on {kind}, {args.requests} sequential requests per search")
    print(f"{'search':24} {'HTTP p50':>9} {'HTTP p95':>9} {'SQL p95':>8}  target p95 ≤ 50 ms")
    for name, (over_http, direct) in results.items():
        verdict = "PASS" if over_http["p95_ms"] <= TARGET_P95_MS else "MISS"
        print(
            f"{name:24} {over_http['p50_ms']:>9.2f} {over_http['p95_ms']:>9.2f}"
            f" {direct['p95_ms']:>8.2f}  {verdict}"
        )
    print("SQL: the same service call (count + page) without HTTP, auth or JSON")
    if imported is not None:
        seconds, answer = imported
        verdict = "PASS" if seconds <= TARGET_IMPORT_S else "MISS"
        counts = {k: v for k, v in answer.items() if isinstance(v, int)}
        print(f"CSV import of {args.import_rows} rows: {seconds:.1f} s {counts}  {verdict}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args(argv)
    try:
        return asyncio.run(run(args))
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
