"""Browser tests of the console's sidebar (web/src/nav.ts, components/Sidebar.tsx): it fits at
1280 px and works as a drawer at 390 px in es, en and pt-BR, collapses to icons and remembers
it, shows each role only what it may open, and on a phone the inbox goes list → chat → back.

Screenshots are kept in tests/e2e/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from playwright.async_api import expect

from tests.e2e.steps import (
    ADMIN,
    customer_writes,
    go_to,
    log_out,
    login,
    new_phone,
    open_chat,
    open_user_menu,
)

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# What an admin sees, in order, and a few labels per language.
ADMIN_ITEMS = [
    "nav-chat",
    "nav-simulator",
    "nav-contacts",
    "nav-pipeline",
    "nav-orders",
    "nav-catalog",
    "nav-dashboard",
    "nav-reports",
    "nav-users",
    "nav-areas",
    "nav-working-hours",
    "nav-channels",
    "nav-flows",
    "nav-bot",
    "nav-quick-replies",
    "nav-integrations",
    "nav-tokens",
    "nav-audit",
]
LABELS = {
    "es": {
        "inbox": "Bandeja",
        "settings": "Configuración",
        "chat": "Chats",
        "flows": "Flujos del bot",
    },
    "en": {"inbox": "Inbox", "settings": "Settings", "chat": "Chats", "flows": "Bot flows"},
    "pt-BR": {
        "inbox": "Caixa de entrada",
        "settings": "Configurações",
        "chat": "Conversas",
        "flows": "Fluxos do bot",
    },
}


async def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), animations="disabled")
    print(f"screenshot: {path}")


async def choose_language(page: Any, language: str) -> None:
    await open_user_menu(page)
    await page.get_by_test_id("language-select").select_option(language)
    await expect(page.locator("html")).to_have_attribute("lang", language)
    await page.keyboard.press("Escape")
    await expect(page.get_by_test_id("user-menu-panel")).to_have_count(0)


async def nav_test_ids(page: Any) -> list[str]:
    ids: list[str] = await page.locator('.sidebar-nav [data-testid^="nav-"].nav-item').evaluate_all(
        "els => els.map(e => e.dataset.testid)"
    )
    return ids


async def no_horizontal_scroll(page: Any) -> None:
    """Nothing sticks out sideways (the report names the widest culprits)."""
    wide = await page.evaluate(
        """() => {
          const w = document.documentElement.clientWidth
          if (document.documentElement.scrollWidth <= w) return []
          return [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > w + 1 && e.offsetParent)
            .slice(0, 5)
            .map(e => `${e.className} ${Math.round(e.getBoundingClientRect().right)}px`)
        }"""
    )
    assert wide == [], f"page scrolls sideways: {wide}"


async def expect_one_line_labels(page: Any) -> None:
    """Every label in the open sidebar fits on one line, inside the sidebar."""
    problems = await page.evaluate(
        """() => {
          const bar = document.querySelector('[data-testid="sidebar"]').getBoundingClientRect()
          const bad = []
          for (const el of document.querySelectorAll('.sidebar .sidebar-text')) {
            if (!el.offsetParent) continue
            const r = el.getBoundingClientRect()
            if (el.scrollWidth > el.clientWidth + 1 || r.right > bar.right + 1 || r.height > 36)
              bad.push(el.textContent)
          }
          return bad
        }"""
    )
    assert problems == [], f"labels cut off or wrapped: {problems}"


async def test_sidebar_at_desktop_and_phone_in_three_languages(
    live_server: Any, browser_context: Any
) -> None:
    base = live_server.url
    page = await open_chat(browser_context, base)
    for language, labels in LABELS.items():
        await page.set_viewport_size(DESKTOP)
        await choose_language(page, language)
        sidebar = page.get_by_test_id("sidebar")
        await expect(sidebar).to_be_visible()
        await expect(page.get_by_test_id("menu-button")).to_be_hidden()
        assert await nav_test_ids(page) == ADMIN_ITEMS
        await expect(page.get_by_test_id("nav-group-inbox")).to_contain_text(labels["inbox"])
        await expect(page.get_by_test_id("nav-group-settings")).to_contain_text(labels["settings"])
        await expect(page.get_by_test_id("nav-chat")).to_have_text(labels["chat"])
        await expect(page.get_by_test_id("nav-flows")).to_have_text(labels["flows"])
        await expect_one_line_labels(page)
        await no_horizontal_scroll(page)
        await shot(page, f"sidebar-1280-{language}")

        # Phone: the sidebar is a drawer behind the top bar's menu button.
        await page.set_viewport_size(PHONE)
        await expect(sidebar).to_be_hidden()
        await page.get_by_test_id("menu-button").click()
        await expect(sidebar).to_be_visible()
        await expect(page.get_by_test_id("nav-flows")).to_have_text(labels["flows"])
        await expect_one_line_labels(page)
        await no_horizontal_scroll(page)
        await shot(page, f"sidebar-390-{language}")
        # Following a link closes it; the backdrop and Escape do too.
        await page.get_by_test_id("nav-quick-replies").click()
        await expect(page).to_have_url(re.compile(r"/quick-replies$"))
        await expect(sidebar).to_be_hidden()
        await page.get_by_test_id("menu-button").click()
        await expect(sidebar).to_be_visible()
        await page.keyboard.press("Escape")
        await expect(sidebar).to_be_hidden()
        await go_to(page, "chat")
        await expect(page).to_have_url(re.compile(r"/chat$"))
        await expect(sidebar).to_be_hidden()
        await no_horizontal_scroll(page)
        await shot(page, f"inbox-390-{language}")
    await page.set_viewport_size(DESKTOP)
    await choose_language(page, "en")


async def test_sidebar_collapses_to_icons_and_remembers(
    live_server: Any, browser_context: Any
) -> None:
    base = live_server.url
    page = await open_chat(browser_context, base)
    sidebar = page.get_by_test_id("sidebar")
    await expect(sidebar).to_have_attribute("data-collapsed", "false")
    wide = (await sidebar.bounding_box())["width"]

    await page.get_by_test_id("sidebar-collapse").click()
    await expect(sidebar).to_have_attribute("data-collapsed", "true")
    # The width slides: wait for its end.
    await page.wait_for_function(
        "() => document.querySelector('[data-testid=sidebar]').getBoundingClientRect().width < 80"
    )
    assert wide > 200, wide
    # Icons only, each with its name as a tooltip, and still links.
    chat = page.get_by_test_id("nav-chat")
    await expect(chat.locator(".sidebar-text")).to_be_hidden()
    await expect(chat).to_have_attribute("title", "Chats")
    await shot(page, "sidebar-1280-collapsed")

    await page.reload()
    await expect(sidebar).to_have_attribute("data-collapsed", "true")
    await go_to(page, "flows")
    await expect(page).to_have_url(re.compile(r"/flows$"))
    # The user menu still opens from the icon.
    await open_user_menu(page)
    await expect(page.get_by_test_id("user-menu-panel")).to_contain_text("Log out")
    await page.keyboard.press("Escape")

    await page.get_by_test_id("sidebar-collapse").click()
    await expect(sidebar).to_have_attribute("data-collapsed", "false")
    await page.reload()
    await expect(sidebar).to_have_attribute("data-collapsed", "false")
    await expect(chat.locator(".sidebar-text")).to_be_visible()


async def create_agent(context: Any, base: str) -> tuple[str, str, str]:
    """A new operator (no areas) made through the API with the admin's session."""
    me = await context.request.get(f"{base}/api/auth/me")
    token = (await me.json())["csrfToken"]
    username = f"agent{uuid.uuid4().hex[:6]}"
    password = f"Pw-{uuid.uuid4().hex}"
    name = f"Agent {username[-6:]}"
    response = await context.request.post(
        f"{base}/api/users",
        headers={"X-CSRF-Token": token},
        data={"username": username, "password": password, "name": name, "role": "OPERATOR"},
    )
    assert response.ok, await response.text()
    return username, password, name


