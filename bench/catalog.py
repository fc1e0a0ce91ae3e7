"""Catalog listing and search with 10,000 products: p95 of each query over HTTP against a
`helpline demo` server, beside the same SQL run directly on the database (the baseline,
measured in the same run).

    python -m bench.catalog [--products 10000] [--requests 200]

Target (issue 14): listing and search p95 ≤ 50 ms. A miss is printed, not failed.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import insert

from bench.ingest.common import BenchError, free_port, timed
from bench.ingest.load import login
from bench.ingest.server import Server
from helpline.catalog import service
from helpline.catalog.models import Category, Product
from helpline.catalog.schemas import ProductQuery
from helpline.clock import utcnow
from helpline.db import Database

TARGET_P95_MS = 50.0
WORDS = ("Laptop", "Phone", "Cable", "Mouse", "Monitor", "Keyboard", "Chair", "Desk", "Lamp")


async def seed(url: str, products: int) -> list[int]:
    """Categories and products straight into the database (the API is not what is timed)."""
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            now = utcnow()
            rows = [
                {"name": w, "position": i, "created_at": now, "updated_at": now}
                for i, w in enumerate(WORDS)
            ]
            await conn.execute(insert(Category), rows)
            ids = list((await conn.execute(Category.__table__.select())).scalars())
            rng = random.Random(14)
            batch = [
                {
                    "sku": f"SKU-{n:06d}",
                    "name": f"{rng.choice(WORDS)} {rng.choice('ABCDEFGH')}{n}",
                    "price": Decimal(rng.randint(100, 999_999)) / 100,
                    "currency": "USD",
                    "category_id": rng.choice(ids),
                    "active": n % 10 != 0,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(products)
            ]
            for start in range(0, len(batch), 1000):
                await conn.execute(insert(Product), batch[start : start + 1000])
        return ids
    finally:
        await db.dispose()


def queries(category: int) -> dict[str, dict[str, Any]]:
    return {
        "list, page 1": {},
        "list, page 100": {"page": 100},
        "search 'lap' (many)": {"q": "lap"},
        "search a SKU (one)": {"q": "SKU-004242"},
        "category + active": {"categoryId": category, "active": "true"},
    }


async def run(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="helpline-bench-catalog-"))
    url = f"sqlite+aiosqlite:///{workdir / 'helpline.db'}"
    server = Server(workdir, url, free_port(), 1, None)
    server.start()
    try:
        async with aiohttp.ClientSession(server.base_url) as client:
            await server.wait_healthy(client)
            categories = await seed(url, args.products)
            cookie, _csrf = await login(client)
            headers = {"Cookie": cookie}

            async def http(params: dict[str, Any]) -> None:
                async with client.get("/api/products", params=params, headers=headers) as r:
                    body = await r.json()
                    if r.status != 200:
                        raise BenchError(f"GET /api/products {params}: {r.status} {body}")

            results: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
            db = Database(url)
            try:
                for name, params in queries(categories[0]).items():
                    query = ProductQuery.model_validate(params)

                    async def direct(query: ProductQuery = query) -> None:
                        async with db.sessionmaker() as session:
                            await service.list_products(session, query)

                    await http(params)  # warm
                    over_http = await timed(args.requests, lambda p=params: http(p))
                    results[name] = (over_http, await timed(args.requests, direct))
            finally:
                await db.dispose()
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return report(args, results)


def report(args: argparse.Namespace, results: dict[str, Any]) -> int:
    print(f"catalog: {args.products} products, {args.requests} sequential requests per query")
    print(f"{'query':24} {'HTTP p50':>9} {'HTTP p95':>9} {'SQL p95':>8}  target p95 ≤ 50 ms")
    missed = 0
    for name, (over_http, direct) in results.items():
        ok = over_http["p95_ms"] <= TARGET_P95_MS
        missed += not ok
        print(
            f"{name:24} {over_http['p50_ms']:>9.2f} {over_http['p95_ms']:>9.2f}"
            f" {direct['p95_ms']:>8.2f}  {'PASS' if ok else 'MISS'}"
        )
    print("SQL: the same service call (count + page) without HTTP, auth or JSON")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)
    try:
        return asyncio.run(run(args))
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
