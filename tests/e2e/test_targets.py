"""Service targets in a real browser: an admin gives an area of its own a one-minute
first-response target on the Areas screen (the editor says it counts clock time, the area
having no working hours); a customer's conversation in that area shows its deadline in the
list, sorts first by nearest deadline, turns "close to" and then "past" as the minute runs
out with no reload, and the admin gets the live "missed" toast, which opens it; the reports
count the miss. Then the Working hours screen shows the same editor counting business hours
once the area has hours.

The first test waits for the real minute (about 75 s: the deadline plus at most one 15 s
sweep of the server); it is the only one that does."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import expect

from tests.e2e.steps import ADMIN, customer_writes, go_to, new_phone, open_chat

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# The deadline (60 s) plus the server's sweep (every 15 s) plus a loaded machine's slack.
MISSED_WITHIN_MS = 100_000


async def admin_api(base: str) -> httpx.AsyncClient:
    api = httpx.AsyncClient(base_url=base)
    login = await api.post("/api/auth/login", json={"username": ADMIN[0], "password": ADMIN[1]})
    assert login.status_code == 200, login.text
    api.headers["X-CSRF-Token"] = login.json()["csrfToken"]
    return api


async def new_area(api: httpx.AsyncClient, prefix: str) -> tuple[int, str]:
    """An area of its own: the live server is shared, and a target on a demo area would
    colour (and alert) the other tests' conversations."""
    name = f"{prefix} {uuid.uuid4().hex[:6]}"
    created = await api.post(
        "/api/areas", json={"name": name, "active": True, "autoAssign": False, "capacity": 5}
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"]), name


def instant(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


async def test_a_missed_first_response_colours_the_row_and_alerts_the_admin(
    live_server: Any, browser_context: Any
) -> None:
    base = live_server.url
    api = await admin_api(base)
    area_id: int | None = None
    try:
        area_id, area_name = await new_area(api, "Metas")
        before = (await api.get(f"/api/areas/{area_id}/targets")).json()
        assert before == {
            "areaId": area_id,
            "firstResponseMinutes": None,
            "resolutionMinutes": None,
            "basis": "clock",
        }

        # The customer writes first: the minute counts from the conversation's opening, so
        # the editing below runs while it passes. Nobody answers.
        page = await open_chat(browser_context, base)
        phone = new_phone()
        await customer_writes(browser_context, base, phone, "Cliente Metas", f"hola {phone}")
        await page.bring_to_front()
        item = page.get_by_test_id("conversation-item").filter(has_text=phone)
        await expect(item).to_have_count(1)
        conv_id = await item.get_attribute("data-conversation-id")
        assert conv_id
        moved = await api.post(f"/api/conversations/{conv_id}/transfer", json={"areaId": area_id})
        assert moved.status_code == 200, moved.text

        # Areas screen: the area's targets dialog, none yet, counted in clock time.
        await go_to(page, "areas")
        row = page.locator(f'[data-testid="area-row"][data-area-id="{area_id}"]')
        await row.get_by_test_id("area-targets").click()
        dialog = page.get_by_test_id("area-targets-dialog")
        await expect(dialog).to_contain_text(area_name)
        basis = dialog.get_by_test_id("targets-basis")
        await expect(basis).to_have_attribute("data-basis", "clock")
        await expect(basis).to_contain_text("Counted in clock time.")
        first = dialog.get_by_test_id("targets-first-response")
        resolution = dialog.get_by_test_id("targets-resolution")
        await expect(first).to_have_value("")
        await expect(resolution).to_have_value("")
        save = dialog.get_by_test_id("targets-save")
        await expect(save).to_be_disabled()  # nothing changed yet

        # Out of range: flagged, not sent.
        await first.fill("0")
        await expect(dialog.get_by_test_id("targets-first-response-error")).to_contain_text(
            "Whole minutes from 1 to 43200"
        )
        await expect(save).to_be_disabled()

        # One minute to answer, a day and a half to resolve.
        await first.fill("1")
        await resolution.fill("2160")
        await expect(dialog.get_by_test_id("targets-resolution-length")).to_have_text(
            "= 36 h 0 min"
        )
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "targets-editor-1280.png"))
        await save.click()
        await expect(dialog).to_have_count(0)
        stored = (await api.get(f"/api/areas/{area_id}/targets")).json()
        assert (stored["firstResponseMinutes"], stored["resolutionMinutes"]) == (1, 2160)

        # The chat list: within a sweep the row shows the first response's deadline, one
        # minute after the conversation opened.
        await go_to(page, "chat")
        await page.get_by_test_id("sort-select").select_option("due")
        item = page.locator(f'[data-testid="conversation-item"][data-conversation-id="{conv_id}"]')
        due = item.get_by_test_id("target-due")
        await expect(due).to_have_attribute("data-kind", "first_response", timeout=30_000)
        conv = (await api.get(f"/api/conversations/{conv_id}")).json()
        assert conv["firstResponseAt"] is None
        assert conv["firstResponseDueAt"] is not None and conv["resolutionDueAt"] is not None
        due_at = instant(conv["firstResponseDueAt"])
        assert (due_at - instant(conv["createdAt"])).total_seconds() == 60
        shown = instant(str(await due.get_attribute("data-due-at")))
        assert abs((shown - due_at).total_seconds()) < 1
        # Nearest deadline first: only this test's area has targets on the shared server.
        await expect(page.get_by_test_id("conversation-item").first).to_have_attribute(
            "data-conversation-id", conv_id
        )

        # The last fifth of the minute: "close to" it; then past it. The page is not
        # reloaded: the rows follow the clock.
        await expect(item).to_have_attribute(
            "data-target-state", re.compile("^(near|past)$"), timeout=60_000
        )
        await expect(due).to_have_attribute(
            "title", re.compile(r"^First response (due soon|overdue)")
        )
        await expect(item).to_have_attribute("data-target-state", "past", timeout=MISSED_WITHIN_MS)
        await expect(item).to_have_attribute("data-target-kind", "first_response")
        await expect(due).to_contain_text("Reply overdue")
        await expect(due).to_have_attribute(
            "title", re.compile(r"^First response overdue \(was due .+\)$")
        )

        # The server's sweep records the miss and alerts the admin live.
        toast = page.locator(
            f'[data-testid="target-breached-toast"][data-conversation-id="{conv_id}"]'
        )
        await expect(toast).to_contain_text(
            "First response target missed: Cliente Metas", timeout=MISSED_WITHIN_MS
        )
        await expect(toast).to_have_attribute("data-target-kind", "first_response")
        await page.screenshot(path=str(ARTIFACTS / "targets-missed-1280.png"))
        await toast.get_by_test_id("toast-open").click()
        await expect(page).to_have_url(re.compile(rf"/chat/{conv_id}$"))
        await expect(toast).to_have_count(0)

        # The reports count it for that area, on today's row.
        await go_to(page, "reports")
        await page.get_by_test_id("report-filter-areaId").select_option(str(area_id))
        await expect(page.get_by_test_id("kpi-first-response-breaches")).to_have_text("1")
        await expect(page.get_by_test_id("kpi-resolution-breaches")).to_have_text("0")
        area_row = page.get_by_test_id(f"report-area-{area_id}")
        await expect(area_row.get_by_test_id("report-first-response-breaches")).to_have_text("1")
        await expect(area_row.get_by_test_id("report-resolution-breaches")).to_have_text("0")
    finally:
        # No targets left behind on the shared server; the conversation closes.
        if area_id is not None:
            await api.put(
                f"/api/areas/{area_id}/targets",
                json={"firstResponseMinutes": None, "resolutionMinutes": None},
            )
        await api.aclose()