async def test_each_role_sees_only_its_screens(live_server: Any, browser_context: Any) -> None:
    base = live_server.url
    page = await open_chat(browser_context, base)
    assert await nav_test_ids(page) == ADMIN_ITEMS
    username, password, name = await create_agent(browser_context, base)

    await log_out(page)
    await login(page, base, username, password)
    await expect(page).to_have_url(re.compile(r"/chat$"))
    await expect(page.get_by_test_id("nav-chat")).to_be_visible()
    assert await nav_test_ids(page) == [
        "nav-chat",
        "nav-simulator",
        "nav-contacts",
        "nav-pipeline",
        "nav-orders",
        "nav-catalog",
        "nav-dashboard",
        "nav-quick-replies",
    ]
    await expect(page.get_by_test_id("current-user")).to_contain_text(name)
    await expect(page.get_by_test_id("current-user")).to_contain_text("Operator")
    await shot(page, "sidebar-1280-agent")

    # Sessions is in the user menu, for every role.
    await open_user_menu(page)
    await expect(page.get_by_test_id("user-menu-panel")).to_contain_text(name)
    await page.get_by_test_id("nav-sessions").click()
    await expect(page).to_have_url(re.compile(r"/sessions$"))
    await expect(page.get_by_test_id("sessions-page")).to_be_visible()
    await expect(page.get_by_test_id("user-menu-panel")).to_have_count(0)
    # A screen it does not get, typed by hand, sends it back to the inbox.
    await page.goto(f"{base}/users")
    await expect(page).to_have_url(re.compile(r"/chat$"))
    await log_out(page)


async def test_phone_inbox_goes_list_chat_back(live_server: Any, browser_context: Any) -> None:
    base = live_server.url
    phone = new_phone()
    hello = f"hola {uuid.uuid4().hex[:6]}"
    chat = await open_chat(browser_context, base, ADMIN)
    await chat.set_viewport_size(PHONE)
    await customer_writes(browser_context, base, phone, "Ana", hello)

    item = chat.get_by_test_id("conversation-item").filter(has_text=phone)
    await expect(item).to_be_visible()
    await chat.bring_to_front()
    await no_horizontal_scroll(chat)
    await shot(chat, "inbox-390-list")

    await item.click()
    await expect(chat).to_have_url(re.compile(r"/chat/\d+$"))
    await expect(chat.get_by_test_id("message").filter(has_text=hello)).to_be_visible()
    await expect(chat.get_by_test_id("composer-input")).to_be_visible()
    await expect(item).to_be_hidden()
    await no_horizontal_scroll(chat)
    await shot(chat, "inbox-390-chat")

    await chat.get_by_test_id("chat-back").click()
    await expect(chat).to_have_url(re.compile(r"/chat$"))
    await expect(item).to_be_visible()
    await expect(chat.get_by_test_id("composer-input")).to_have_count(0)
