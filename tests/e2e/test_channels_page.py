"""Browser tests of the console's Channels screen (see test_console.py for the setup): the
demo's sandbox number shows connected; an admin adds a Cloud API number whose secrets only
ever show masked; pausing and resuming reach a second admin's screen live and land in the
state history; supervisors only look; operators do not get the screen."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.async_api import expect

from tests.e2e.steps import ADMIN, go_to, log_out, login, new_phone, open_user_menu

SUPERVISOR = ("sofia", "Operador123!")
OPERATOR = ("laura", "Operador123!")

ACCESS_TOKEN = "EAAG-test-access-token-7788"
APP_SECRET = "app-secret-for-tests-4455"
VERIFY_TOKEN = "verify-token-for-tests-1122"


async def api_json(
    context: Any, base: str, method: str, path: str, body: dict[str, Any] | None = None
) -> Any:
    """An API call with the page's session (and its CSRF token for writes)."""
    headers = {}
    if method != "GET":
        me = await context.request.get(f"{base}/api/auth/me")
        headers["X-CSRF-Token"] = (await me.json())["csrfToken"]
    response = await context.request.fetch(
        f"{base}{path}", method=method, headers=headers, data=body
    )
    assert response.ok, await response.text()
    return await response.json() if response.status != 204 else None


async def sandbox_channel(context: Any, base: str) -> dict[str, Any]:
    """The demo's sandbox number (the first one: other tests may add more)."""
    channels = await api_json(context, base, "GET", "/api/channels")
    return next(c for c in channels if c["provider"] == "sandbox")


def card(page: Any, channel_id: int | str) -> Any:
    return page.locator(f'[data-testid="channel-card"][data-channel-id="{channel_id}"]')


def by(scope: Any, test_id: str, **attrs: str) -> Any:
    """The elements of `scope` with that test id and those data-* attributes."""
    extra = "".join(f'[data-{k.replace("_", "-")}="{v}"]' for k, v in attrs.items())
    return scope.locator(f'[data-testid="{test_id}"]{extra}')


async def expect_status(channel_card: Any, status: str) -> None:
    await expect(channel_card.get_by_test_id("channel-status")).to_have_attribute(
        "data-status", status
    )


async def open_channels(context: Any, base: str, user: tuple[str, str] = ADMIN) -> Any:
    page = await context.new_page()
    await login(page, base, *user)
    await expect(page).to_have_url(re.compile(r"/chat$"))
    await go_to(page, "channels")
    await expect(page).to_have_url(re.compile(r"/channels$"))
    await expect(by(page, "socket-status", state="connected")).to_be_visible()
    return page


