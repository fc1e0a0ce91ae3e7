from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.cloud.helpers import FakeGraph, start_graph


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraph]:
    fake, runner = await start_graph()
    try:
        yield fake
    finally:
        await runner.cleanup()
