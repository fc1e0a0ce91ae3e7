"""Browser tests of the console's working-hours screen (see test_console.py for the setup):
an admin sets an area's week, a holiday and its time zone; a refused save changes nothing;
supervisors pick among their own areas only; operators do not get the screen."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect

from tests.e2e.steps import ADMIN, go_to, log_out, login

SUPERVISOR = ("sofia", "Operador123!")  # demo: member of Soporte
OPERATOR = ("laura", "Operador123!")
ZONE = "America/Argentina/Buenos_Aires"


def day(page: Any, weekday: int) -> Any:
    return page.locator(f'[data-testid="wh-day"][data-weekday="{weekday}"]')


async def set_interval(column: Any, n: int, start: str, end: str) -> None:
    interval = column.get_by_test_id("wh-interval").nth(n)
    await interval.get_by_test_id("wh-interval-start").fill(start)
    await interval.get_by_test_id("wh-interval-end").fill(end)


async def stored(context: Any, base: str, area_id: str) -> dict[str, Any]:
    """The schedule as the API has it, read with the page's session."""
    response = await context.request.get(f"{base}/api/working-hours/{area_id}")
    assert response.ok, await response.text()
    schedule: dict[str, Any] = await response.json()
    return schedule


async def put_schedule(context: Any, base: str, area_id: str, schedule: dict[str, Any]) -> None:
    me = await context.request.get(f"{base}/api/auth/me")
    token = (await me.json())["csrfToken"]
    body = {k: v for k, v in schedule.items() if k != "areaId"}
    response = await context.request.put(
        f"{base}/api/working-hours/{area_id}", data=body, headers={"X-CSRF-Token": token}
    )
    assert response.ok, await response.text()


async def expect_week(page: Any) -> None:
    """Monday 09–13 and 14–18, Saturday 10–14, nothing else: in the inputs and as blocks."""
    monday, saturday = day(page, 0), day(page, 5)
    intervals = monday.get_by_test_id("wh-interval")
    await expect(intervals).to_have_count(2)
    for n, (start, end) in enumerate([("09:00", "13:00"), ("14:00", "18:00")]):
        await expect(intervals.nth(n).get_by_test_id("wh-interval-start")).to_have_value(start)
        await expect(intervals.nth(n).get_by_test_id("wh-interval-end")).to_have_value(end)
    await expect(monday.get_by_test_id("wh-block")).to_have_text(["09:00–13:00", "14:00–18:00"])
    await expect(saturday.get_by_test_id("wh-block")).to_have_text(["10:00–14:00"])
    await expect(page.get_by_test_id("wh-block")).to_have_count(3)
    await expect(day(page, 6).get_by_test_id("wh-day-total")).to_have_text("Closed")


