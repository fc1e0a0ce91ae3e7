"""Reports in a real browser: the last 7 days in the viewer's time zone, KPI cards, the two
charts, the tables, a CSV download, a refused range; supervisors get the screen with their
areas only, operators do not get it."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.async_api import expect

from tests.e2e.steps import ADMIN, go_to, log_out, login, new_phone, open_chat

SUPERVISOR = ("sofia", "Operador123!")
OPERATOR = ("laura", "Operador123!")
# The browser's zone: far from UTC, so a day computed in the wrong zone would show.
ZONE = "Pacific/Kiritimati"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


async def a_customer_writes(base: str) -> None:
    async with httpx.AsyncClient(base_url=base) as api:
        login = await api.post("/api/auth/login", json={"username": ADMIN[0], "password": ADMIN[1]})
        api.headers["X-CSRF-Token"] = login.json()["csrfToken"]
        sent = await api.post(
            "/api/sandbox/1/inbound", json={"from": new_phone(), "name": "Report", "text": "hola"}
        )
        assert sent.status_code == 201, sent.text


def mean_text(mean: float) -> str:
    """A mean rating as the console writes it in en-US: one or two decimals ("4.0", "4.25")."""
    text = f"{mean:.2f}"
    return text[:-1] if text.endswith("0") else text


async def expect_satisfaction(context: Any, page: Any, base: str) -> None:
    """The satisfaction KPI says what the summary API says for the same days: "—" and a
    note while nobody answered a survey (other tests on this server may have answered)."""
    query = {
        "from": await page.get_by_test_id("report-from").input_value(),
        "to": await page.get_by_test_id("report-to").input_value(),
        "tz": ZONE,
    }
    response = await context.request.get(f"{base}/api/reports/summary", params=query)
    assert response.ok, await response.text()
    totals = (await response.json())["totals"]
    kpi = page.get_by_test_id("kpi-satisfaction")
    card = kpi.locator("..")
    if totals["satisfaction"] is None:
        assert totals["satisfactionResponses"] == 0
        await expect(kpi).to_have_text("—")
        await expect(card).to_contain_text("No satisfaction survey yet")
    else:
        count = totals["satisfactionResponses"]
        await expect(kpi).to_have_text(mean_text(totals["satisfaction"]))
        await expect(card).to_contain_text(f"of 5 · {count} answer{'' if count == 1 else 's'}")


async def number(locator: Any) -> int:
    await expect(locator).to_have_text(re.compile(r"^\d+$"))
    return int(await locator.inner_text())


async def test_an_admin_reads_charts_tables_and_exports_csv(
    live_server: Any, browser_context: Any
) -> None:
    base = live_server.url
    context = await browser_context.browser.new_context(
        locale="en-US", timezone_id=ZONE, viewport={"width": 1280, "height": 800}
    )
    page = await open_chat(context, base)
    await go_to(page, "reports")
    await expect(page).to_have_url(re.compile(r"/reports$"))
    await expect(page.get_by_test_id("reports-page")).to_be_visible()
    today = datetime.now(ZoneInfo(ZONE)).date().isoformat()
    await expect(page.get_by_test_id("report-to")).to_have_value(today)

    opened = page.get_by_test_id("kpi-opened")
    before = await number(opened)
    await a_customer_writes(base)
    await page.reload()
    await expect(opened).to_have_text(str(before + 1))
    await expect_satisfaction(context, page, base)

    # Both charts draw on a canvas; the per-day table has the 7 days, today last.
    await expect(page.get_by_test_id("report-days-chart").locator("canvas")).to_be_visible()
    await expect(page.get_by_test_id("report-agents-chart").locator("canvas")).to_be_visible()
    rows = page.get_by_test_id("report-days").locator("tbody tr")
    await expect(rows).to_have_count(7)
    await expect(rows.last).to_have_attribute("data-testid", f"report-day-{today}")
    for table in ("report-days", "report-areas"):
        await expect(page.get_by_test_id(table).locator("thead")).to_contain_text("Satisfaction")
    await expect(page.get_by_test_id("report-areas")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "reports-1280.png"))
    await page.get_by_test_id("report-areas").scroll_into_view_if_needed()
    await page.screenshot(path=str(ARTIFACTS / "reports-1280-tables.png"))

    async with page.expect_download() as info:
        await page.get_by_test_id("report-days-csv").click()
    download = await info.value
    assert download.suggested_filename.startswith("days-") and download.suggested_filename.endswith(
        f"{today}.csv"
    )
    path = await download.path()
    lines = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [line["day"] for line in lines][-1] == today
    assert int(lines[-1]["opened"]) >= 1

    # A range that ends before it starts: the server's message, no figures lost.
    await page.get_by_test_id("report-from").fill("2026-03-10")
    await page.get_by_test_id("report-to").fill("2026-03-01")
    await expect(page.get_by_test_id("report-error")).to_contain_text("must not be before")
    await context.close()


async def test_supervisors_see_their_areas_and_operators_no_screen(
    live_server: Any, browser_context: Any
) -> None:
    base = live_server.url
    page = await open_chat(browser_context, base, SUPERVISOR)
    await go_to(page, "reports")
    await expect(page.get_by_test_id("reports-page")).to_be_visible()
    areas = page.get_by_test_id("report-filter-areaId").locator("option")
    await expect(areas).to_have_text(["All", "Soporte"])
    await expect(page.get_by_test_id("report-areas")).to_be_visible()
    await expect(page.get_by_test_id("report-areas")).not_to_contain_text("Ventas")
    await log_out(page)

    await login(page, base, *OPERATOR)
    await expect(page).to_have_url(re.compile(r"/chat$"))
    await expect(page.get_by_test_id("nav-chat")).to_be_visible()
    await expect(page.get_by_test_id("nav-reports")).to_have_count(0)
    await page.goto(f"{base}/reports")
    await expect(page).to_have_url(re.compile(r"/chat$"))
