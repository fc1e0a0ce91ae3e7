"""Fixtures of the fault tests: a fresh database per test for a desk in its own process, and
the fake Graph API that can be taken down."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import (
    PG_ADMIN_URL,
    REQUIRE_ALL,
    _backend_report,
    _create_server_database,
    _drop_server_database,
)
from tests.faults.harness import FlakyGraph, start_flaky_graph


async def fresh_database(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database for a desk process (which migrates it itself)."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'helpline.db'}"
        return
    name = f"helpline_faults_{uuid.uuid4().hex[:10]}"
    try:
        url = await _create_server_database(PG_ADMIN_URL, name)
    except Exception as exc:  # unreachable server
        _backend_report[backend] = f"NOT RUN ({type(exc).__name__}: {exc})"
        if REQUIRE_ALL:
            pytest.fail(f"{backend} is required (HELPLINE_REQUIRE_DBS=1) but unreachable: {exc}")
        pytest.skip(f"{backend} not reachable: {exc}")
    try:
        yield url
    finally:
        await _drop_server_database(PG_ADMIN_URL, name)


@pytest.fixture
async def graph() -> AsyncIterator[FlakyGraph]:
    fake, runner = await start_flaky_graph()
    try:
        yield fake
    finally:
        fake.back_up()
        await runner.cleanup()
