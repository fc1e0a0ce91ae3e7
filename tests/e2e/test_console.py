"""Browser tests of the operator console (web/) against a real `helpline demo` server.

They drive Debian's Chromium (never a downloaded browser) through Playwright and rely on
the console's data-testid hooks. The console must have been built into
helpline/console_dist (`cd web && npm ci && npm run build`) before the server starts.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.async_api import expect

from tests.e2e.steps import ADMIN, customer_writes, login, new_phone, open_chat, open_user_menu


async def test_operator_answers_a_customer(live_server: Any, browser_context: Any) -> None:
    base = live_server.url
    phone = new_phone()
    hello = f"hola {uuid.uuid4().hex[:6]}"
    answer = "Buenos días, ¿en qué puedo ayudarle?"

    chat = await open_chat(browser_context, base)

    sim = await customer_writes(browser_context, base, phone, "Ana", hello)

    # It shows up live in the operator's list (no reload), with an unread badge.
    item = chat.get_by_test_id("conversation-item").filter(has_text=phone)
    await expect(item).to_have_count(1)
    await expect(item.get_by_test_id("unread-badge")).to_be_visible()
    conversation_id = await item.get_attribute("data-conversation-id")
    assert conversation_id

    # Opening it shows the message and clears the badge.
    await item.click()
    await expect(chat).to_have_url(re.compile(rf"/chat/{conversation_id}$"))
    inbound = chat.get_by_test_id("message").filter(has_text=hello)
    await expect(inbound).to_have_attribute("data-direction", "in")
    await expect(item.get_by_test_id("unread-badge")).to_have_count(0)

    # The operator answers with Enter.
    await chat.get_by_test_id("composer-input").fill(answer)
    await chat.get_by_test_id("composer-input").press("Enter")
    outbound = chat.get_by_test_id("message").filter(has_text=answer)
    await expect(outbound).to_have_attribute("data-direction", "out")
    await expect(chat.get_by_test_id("composer-input")).to_have_value("")

    # The answer reaches the phone and gets delivered (then read: the simulator has it open).
    on_phone = sim.get_by_test_id("sim-message").filter(has_text=answer)
    await expect(on_phone).to_have_attribute("data-direction", "out")
    await expect(on_phone).to_have_attribute("data-status", re.compile(r"^(delivered|read)$"))
    # ...and the operator sees the ticks move on too.
    await expect(outbound).to_have_attribute("data-status", re.compile(r"^(delivered|read)$"))

    # Closing asks for confirmation in the page, then the conversation is closed.
    await chat.get_by_test_id("close-conversation").click()
    await chat.get_by_test_id("confirm-close").click()
    status = chat.get_by_test_id("conversation-status")
    await expect(status).to_have_attribute("data-status", "closed")
    await expect(status).to_have_text(re.compile("closed", re.IGNORECASE))
    await expect(chat.get_by_test_id("composer-input")).to_be_disabled()
    await expect(chat.get_by_test_id("close-conversation")).to_have_count(0)


async def test_wrong_password_shows_an_error(live_server: Any, browser_context: Any) -> None:
    page = await browser_context.new_page()
    await login(page, live_server.url, ADMIN[0], "not-the-password")
    await expect(page.get_by_test_id("login-error")).to_be_visible()
    await expect(page.get_by_test_id("login-error")).not_to_be_empty()
    await expect(page).to_have_url(re.compile(r"/login$"))


async def test_unauthenticated_visit_redirects_tologin(
    live_server: Any, browser_context: Any
) -> None:
    page = await browser_context.new_page()
    await page.goto(f"{live_server.url}/chat")
    await expect(page).to_have_url(re.compile(r"/login$"))
    await expect(page.get_by_test_id("login-submit")).to_be_visible()


async def test_language_picker_switches_to_portuguese(
    live_server: Any, browser_context: Any
) -> None:
    page = await browser_context.new_page()
    await page.goto(f"{live_server.url}/login")
    submit = page.get_by_test_id("login-submit")
    await expect(submit).to_have_text("Sign in")
    await page.get_by_test_id("language-select").select_option("pt-BR")
    await expect(submit).to_have_text("Entrar")

    # The choice sticks after logging in, in the sidebar and its user menu too.
    await page.get_by_test_id("login-username").fill(ADMIN[0])
    await page.get_by_test_id("login-password").fill(ADMIN[1])
    await submit.click()
    await expect(page.get_by_test_id("nav-chat")).to_have_text("Conversas")
    await open_user_menu(page)
    await expect(page.get_by_test_id("language-select")).to_have_value("pt-BR")
    await expect(page.get_by_test_id("logout")).to_have_text("Sair")
    await page.get_by_test_id("logout").click()
    await expect(page).to_have_url(re.compile(r"/login$"))
