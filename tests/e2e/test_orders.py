"""Orders in a real browser: an order is created from the Orders screen (customer, product,
quantity), moved through its statuses with the buttons, a second browser's list follows it
live, the stock follows, and the customer gets the "shipped" message."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from playwright.async_api import expect

from tests.e2e.steps import ADMIN, go_to, login, new_phone


async def _orders(context: Any, base: str) -> Any:
    page = await context.new_page()
    await login(page, base, *ADMIN)
    await expect(page.get_by_test_id("socket-status")).to_have_attribute("data-state", "connected")
    await go_to(page, "orders")
    await expect(page.get_by_test_id("orders-page")).to_be_visible()
    return page


async def test_order_from_creation_to_shipped(live_server: Any, browser_context: Any) -> None:
    base = live_server.url
    phone = new_phone()
    sku = f"E2E-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=base) as http:
        logged = await http.post(
            "/api/auth/login", json={"username": ADMIN[0], "password": ADMIN[1]}
        )
        http.headers["X-CSRF-Token"] = logged.json()["csrfToken"]
        sent = await http.post(
            "/api/sandbox/1/inbound", json={"from": phone, "name": "Rosa", "text": "hola"}
        )
        assert sent.status_code == 201, sent.text
        conv_id = sent.json()["conversation"]["id"]
        made = await http.post(
            "/api/products",
            json={"sku": sku, "name": "Termo", "price": "12.50", "currency": "ARS", "stock": 3},
        )
        assert made.status_code == 201, made.text
        product_id = made.json()["id"]
        told = await http.put(
            "/api/orders/status-messages",
            json=[{"status": "shipped", "enabled": True, "text": "Pedido #{number} enviado"}],
        )
        assert told.status_code == 200, told.text

        mine = await _orders(browser_context, base)
        other_context = await browser_context.browser.new_context(
            locale="en-US", viewport={"width": 1280, "height": 800}
        )
        try:
            theirs = await _orders(other_context, base)

            await mine.get_by_test_id("order-new").click()
            new = mine.get_by_test_id("new-order-dialog")
            await new.get_by_test_id("order-customer-search").fill(phone)
            await new.get_by_test_id("order-customer-results").get_by_role("button").first.click()
            await expect(new.get_by_test_id("order-customer-chosen")).to_contain_text("Rosa")
            await new.get_by_test_id("order-product-search").fill(sku)
            await (
                new.get_by_test_id("order-product-results").get_by_role("button", name=sku).click()
            )
            await new.get_by_test_id("order-line-quantity").fill("2")
            await new.get_by_test_id("order-create").click()
            await expect(new).to_have_count(0)

            dialog = mine.get_by_test_id("order-dialog")
            await expect(dialog.get_by_test_id("order-total")).to_contain_text("25")
            number = (await dialog.get_by_role("heading").first.inner_text()).split("#")[-1]
            # The other browser's list gets it live.
            row = theirs.get_by_test_id("order-row").filter(has_text=f"#{number}")
            await expect(row).to_have_attribute("data-status", "pending")

            for status in ("confirmed", "preparing", "shipped"):
                await dialog.get_by_test_id(f"order-to-{status}").click()
                await expect(row).to_have_attribute("data-status", status)
            await expect(dialog.get_by_test_id("order-history").locator("li")).to_have_count(4)
            await expect(dialog.get_by_test_id("order-to-delivered")).to_be_visible()
            await expect(dialog.get_by_test_id("order-to-cancelled")).to_have_count(0)

            # Filtering by status keeps it under "shipped" only.
            await theirs.get_by_test_id("orders-status-filter").select_option("pending")
            await expect(row).to_have_count(0)
            await theirs.get_by_test_id("orders-status-filter").select_option("shipped")
            await expect(row).to_have_count(1)
        finally:
            await other_context.close()

        product = (await http.get(f"/api/products/{product_id}")).json()
        assert product["stock"] == 1
        messages = (await http.get(f"/api/conversations/{conv_id}/messages")).json()["items"]
        assert f"Pedido #{number} enviado" in [m["body"] for m in messages]
        # Leave the demo's settings as they were for the other tests.
        await http.put(
            "/api/orders/status-messages",
            json=[{"status": "shipped", "enabled": False, "text": "Pedido #{number} enviado"}],
        )