async def test_admin_sees_the_sandbox_and_adds_a_cloud_number(
    live_server: Any, browser_context: Any
) -> None:
    base = live_server.url
    page = await open_channels(browser_context, base)

    sandbox = await sandbox_channel(browser_context, base)
    demo = card(page, sandbox["id"])
    await expect_status(demo, "connected")
    await expect(demo.get_by_test_id("channel-status")).to_have_text("Connected")
    provider = by(demo, "channel-provider", provider="sandbox")
    await expect(provider).to_have_text("Sandbox (simulated phones)")
    # The server sends the provider's code: its name follows the console's language.
    await open_user_menu(page)
    await open_user_menu(page)
    await page.get_by_test_id("language-select").select_option("es")
    await expect(provider).to_have_text("Sandbox (teléfonos simulados)")
    await open_user_menu(page)
    await page.get_by_test_id("language-select").select_option("en")
    await expect(provider).to_have_text("Sandbox (simulated phones)")
    await page.keyboard.press("Escape")
    # A connected number offers pause and stop, not start; the sandbox has no session to log out of.
    await expect(demo.get_by_test_id("channel-pause")).to_be_visible()
    await expect(demo.get_by_test_id("channel-start")).to_have_count(0)
    await expect(demo.get_by_test_id("channel-logout")).to_have_count(0)

    # A Cloud API number: pick the provider, then its fields appear.
    name = f"Ventas Cloud {uuid.uuid4().hex[:6]}"
    await page.get_by_test_id("channel-new").click()
    dialog = page.get_by_test_id("channel-form")
    await expect(dialog.get_by_test_id("channel-config-input")).to_have_count(0)
    await by(dialog, "channel-provider-option", provider="cloud").click()

    def field(key: str) -> Any:
        return by(dialog, "channel-config-input", key=key)

    await expect(field("access_token")).to_have_attribute("type", "password")
    await expect(field("api_version")).not_to_have_value("")  # the provider's default
    await dialog.get_by_test_id("channel-form-name").fill(name)
    await dialog.get_by_test_id("channel-form-phone").fill("+54 9 11 5555-0101")
    await field("phone_number_id").fill("109876543210")
    await field("access_token").fill(ACCESS_TOKEN)
    await field("app_secret").fill(APP_SECRET)
    await field("verify_token").fill(VERIFY_TOKEN)
    # Nothing listens there: whatever the channel tries, it fails fast and stays here.
    await field("api_base_url").fill("http://127.0.0.1:9")
    await dialog.get_by_test_id("channel-save").click()
    await expect(dialog).to_have_count(0)

    created = page.locator('[data-testid="channel-card"]').filter(has_text=name)
    await expect(created).to_have_count(1)
    channel_id = await created.get_attribute("data-channel-id")
    assert channel_id
    await expect(by(created, "channel-provider", provider="cloud")).to_be_visible()
    await expect(created.get_by_test_id("channel-default")).to_have_count(0)

    try:
        # Secrets only ever show masked: in the details, in the edit form, in the API.
        await created.get_by_test_id("channel-details-toggle").click()
        details = page.get_by_test_id("channel-details")
        await expect(details).to_have_attribute("data-channel-id", channel_id)
        token = by(details, "channel-config-value", key="access_token")
        await expect(token).to_have_text("••••" + ACCESS_TOKEN[-4:])
        phone_id = by(details, "channel-config-value", key="phone_number_id")
        await expect(phone_id).to_have_text("109876543210")
        for secret in (ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN):
            assert secret not in await page.content()

        # Editing the name leaves the secrets as they were unless retyped.
        await created.get_by_test_id("channel-edit").click()
        dialog = page.get_by_test_id("channel-form")
        await expect(field("access_token")).to_have_value("")
        kept = by(dialog, "channel-secret-kept", key="access_token")
        await expect(kept).to_contain_text("••••" + ACCESS_TOKEN[-4:])
        await dialog.get_by_test_id("channel-form-name").fill(f"{name} bis")
        await field("app_secret").fill("a-brand-new-app-secret-9090")
        await dialog.get_by_test_id("channel-form-phone-region").fill("es")
        await dialog.get_by_test_id("channel-save").click()
        await expect(dialog).to_have_count(0)
        renamed = card(page, channel_id).get_by_test_id("channel-name")
        await expect(renamed).to_have_text(f"{name} bis")
        stored = await api_json(browser_context, base, "GET", f"/api/channels/{channel_id}")
        assert stored["config"]["access_token"] == "••••" + ACCESS_TOKEN[-4:]
        assert stored["config"]["app_secret"] == "••••9090"
        assert stored["config"]["phone_number_id"] == "109876543210"
        assert stored["phoneRegion"] == "ES"
    finally:
        # Deleting asks first; a number without conversations goes.
        await card(page, channel_id).get_by_test_id("channel-delete").click()
        await page.get_by_test_id("channel-delete-confirm").click()
        await expect(card(page, channel_id)).to_have_count(0)
        await expect(page.get_by_test_id("channel-details")).to_have_count(0)


async def test_pause_and_resume_show_live_and_in_the_history(
    live_server: Any, browser_context: Any
) -> None:
    base = live_server.url
    page = await open_channels(browser_context, base)
    # A second admin screen: it only learns of the changes through the socket.
    watcher = await browser_context.new_page()
    await watcher.goto(f"{base}/channels")
    await expect(by(watcher, "socket-status", state="connected")).to_be_visible()

    sandbox = await sandbox_channel(browser_context, base)
    mine, theirs = card(page, sandbox["id"]), card(watcher, sandbox["id"])
    await expect_status(theirs, "connected")
    await theirs.get_by_test_id("channel-details-toggle").click()
    details = watcher.get_by_test_id("channel-details")
    await expect(details).to_be_visible()
    await expect(watcher).to_have_url(re.compile(rf"/channels\?channel={sandbox['id']}$"))

    try:
        await mine.get_by_test_id("channel-pause").click()
        await expect_status(mine, "paused")
        await expect_status(theirs, "paused")
        await expect(theirs.get_by_test_id("channel-status")).to_have_text("Paused")
        await expect(theirs.get_by_test_id("channel-resume")).to_be_visible()
        await expect(theirs.get_by_test_id("channel-pause")).to_have_count(0)
        history = details.get_by_test_id("channel-history-entry")
        await expect(history.first).to_have_attribute("data-status", "paused")

        await mine.get_by_test_id("channel-resume").click()
        await expect_status(theirs, "connected")
        await expect(history.first).to_have_attribute("data-status", "connected")
        await expect(history.nth(1)).to_have_attribute("data-status", "paused")
    finally:
        current = await api_json(browser_context, base, "GET", f"/api/channels/{sandbox['id']}")
        if current["status"] == "paused":
            await api_json(browser_context, base, "POST", f"/api/channels/{sandbox['id']}/resume")

    # The same history after a reload (read from the server, newest first).
    await watcher.reload()
    history = watcher.get_by_test_id("channel-details").get_by_test_id("channel-history-entry")
    await expect(history.first).to_have_attribute("data-status", "connected")
    await expect(history.nth(1)).to_have_attribute("data-status", "paused")


