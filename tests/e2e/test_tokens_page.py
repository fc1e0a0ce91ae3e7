"""The API tokens screen in a real browser: an admin makes a token, copies it, another
system calls the API with it, and revoking it in the screen shuts that system out."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.async_api import expect

from tests.e2e.steps import open_chat


async def test_make_use_and_revoke_a_token(live_server: Any, browser_context: Any) -> None:
    base = live_server.url
    page = await open_chat(browser_context, base)
    await page.goto(f"{base}/tokens")
    await page.get_by_test_id("token-name").fill("Tienda online")
    await page.get_by_test_id("token-scope-send").check()
    await page.get_by_test_id("token-create").click()
    secret = (await page.get_by_test_id("token-secret").inner_text()).strip()
    assert secret.startswith("hlp_")
    row = page.get_by_test_id("token-row").filter(has_text="Tienda online")
    await expect(row).to_contain_text("Read, Send messages")

    headers = {"Authorization": f"Bearer {secret}"}
    async with httpx.AsyncClient(base_url=base, headers=headers) as shop:
        assert (await shop.get("/api/areas")).status_code == 200
        await row.get_by_test_id("token-revoke").click()
        await expect(row.get_by_test_id("token-revoked")).to_be_visible()
        refused = await shop.get("/api/areas")
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]
