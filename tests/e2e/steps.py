"""Steps the browser tests share: log in, open the chat, play a customer on the simulator."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Any

from playwright.async_api import expect

CHROMIUM = os.environ.get("HELPLINE_CHROMIUM", "/usr/bin/chromium")
CONSOLE_INDEX = Path(__file__).resolve().parents[2] / "helpline" / "console_dist" / "index.html"
TIMEOUT_MS = 10_000
ADMIN = ("test", "Test1234!")

expect.set_options(timeout=TIMEOUT_MS)


def new_phone() -> str:
    """A phone of its own per test, so reruns against the same server do not mix threads."""
    return f"+54911{uuid.uuid4().int % 10**8:08d}"


async def login(page: Any, base_url: str, username: str, password: str) -> None:
    await page.goto(f"{base_url}/login")
    await page.get_by_test_id("login-username").fill(username)
    await page.get_by_test_id("login-password").fill(password)
    await page.get_by_test_id("login-submit").click()


async def open_chat(context: Any, base_url: str, user: tuple[str, str] = ADMIN) -> Any:
    """A logged-in chat page with its live socket connected."""
    chat = await context.new_page()
    await login(chat, base_url, *user)
    await expect(chat).to_have_url(re.compile(r"/chat$"))
    await expect(chat.get_by_test_id("socket-status")).to_have_attribute("data-state", "connected")
    return chat


async def customer_writes(context: Any, base_url: str, phone: str, name: str, text: str) -> Any:
    """The simulator page, after the customer sent `text` from `phone`."""
    sim = await context.new_page()
    await sim.goto(f"{base_url}/simulator")
    await expect(sim.get_by_test_id("sim-channel")).not_to_have_value("")
    await sim.get_by_test_id("sim-phone").fill(phone)
    await sim.get_by_test_id("sim-name").fill(name)
    await sim.get_by_test_id("sim-text").fill(text)
    await sim.get_by_test_id("sim-send").click()
    await expect(sim.get_by_test_id("sim-message").filter(has_text=text)).to_have_attribute(
        "data-direction", "in"
    )
    return sim


async def go_to(page: Any, screen: str) -> None:
    """Open a screen from the sidebar by its id in web/src/nav.ts (`nav-<id>`); on a phone the
    sidebar is a drawer, opened first from the top bar's menu button."""
    link = page.get_by_test_id(f"nav-{screen}")
    if not await sidebar_shown(page, link):
        await page.get_by_test_id("menu-button").click()
    await link.click()


async def sidebar_shown(page: Any, item: Any) -> bool:
    """Whether the sidebar shows `item`, once the shell has rendered either the sidebar or the
    phone's menu button (asking before that would take a desktop for a phone)."""
    menu_button = page.get_by_test_id("menu-button")
    # Visible ones only: on a phone the closed drawer's links come first in the page.
    await expect(item.or_(menu_button).filter(visible=True).first).to_be_visible()
    return bool(await item.is_visible())


async def open_user_menu(page: Any) -> None:
    """The user menu at the foot of the sidebar (language, sessions, log out); no-op if open."""
    if await page.get_by_test_id("user-menu-panel").is_visible():
        return
    if not await sidebar_shown(page, page.get_by_test_id("user-menu")):
        await page.get_by_test_id("menu-button").click()
    await page.get_by_test_id("user-menu").click()
    await expect(page.get_by_test_id("user-menu-panel")).to_be_visible()


async def log_out(page: Any) -> None:
    await open_user_menu(page)
    await page.get_by_test_id("logout").click()
    await expect(page).to_have_url(re.compile(r"/login$"))
