"""The Sessions screen in a real browser: two browsers logged in as the same user, one logs
the other out. Also: the console runs under its Content-Security-Policy with no violation."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect

from tests.e2e.steps import ADMIN, TIMEOUT_MS, login, open_chat


async def test_log_out_the_other_browser(live_server: Any, browser_context: Any) -> None:
    base = live_server.url
    violations: list[str] = []
    browser_context.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    here = await open_chat(browser_context, base)
    other_context = await browser_context.browser.new_context(locale="en-US")
    other_context.set_default_timeout(TIMEOUT_MS)
    try:
        there = await other_context.new_page()
        await login(there, base, *ADMIN)
        await expect(there).to_have_url(re.compile(r"/chat$"))

        await here.goto(f"{base}/sessions")
        rows = here.get_by_test_id("session-row")
        await expect(here.get_by_test_id("sessions-page")).to_be_visible()
        # The list loads after the page shows: wait for it before counting.
        await expect(
            here.locator('[data-testid="session-row"][data-current="true"]')
        ).to_have_count(1)
        assert await rows.count() >= 2
        await expect(here.get_by_test_id("session-current")).to_have_text(re.compile("this device"))

        await here.get_by_test_id("sessions-logout-others").click()
        await here.get_by_test_id("sessions-confirm-others").click()
        await expect(rows).to_have_count(1)
        await expect(rows.first).to_have_attribute("data-current", "true")
        await expect(here.get_by_test_id("sessions-logout-others")).to_be_disabled()

        # The other browser is logged out: its next page asks for a login.
        await there.reload()
        await expect(there).to_have_url(re.compile(r"/login"))
    finally:
        await other_context.close()
    assert violations == []
