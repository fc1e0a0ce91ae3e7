"""Shared setup of the browser tests: Debian's Chromium (never a downloaded browser),
skipped with a reason when it or the built console is missing."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.e2e.steps import CHROMIUM, CONSOLE_INDEX, TIMEOUT_MS


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    missing = []
    if shutil.which(CHROMIUM) is None:
        missing.append(f"Chromium not found at {CHROMIUM}")
    if not CONSOLE_INDEX.exists():
        missing.append("console not built (cd web && npm ci && npm run build)")
    for item in items:
        if "tests/e2e/" in str(item.path) and missing:
            item.add_marker(pytest.mark.skip(reason="; ".join(missing)))


@pytest.fixture
async def browser_context() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = await browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context
        finally:
            await context.close()
            await browser.close()
