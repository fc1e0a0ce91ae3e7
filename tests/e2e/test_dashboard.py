"""The dashboard in a real browser: a customer's message moves the figures without a reload."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.async_api import expect

from tests.e2e.steps import ADMIN, new_phone, open_chat


async def test_messages_in_goes_up_live(live_server: Any, browser_context: Any) -> None:
    base = live_server.url
    page = await open_chat(browser_context, base)
    await page.get_by_test_id("nav-dashboard").click()
    inbound = page.get_by_test_id("dash-in")
    await expect(inbound).to_have_text(re.compile(r"^\d+$"))
    before = int(await inbound.inner_text())
    channel_in = page.get_by_test_id("dash-channel-1-in")
    channel_before = int(await channel_in.inner_text())
    # A page that reloaded would lose this.
    await page.evaluate("window.__stillHere = true")

    async with httpx.AsyncClient(base_url=base) as api:
        login = await api.post("/api/auth/login", json={"username": ADMIN[0], "password": ADMIN[1]})
        api.headers["X-CSRF-Token"] = login.json()["csrfToken"]
        sent = await api.post(
            "/api/sandbox/1/inbound", json={"from": new_phone(), "name": "Live", "text": "hola"}
        )
        assert sent.status_code == 201, sent.text

    await expect(inbound).to_have_text(str(before + 1))
    await expect(channel_in).to_have_text(str(channel_before + 1))
    assert await page.evaluate("window.__stillHere === true")
    await expect(page.get_by_test_id("dash-areas")).to_be_visible()
    await expect(page.get_by_test_id("dash-agents")).to_be_visible()
