"""Browser tests of the console's admin screens (areas, users) and of the conversation
actions in the message pane (transfer, timeline), against a real `helpline demo` server.

Same setup as test_console.py: Debian's Chromium through Playwright, the console built into
helpline/console_dist, the data-testid hooks.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.async_api import expect

from tests.e2e.steps import ADMIN, customer_writes, go_to, login, new_phone, open_chat


async def test_admin_creates_an_area_and_a_user_in_it(
    live_server: Any,
    browser_context: Any,
) -> None:
    page = await browser_context.new_page()
    await login(page, live_server.url, *ADMIN)
    await expect(page).to_have_url(re.compile(r"/chat$"))

    # Areas screen: create "Facturación".
    await go_to(page, "areas")
    await expect(page).to_have_url(re.compile(r"/areas$"))
    await expect(page.get_by_test_id("area-row").filter(has_text="Soporte")).to_have_count(1)
    await page.get_by_test_id("area-name-input").fill("Facturación")
    await page.get_by_test_id("area-description-input").fill("Facturas y cobros")
    await page.get_by_test_id("area-create").click()
    area_row = page.get_by_test_id("area-row").filter(has_text="Facturación")
    await expect(area_row).to_have_count(1)
    await expect(area_row).to_contain_text("Facturas y cobros")
    await expect(area_row.get_by_test_id("area-active-toggle")).to_be_checked()
    await expect(page.get_by_test_id("area-name-input")).to_have_value("")
    area_id = await area_row.get_attribute("data-area-id")
    assert area_id

    # Users screen: create "marta" with Facturación as her default area.
    await go_to(page, "users")
    await expect(page).to_have_url(re.compile(r"/users$"))
    await expect(page.get_by_test_id("user-row").filter(has_text="laura")).to_have_count(1)
    await page.get_by_test_id("user-new").click()
    await page.get_by_test_id("user-username").fill("marta")
    await page.get_by_test_id("user-name").fill("Marta Díaz")
    await page.get_by_test_id("user-email").fill("marta@example.com")
    await page.get_by_test_id("user-password").fill("Marta1234!")
    await page.get_by_test_id("user-role").select_option("OPERATOR")
    area_box = page.locator(f'[data-testid="user-area-checkbox"][data-area-id="{area_id}"]')
    default_radio = page.locator(f'[data-testid="user-default-area"][data-area-id="{area_id}"]')
    await expect(default_radio).to_be_disabled()
    await area_box.check()
    await default_radio.check()
    await expect(default_radio).to_be_checked()
    await page.get_by_test_id("user-save").click()
    await expect(page.get_by_test_id("user-form")).to_have_count(0)

    marta = page.get_by_test_id("user-row").filter(has_text="marta@example.com")
    await expect(marta).to_have_count(1)
    await expect(marta).to_contain_text("Marta Díaz")
    default_area = marta.locator(f'[data-testid="user-area"][data-area-id="{area_id}"]')
    await expect(default_area).to_have_text(re.compile("Facturación"))
    await expect(default_area).to_have_attribute("data-default", "true")

    # Both survive a reload (they come from the server, not local state).
    await page.reload()
    await expect(
        page.get_by_test_id("user-row").filter(has_text="marta@example.com")
    ).to_have_count(1)
    await go_to(page, "areas")
    await expect(page.get_by_test_id("area-row").filter(has_text="Facturación")).to_have_count(1)


async def test_admin_transfers_a_conversation_to_an_area(
    live_server: Any,
    browser_context: Any,
) -> None:
    base = live_server.url
    phone = new_phone()
    hello = f"necesito ayuda {uuid.uuid4().hex[:6]}"
    note = "Problema técnico con la factura"

    chat = await open_chat(browser_context, base)

    await customer_writes(browser_context, base, phone, "Bruno", hello)

    item = chat.get_by_test_id("conversation-item").filter(has_text=phone)
    await expect(item).to_have_count(1)
    await item.click()
    await expect(chat.get_by_test_id("message").filter(has_text=hello)).to_be_visible()

    # Transfer to the "Soporte" queue with a note.
    await chat.get_by_test_id("transfer-conversation").click()
    await chat.get_by_test_id("transfer-target-area").check()
    await chat.get_by_test_id("transfer-area-select").select_option(label="Soporte")
    await chat.get_by_test_id("transfer-note").fill(note)
    await chat.get_by_test_id("transfer-confirm").click()
    await expect(chat.get_by_test_id("transfer-dialog")).to_have_count(0)

    # The header shows the new area; the conversation waits unassigned in that queue.
    await expect(chat.get_by_test_id("pane-area")).to_have_text(re.compile("Soporte"))
    await expect(chat.get_by_test_id("conversation-status")).to_have_attribute(
        "data-status", "pending"
    )
    await expect(chat.get_by_test_id("take-conversation")).to_be_visible()

    # The timeline has the transfer, with its note.
    await chat.get_by_test_id("toggle-timeline").click()
    transferred = chat.locator('[data-testid="timeline-event"][data-type="transferred"]')
    await expect(transferred).to_have_count(1)
    await expect(transferred).to_contain_text("Soporte")
    await expect(transferred).to_contain_text(note)
    await expect(transferred).to_contain_text("Test Admin")
