"""Shutdown ends even when one of its steps does not: a stuck step would hold a deploy."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import pytest
from asgi_lifespan import LifespanManager

import helpline.app
from helpline.app import create_app
from helpline.db import Database
from tests.conftest import make_settings


async def test_a_step_that_ignores_cancellation_does_not_hold_shutdown(
    db_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    release = asyncio.Event()

    async def stuck(db: Database) -> None:
        # Like a driver waiting on a dead connection: cancelling it changes nothing.
        while not release.is_set():
            with contextlib.suppress(asyncio.CancelledError):
                await release.wait()

    monkeypatch.setattr(helpline.app, "forget_node", stuck)
    monkeypatch.setattr(helpline.app, "SHUTDOWN_GRACE_SECONDS", 0.2)
    asgi = create_app(make_settings(db_url))
    with caplog.at_level(logging.WARNING, logger="helpline.app"):
        async with LifespanManager(asgi, startup_timeout=60, shutdown_timeout=5):
            started = time.monotonic()
    release.set()
    assert time.monotonic() - started < 5
    assert "forgetting this node's sockets did not end" in caplog.text
