from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from helpline.channels.providers.wppconnect import provider as wppconnect
from tests.gateway.helpers import FakeEvolution, FakeWpp, start_evolution, start_wpp


@pytest.fixture
async def wpp() -> AsyncIterator[FakeWpp]:
    fake, runner = await start_wpp()
    # Tokens are kept per process by (base URL, session): each fake starts without any.
    wppconnect._TOKENS.clear()
    try:
        yield fake
    finally:
        await runner.cleanup()


@pytest.fixture
async def evolution() -> AsyncIterator[FakeEvolution]:
    fake, runner = await start_evolution()
    try:
        yield fake
    finally:
        await runner.cleanup()
