"""Browser test of the Catalog screen: an admin creates a category and a product with a
picture, edits the price in place, and an agent's open catalog follows live (read-only)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.async_api import expect

from tests.e2e.steps import login
from tests.media.files import png

LAURA = ("laura", "Operador123!")  # a demo operator: reads the catalog only


async def open_catalog(context: Any, base: str, user: tuple[str, str]) -> Any:
    page = await context.new_page()
    await login(page, base, *user)
    await expect(page).to_have_url(re.compile(r"/chat$"))
    await page.get_by_test_id("nav-catalog").click()
    await expect(page.get_by_test_id("catalog-page")).to_be_visible()
    await expect(page.get_by_test_id("socket-status")).to_have_attribute("data-state", "connected")
    return page


async def test_create_and_edit_a_product_in_place(live_server: Any, browser_context: Any) -> None:
    base = live_server.url
    tag = uuid.uuid4().hex[:6]
    admin = await open_catalog(browser_context, base, ("test", "Test1234!"))
    # The agent logs in in a browser of their own (cookies are per context).
    agent_context = await browser_context.browser.new_context(
        locale="en-US", viewport={"width": 1280, "height": 800}
    )
    try:
        await _scenario(base, tag, admin, await open_catalog(agent_context, base, LAURA))
    finally:
        await agent_context.close()


async def _scenario(base: str, tag: str, admin: Any, agent: Any) -> None:
    category, sku = f"Laptops {tag}", f"LAP-{tag}"
    await expect(agent.get_by_test_id("catalog-new-product")).to_have_count(0)

    # A category, from the categories dialog.
    await admin.get_by_test_id("catalog-categories").click()
    await admin.get_by_test_id("category-name").fill(category)
    await admin.get_by_test_id("category-add").click()
    dialog = admin.get_by_test_id("categories-dialog")
    await expect(dialog.get_by_test_id("category-row").filter(has_text=category)).to_have_count(1)
    await admin.get_by_test_id("categories-close").click()

    # A product in it, with a picture.
    await admin.get_by_test_id("catalog-new-product").click()
    await admin.get_by_test_id("product-sku").fill(sku)
    await admin.get_by_test_id("product-name").fill(f"Gaming Laptop {tag}")
    await admin.get_by_test_id("product-price").fill("1299.90")
    await admin.get_by_test_id("product-category").select_option(label=category)
    await admin.get_by_test_id("product-stock").fill("3")
    await admin.get_by_test_id("product-image").set_input_files(
        {"name": "laptop.png", "mimeType": "image/png", "buffer": png(4, 4)}
    )
    await admin.get_by_test_id("product-save").click()
    await expect(admin.get_by_test_id("product-dialog")).to_have_count(0)

    await admin.get_by_test_id("catalog-search").fill(tag)
    row = admin.get_by_test_id("product-row").filter(has_text=sku)
    await expect(row).to_have_count(1)
    await expect(row.get_by_test_id("product-row-price")).to_have_text("$1,299.90")
    await expect(row.get_by_test_id("product-row-category")).to_have_value(re.compile(r"\d+"))
    await expect(row.locator("img")).to_have_attribute("src", re.compile(r"/image\?v="))

    # The agent's table shows it too (a live event), read-only.
    await agent.get_by_test_id("catalog-search").fill(tag)
    agent_row = agent.get_by_test_id("product-row").filter(has_text=sku)
    await expect(agent_row.get_by_test_id("product-row-price")).to_have_text("$1,299.90")

    # Edit the price in place: a bad value is refused where it was typed, a good one saved.
    await row.get_by_test_id("product-row-price").click()
    price_input = row.get_by_test_id("product-row-price-input")
    await price_input.fill("abc")
    await price_input.press("Enter")
    await expect(row.get_by_test_id("product-row-price-error")).to_be_visible()
    await price_input.fill("19,99")
    await price_input.press("Enter")
    await expect(row.get_by_test_id("product-row-price")).to_have_text("$19.99")

    # The agent sees the new price without reloading, and cannot edit it.
    await expect(agent_row.get_by_test_id("product-row-price")).to_have_text("$19.99")
    assert await agent_row.get_by_test_id("product-row-price").evaluate("e => e.tagName") == "SPAN"

    # And the server has it, exactly.
    response = await admin.request.get(f"{base}/api/products", params={"q": sku})
    assert [p["price"] for p in (await response.json())["items"]] == ["19.99"]
