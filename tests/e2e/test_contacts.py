"""Browser test of the customer beside the chat: open a conversation, open the customer
panel, edit the customer in place (a field and a tag), and label the conversation."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from playwright.async_api import expect

from tests.conftest import login
from tests.e2e.steps import ADMIN, customer_writes, new_phone, open_chat


async def test_customer_panel_and_labels(live_server: Any, browser_context: Any) -> None:
    base = live_server.url
    tag = uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(base_url=base) as admin:
        await login(admin, *ADMIN)
        made = await admin.post("/api/labels", json={"name": f"urgent {tag}", "color": "#dc2626"})
        assert made.status_code == 201, made.text
    phone = new_phone()
    hello = f"hola {tag}"
    chat = await open_chat(browser_context, base)
    await customer_writes(browser_context, base, phone, "Lucía", hello)
    item = chat.get_by_test_id("conversation-item").filter(has_text=phone)
    await item.click()
    await expect(chat.get_by_test_id("message").filter(has_text=hello)).to_have_count(1)

    # The panel opens from its button and shows the customer.
    await chat.get_by_test_id("toggle-customer-panel").click()
    panel = chat.get_by_test_id("customer-panel")
    await expect(panel).to_be_visible()
    await expect(panel.get_by_test_id("contact-phone")).to_have_value(phone)

    # Edited in place: a field saves when it loses focus, a tag on Enter.
    email = f"lucia.{tag}@example.com"
    await panel.get_by_test_id("contact-email").fill(email)
    await panel.get_by_test_id("contact-email").press("Enter")
    await panel.get_by_test_id("contact-tag-input").fill("vip")
    await panel.get_by_test_id("contact-tag-input").press("Enter")
    await expect(panel.get_by_test_id("contact-tag")).to_have_text(["vip×"])
    await expect(panel.get_by_test_id("contact-email")).to_have_value(email)
    # A new name shows at once in the chat's header and the list.
    await panel.get_by_test_id("contact-name").fill(f"Lucía {tag}")
    await panel.get_by_test_id("contact-name").press("Enter")
    await expect(chat.get_by_test_id("pane-contact")).to_have_text(f"Lucía {tag}")
    await expect(item.get_by_test_id("conversation-name")).to_have_text(f"Lucía {tag}")

    # A label from the chat's header: a coloured chip there and in the list.
    await chat.get_by_test_id("label-add").select_option(label=f"urgent {tag}")
    pane_labels = chat.get_by_test_id("conversation-labels")
    await expect(pane_labels.get_by_test_id("label-chip")).to_contain_text([f"urgent {tag}"])
    await expect(item.get_by_test_id("label-chip")).to_contain_text([f"urgent {tag}"])

    # The server has it all, and the panel stays open after a reload (remembered).
    async with httpx.AsyncClient(base_url=base) as admin:
        await login(admin, *ADMIN)
        found = (await admin.get("/api/contacts", params={"q": phone})).json()["items"]
        assert [(c["email"], c["tags"]) for c in found] == [(email, ["vip"])]
    await chat.reload()
    await expect(chat.get_by_test_id("customer-panel")).to_be_visible()
    await chat.keyboard.press("Alt+c")
    await expect(chat.get_by_test_id("customer-panel")).to_have_count(0)


async def test_an_admin_erases_a_customer_after_confirming(
    live_server: Any, browser_context: Any
) -> None:
    base = live_server.url
    phone = new_phone()
    async with httpx.AsyncClient(base_url=base) as admin:
        await login(admin, *ADMIN)
        sent = await admin.post("/api/sandbox/1/inbound", json={"from": phone, "text": "borrame"})
        assert sent.status_code == 201, sent.text
        contact_id = sent.json()["conversation"]["contact"]["id"]
        page = await open_chat(browser_context, base)
        await page.goto(f"{base}/contacts/{contact_id}")
        await page.get_by_test_id("contact-erase").click()
        dialog = page.get_by_test_id("contact-erase-dialog")
        await expect(dialog.get_by_test_id("contact-erase-counts")).to_contain_text(
            "1 conversation"
        )
        submit = dialog.get_by_test_id("contact-erase-submit")
        await expect(submit).to_be_disabled()
        await dialog.get_by_test_id("contact-erase-confirm").fill(phone)
        await submit.click()
        await expect(page).to_have_url(f"{base}/contacts")
        assert (await admin.get(f"/api/contacts/{contact_id}")).status_code == 404
