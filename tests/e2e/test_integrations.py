"""The Integrations screen in a real browser: an admin adds a webhook for a local receiver,
a customer writes in the phone simulator, the receiver gets the signed event and the
screen shows the delivery; a test event, a pause and the removal follow."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from helpline.integrations.signing import HEADER, verify
from tests.conftest import eventually
from tests.e2e.steps import customer_writes, go_to, new_phone, open_chat
from tests.integrations.receiver import Receiver


async def test_a_webhook_made_in_the_console_gets_signed_events(
    live_server: Any, browser_context: Any
) -> None:
    base = live_server.url
    receiver = Receiver()
    await receiver.start()
    try:
        page = await open_chat(browser_context, base)
        await go_to(page, "integrations")
        await page.get_by_test_id("webhook-name").fill("CRM")
        await page.get_by_test_id("webhook-url").fill(receiver.url)
        await page.get_by_test_id("webhook-event-message.received").check()
        await page.get_by_test_id("webhook-save").click()
        secret = (await page.get_by_test_id("webhook-secret").inner_text()).strip()
        assert secret.startswith("whsec_")
        row = page.get_by_test_id("webhook-row").filter(has_text="CRM")
        await expect(row).to_contain_text("message.received")

        await customer_writes(browser_context, base, new_phone(), "Lucía", "¿Abren el sábado?")

        async def arrived() -> bool:
            return bool(receiver.events("message.received"))

        await eventually(arrived, within=20)
        got = receiver.events("message.received")[0]
        assert verify(secret, got.headers[HEADER], got.body)
        assert got.json["data"]["message"]["body"] == "¿Abren el sábado?"

        await row.get_by_test_id("webhook-deliveries").click()
        card = page.get_by_test_id("webhook-deliveries-card")
        delivered = card.get_by_test_id("delivery-row").filter(has_text="message.received")
        await expect(delivered).to_have_attribute("data-status", "delivered", timeout=15_000)
        await expect(delivered.get_by_test_id("delivery-code")).to_have_text("200")

        await card.get_by_test_id("webhook-test").click()
        test_row = card.get_by_test_id("delivery-row").filter(has_text="webhook.test")
        await expect(test_row).to_have_attribute("data-status", "delivered", timeout=15_000)
        assert receiver.events("webhook.test")

        await row.get_by_test_id("webhook-edit").click()
        await page.get_by_test_id("webhook-active").uncheck()
        await page.get_by_test_id("webhook-save").click()
        await expect(row).to_contain_text("Paused")

        await row.get_by_test_id("webhook-delete").click()
        await page.get_by_test_id("webhook-delete-confirm").click()
        await expect(page.get_by_test_id("webhook-row")).to_have_count(0)
    finally:
        await receiver.stop()