async def test_admin_sets_the_hours_of_an_area(live_server: Any, browser_context: Any) -> None:
    base = live_server.url
    page = await browser_context.new_page()
    await login(page, base, *ADMIN)
    await expect(page).to_have_url(re.compile(r"/chat$"))

    await go_to(page, "working-hours")
    await expect(page).to_have_url(re.compile(r"/working-hours"))
    picker = page.get_by_test_id("wh-area")
    area_id = await picker.locator("option", has_text="Ventas").get_attribute("value")
    assert area_id
    await picker.select_option(label="Ventas")
    await expect(page).to_have_url(re.compile(rf"/working-hours\?area={area_id}$"))
    await expect(picker).to_have_value(area_id)
    await expect(page.get_by_test_id("wh-form")).to_be_visible()
    original = await stored(browser_context, base, area_id)

    try:
        # The week: two intervals on Monday, one on Saturday, in Buenos Aires time.
        await page.get_by_test_id("wh-timezone").fill(ZONE)
        monday, saturday = day(page, 0), day(page, 5)
        await monday.get_by_test_id("wh-add-interval").click()
        await monday.get_by_test_id("wh-add-interval").click()
        await set_interval(monday, 0, "09:00", "13:00")
        await set_interval(monday, 1, "14:00", "18:00")
        await saturday.get_by_test_id("wh-add-interval").click()
        await set_interval(saturday, 0, "10:00", "14:00")
        await expect(monday.get_by_test_id("wh-day-total")).to_have_text("8 h open")

        # A holiday: closed all day.
        await page.get_by_test_id("wh-add-exception").click()
        holiday = page.get_by_test_id("wh-exception")
        await holiday.get_by_test_id("wh-exception-date").fill("2031-12-25")
        await holiday.get_by_test_id("wh-exception-note").fill("Navidad")
        await expect(holiday.get_by_test_id("wh-exception-closed")).to_be_visible()

        await expect(page.get_by_test_id("wh-dirty")).to_be_visible()
        await page.get_by_test_id("wh-save").click()
        await expect(page.get_by_test_id("wh-saved")).to_be_visible()
        await expect(page.get_by_test_id("wh-dirty")).to_have_count(0)
        await expect(page.get_by_test_id("wh-error")).to_have_count(0)
        await expect(page.get_by_test_id("wh-status")).to_have_attribute("data-configured", "true")
        await expect(page.get_by_test_id("wh-local-time")).to_contain_text(ZONE)

        # The API has exactly that.
        schedule = await stored(browser_context, base, area_id)
        assert schedule["timezone"] == ZONE
        assert schedule["intervals"] == [
            {"weekday": 0, "start": "09:00", "end": "13:00"},
            {"weekday": 0, "start": "14:00", "end": "18:00"},
            {"weekday": 5, "start": "10:00", "end": "14:00"},
        ]
        holiday_out = {"date": "2031-12-25", "intervals": [], "note": "Navidad"}
        assert schedule["exceptions"] == [holiday_out]

        # A reload shows it all again (from the server, the same area still picked).
        await page.reload()
        await expect(page.get_by_test_id("wh-area")).to_have_value(area_id)
        await expect(page.get_by_test_id("wh-timezone")).to_have_value(ZONE)
        await expect_week(page)
        holiday = page.get_by_test_id("wh-exception")
        await expect(holiday).to_have_count(1)
        await expect(holiday.get_by_test_id("wh-exception-date")).to_have_value("2031-12-25")
        await expect(holiday.get_by_test_id("wh-exception-note")).to_have_value("Navidad")
        await expect(holiday.get_by_test_id("wh-exception-closed")).to_be_visible()
        await expect(page.get_by_test_id("wh-dirty")).to_have_count(0)

        # An interval overlapping Monday morning: flagged, refused by the server, nothing saved.
        await monday.get_by_test_id("wh-add-interval").click()
        await set_interval(monday, 2, "12:00", "15:00")
        await expect(monday.get_by_test_id("wh-interval").nth(2)).to_have_attribute(
            "data-problem", "overlap"
        )
        await page.get_by_test_id("wh-save").click()
        error = page.get_by_test_id("wh-error")
        await expect(error).to_be_visible()
        await expect(error).to_contain_text("overlapping intervals on Monday")
        await expect(page.get_by_test_id("wh-dirty")).to_be_visible()
        await expect(page.get_by_test_id("wh-saved")).to_have_count(0)
        assert await stored(browser_context, base, area_id) == schedule

        await page.reload()
        await expect_week(page)
        await expect(page.get_by_test_id("wh-error")).to_have_count(0)
    finally:
        # The live server is shared by the other browser tests: give the area its hours back.
        await put_schedule(browser_context, base, area_id, original)


async def test_supervisor_sees_own_areas_and_operator_no_screen(
    live_server: Any, browser_context: Any
) -> None:
    base = live_server.url
    page = await browser_context.new_page()

    await login(page, base, *SUPERVISOR)
    await expect(page).to_have_url(re.compile(r"/chat$"))
    await go_to(page, "working-hours")
    await expect(page).to_have_url(re.compile(r"/working-hours"))
    await expect(page.get_by_test_id("wh-area").locator("option")).to_have_text(["Soporte"])
    await expect(page.get_by_test_id("wh-form")).to_be_visible()
    await expect(page.get_by_test_id("wh-status")).to_be_visible()
    # The area's satisfaction survey is set here too (the Areas screen is admins' only).
    await expect(page.get_by_test_id("wh-survey")).to_contain_text("Soporte")

    await log_out(page)

    await login(page, base, *OPERATOR)
    await expect(page).to_have_url(re.compile(r"/chat$"))
    await expect(page.get_by_test_id("nav-chat")).to_be_visible()
    await expect(page.get_by_test_id("nav-working-hours")).to_have_count(0)
    # Typing the address does not help either.
    await page.goto(f"{base}/working-hours")
    await expect(page).to_have_url(re.compile(r"/chat$"))
    await expect(page.get_by_test_id("working-hours-page")).to_have_count(0)