async def test_a_session_that_cannot_connect_shows_why_live(
    live_server: Any, browser_context: Any
) -> None:
    """A WPPConnect number whose server is not there: the error, the history and the log
    reach the screen as they happen."""
    base = live_server.url
    page = await open_channels(browser_context, base)
    name = f"Soporte WPP {uuid.uuid4().hex[:6]}"
    await page.get_by_test_id("channel-new").click()
    dialog = page.get_by_test_id("channel-form")
    await by(dialog, "channel-provider-option", provider="wppconnect").click()

    def field(key: str) -> Any:
        return by(dialog, "channel-config-input", key=key)

    await dialog.get_by_test_id("channel-form-name").fill(name)
    await field("base_url").fill("http://127.0.0.1:9")  # nothing listens there
    await field("session").fill("soporte")
    await field("secret_key").fill("wpp-secret-key-3344")
    await field("webhook_secret").fill("wpp-webhook-secret-5566")
    await dialog.get_by_test_id("channel-save").click()
    await expect(dialog).to_have_count(0)

    created = page.locator('[data-testid="channel-card"]').filter(has_text=name)
    await expect(created).to_have_count(1)
    channel_id = await created.get_attribute("data-channel-id")
    assert channel_id
    try:
        await created.get_by_test_id("channel-details-toggle").click()
        details = page.get_by_test_id("channel-details")
        log = details.get_by_test_id("channel-log-entry")
        history = details.get_by_test_id("channel-history-entry")
        # Whatever the first attempt did, the panel is open and loaded for the next one.
        if await created.get_by_test_id("channel-stop").count():
            await created.get_by_test_id("channel-stop").click()
            await expect_status(created, "disconnected")
        loaded = details.locator('[data-testid="channel-log"], [data-testid="channel-log-empty"]')
        await expect(loaded).to_be_visible()
        last_id = await log.first.get_attribute("data-entry-id") if await log.count() else "none"

        # Start: its log lines, states and error arrive while the panel is open.
        await created.get_by_test_id("channel-start").click()
        await expect_status(created, "error")
        await expect(created.get_by_test_id("channel-status-detail")).not_to_be_empty()
        await expect(created.get_by_test_id("channel-live-error")).to_be_visible()
        await expect(log.first).to_contain_text("connect failed")
        await expect(log.first).to_have_attribute("data-level", "error")
        await expect(log.first).not_to_have_attribute("data-entry-id", last_id)
        await expect(history.first).to_have_attribute("data-status", "error")
        tried = by(details, "channel-history-entry", status="connecting")
        await expect(tried).not_to_have_count(0)
        # A failed number can be tried again.
        await expect(created.get_by_test_id("channel-start")).to_be_visible()
    finally:
        await created.get_by_test_id("channel-delete").click()
        await page.get_by_test_id("channel-delete-confirm").click()
        await expect(card(page, channel_id)).to_have_count(0)


async def test_a_number_with_conversations_is_not_deleted(
    live_server: Any, browser_context: Any
) -> None:
    base = live_server.url
    page = await open_channels(browser_context, base)
    name = f"Pruebas {uuid.uuid4().hex[:6]}"
    channel = await api_json(
        browser_context, base, "POST", "/api/channels", {"name": name, "provider": "sandbox"}
    )
    await api_json(
        browser_context,
        base,
        "POST",
        f"/api/sandbox/{channel['id']}/inbound",
        {"from": new_phone(), "name": "Cliente", "text": "hola"},
    )
    mine = card(page, channel["id"])
    await expect_status(mine, "connected")

    await mine.get_by_test_id("channel-delete").click()
    confirm = page.get_by_test_id("confirm-dialog")
    await page.get_by_test_id("channel-delete-confirm").click()
    await expect(confirm.get_by_role("alert")).to_contain_text("conversations")
    await expect(mine).to_have_count(1)
    # The way out it offers: stop the number instead.
    await page.get_by_test_id("channel-stop-instead").click()
    await expect(confirm).to_have_count(0)
    await expect_status(mine, "disconnected")
    await expect(mine.get_by_test_id("channel-start")).to_be_visible()


async def test_supervisors_look_and_operators_do_not_get_the_screen(
    live_server: Any, browser_context: Any
) -> None:
    base = live_server.url
    page = await open_channels(browser_context, base, SUPERVISOR)
    await expect(page.get_by_test_id("channels-readonly")).to_be_visible()
    await expect(page.get_by_test_id("channel-card").first).to_be_visible()
    await expect(page.get_by_test_id("channel-new")).to_have_count(0)
    await expect(page.get_by_test_id("channel-pause")).to_have_count(0)
    await expect(page.get_by_test_id("channel-edit")).to_have_count(0)
    await log_out(page)

    await login(page, base, *OPERATOR)
    await expect(page).to_have_url(re.compile(r"/chat$"))
    await expect(page.get_by_test_id("nav-chat")).to_be_visible()
    await expect(page.get_by_test_id("nav-channels")).to_have_count(0)
    await page.goto(f"{base}/channels")
    await expect(page).to_have_url(re.compile(r"/chat$"))
    await expect(page.get_by_test_id("channels-page")).to_have_count(0)
