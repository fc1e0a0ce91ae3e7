"""The activity log in a real browser: an admin's change shows with its before and after."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from tests.e2e.steps import open_chat


async def test_a_new_area_shows_in_the_activity_log(live_server: Any, browser_context: Any) -> None:
    base = live_server.url
    page = await open_chat(browser_context, base)
    await page.goto(f"{base}/areas")
    await page.get_by_test_id("area-name-input").fill("Auditoría")
    await page.get_by_test_id("area-create").click()
    await expect(page.get_by_test_id("area-name").filter(has_text="Auditoría")).to_be_visible()
    await page.goto(f"{base}/audit")
    await page.get_by_test_id("audit-kind").fill("area.created")
    row = page.locator('[data-testid="audit-row"][data-kind="area.created"]').first
    await expect(row).to_contain_text("Auditoría")
    await expect(row.get_by_test_id("audit-change")).to_contain_text("name")
