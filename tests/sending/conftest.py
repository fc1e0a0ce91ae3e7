from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.cloud.helpers import FakeGraph, start_graph
from tests.conftest import App
from tests.tokens.test_tokens import bearer, make_token


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraph]:
    fake, runner = await start_graph()
    try:
        yield fake
    finally:
        await runner.cleanup()


@pytest.fixture
async def sender(app: App, admin: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """An integration's client: a Bearer token with the `send` and `read` scopes."""
    secret = (await make_token(admin, "send", "read"))["secret"]
    async with bearer(app, secret) as client:
        yield client