async def test_the_working_hours_screen_counts_targets_in_business_hours(
    live_server: Any, browser_context: Any
) -> None:
    base = live_server.url
    api = await admin_api(base)
    try:
        area_id, area_name = await new_area(api, "Horas metas")
        page = await open_chat(browser_context, base)
        await go_to(page, "working-hours")
        await page.get_by_test_id("wh-area").select_option(str(area_id))
        card = page.get_by_test_id("wh-targets")
        await expect(card).to_contain_text(area_name)
        basis = card.get_by_test_id("targets-basis")
        await expect(basis).to_have_attribute("data-basis", "clock")

        # Hours set elsewhere (the API here): a reload shows business hours.
        schedule = (await api.get(f"/api/working-hours/{area_id}")).json()
        body = {k: v for k, v in schedule.items() if k != "areaId"}
        body["intervals"] = [{"weekday": 0, "start": "09:00", "end": "18:00"}]
        put = await api.put(f"/api/working-hours/{area_id}", json=body)
        assert put.status_code == 200, put.text
        await page.reload()
        await page.get_by_test_id("wh-area").select_option(str(area_id))
        await expect(basis).to_have_attribute("data-basis", "business")
        await expect(basis).to_contain_text("Counted in business hours.")

        # Saved on the page itself (no dialog): it says so and the API has it.
        await card.get_by_test_id("targets-first-response").fill("30")
        await card.get_by_test_id("targets-save").click()
        await expect(card.get_by_test_id("targets-saved")).to_have_text("Saved")
        stored = (await api.get(f"/api/areas/{area_id}/targets")).json()
        assert stored == {
            "areaId": area_id,
            "firstResponseMinutes": 30,
            "resolutionMinutes": None,
            "basis": "business",
        }
        await api.put(
            f"/api/areas/{area_id}/targets",
            json={"firstResponseMinutes": None, "resolutionMinutes": None},
        )
    finally:
        await api.aclose()
