"""The sales pipeline in a real browser: a deal is created from the board, carried to the
next stage with the keyboard and dragged with the mouse, and a second browser sees it move
live."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from playwright.async_api import expect

from tests.e2e.steps import ADMIN, customer_writes, login, new_phone, open_chat


async def _board(context: Any, base: str) -> Any:
    page = await context.new_page()
    await login(page, base, *ADMIN)
    await page.get_by_test_id("nav-pipeline").click()
    await expect(page.get_by_test_id("pipeline-board")).to_be_visible()
    await expect(page.get_by_test_id("socket-status")).to_have_attribute("data-state", "connected")
    return page


def _column(page: Any, index: int) -> Any:
    return page.get_by_test_id("stage-column").nth(index)


async def test_deal_moves_on_every_open_board(live_server: Any, browser_context: Any) -> None:
    base = live_server.url
    phone = new_phone()
    title = f"Plan anual {uuid.uuid4().hex[:6]}"
    async with httpx.AsyncClient(base_url=base) as http:
        logged = await http.post(
            "/api/auth/login", json={"username": ADMIN[0], "password": ADMIN[1]}
        )
        http.headers["X-CSRF-Token"] = logged.json()["csrfToken"]
        sent = await http.post(
            "/api/sandbox/1/inbound", json={"from": phone, "name": "Marta", "text": "hola"}
        )
        assert sent.status_code == 201, sent.text

    mine = await _board(browser_context, base)
    other_context = await browser_context.browser.new_context(
        locale="en-US", viewport={"width": 1280, "height": 800}
    )
    try:
        theirs = await _board(other_context, base)

        # Create the deal from the board, picking the customer by phone.
        await mine.get_by_test_id("deal-new").click()
        dialog = mine.get_by_test_id("deal-dialog")
        await dialog.get_by_test_id("deal-title").fill(title)
        await dialog.get_by_test_id("deal-contact-search").fill(phone)
        await dialog.get_by_test_id("deal-contact-option").filter(has_text=phone).click()
        await dialog.get_by_test_id("deal-value").fill("1500.50")
        await dialog.get_by_test_id("deal-currency").fill("ARS")
        await dialog.get_by_test_id("deal-save").click()
        await expect(dialog).to_have_count(0)

        card = _column(mine, 0).get_by_test_id("deal-card").filter(has_text=title)
        await expect(card).to_contain_text("1,500.50")
        # The other browser gets it live, with the column's total.
        their_card = _column(theirs, 0).get_by_test_id("deal-card").filter(has_text=title)
        await expect(their_card).to_have_count(1)
        await expect(_column(theirs, 0).get_by_test_id("stage-total")).to_contain_text("1,500.50")

        # Keyboard: focus the card, Space picks it up, → carries it, Space drops it.
        await card.focus()
        await mine.keyboard.press("Space")
        await expect(card).to_have_attribute("aria-pressed", "true")  # picked up
        await mine.keyboard.press("ArrowRight")
        await expect(_column(mine, 1)).to_have_class(re.compile("stage-column-over"))
        await mine.keyboard.press("Space")
        moved = _column(mine, 1).get_by_test_id("deal-card").filter(has_text=title)
        await expect(moved).to_have_count(1)
        await expect(
            _column(theirs, 1).get_by_test_id("deal-card").filter(has_text=title)
        ).to_have_count(1)
        await expect(their_card).to_have_count(0)

        # Mouse: drag it on to the third column.
        box = await moved.bounding_box()
        target = await _column(mine, 2).bounding_box()
        assert box and target
        await mine.mouse.move(box["x"] + 20, box["y"] + 10)
        await mine.mouse.down()
        await mine.mouse.move(box["x"] + 40, box["y"] + 20, steps=5)
        await mine.mouse.move(target["x"] + target["width"] / 2, target["y"] + 120, steps=15)
        await mine.mouse.up()
        await expect(
            _column(theirs, 2).get_by_test_id("deal-card").filter(has_text=title)
        ).to_have_count(1)

        # Its history shows both moves.
        await (
            _column(mine, 2)
            .get_by_test_id("deal-card")
            .filter(has_text=title)
            .get_by_test_id("deal-open")
            .click()
        )
        history = mine.get_by_test_id("deal-history")
        await history.locator("summary").click()
        await expect(history.locator("li")).to_have_count(3)
        await mine.keyboard.press("Escape")

        # An admin adds a stage: the other board grows a column; empty, it can go again.
        extra = f"Extra {uuid.uuid4().hex[:4]}"
        await mine.get_by_test_id("pipeline-settings").click()
        settings = mine.get_by_test_id("stages-dialog")
        await settings.get_by_test_id("stage-new-name").fill(extra)
        await settings.get_by_test_id("stage-new-name").press("Enter")
        their_extra = theirs.locator(f'[data-testid="stage-column"][data-stage-name="{extra}"]')
        await expect(their_extra).to_have_count(1)
        # By the row's saved name: an input's value attribute is not its current value (React
        # DOM mirrors it, Preact does not).
        row = settings.locator(f'[data-testid="stage-edit-row"][data-stage-name="{extra}"]')
        await row.get_by_test_id("stage-delete").click()
        await expect(their_extra).to_have_count(0)
    finally:
        await other_context.close()


async def test_a_deal_is_made_from_the_chat_and_shows_on_the_contact(
    live_server: Any, browser_context: Any
) -> None:
    """Issue 17: "create a deal from the chat's customer panel"; the contact's page lists it."""
    base = live_server.url
    phone = new_phone()
    title = f"Renovación {uuid.uuid4().hex[:6]}"
    chat = await open_chat(browser_context, base)
    await customer_writes(browser_context, base, phone, "Rocío", "quiero renovar")
    await chat.get_by_test_id("conversation-item").filter(has_text=phone).click()
    await chat.get_by_test_id("toggle-customer-panel").click()
    panel = chat.get_by_test_id("customer-panel")
    deals = panel.get_by_test_id("contact-deals")
    await expect(deals).to_contain_text("No deals yet.")

    await deals.get_by_test_id("contact-new-deal").click()
    dialog = chat.get_by_test_id("deal-dialog")
    # The customer is already chosen: the deal is for the person in the chat.
    await expect(dialog.get_by_test_id("deal-contact-chosen")).to_have_text("Rocío")
    await dialog.get_by_test_id("deal-title").fill(title)
    await dialog.get_by_test_id("deal-value").fill("2400")
    await dialog.get_by_test_id("deal-currency").fill("USD")
    await dialog.get_by_test_id("deal-save").click()
    await expect(dialog).to_have_count(0)
    made = deals.get_by_test_id("contact-deal").filter(has_text=title)
    await expect(made).to_contain_text("$2,400.00")

    await panel.get_by_test_id("open-contact").click()
    page_deal = chat.get_by_test_id("contact-deals").get_by_test_id("contact-deal")
    await expect(page_deal.filter(has_text=title)).to_have_count(1)
    await page_deal.filter(has_text=title).click()
    await expect(chat.get_by_test_id("deal-dialog").get_by_test_id("deal-title")).to_have_value(
        title
    )
