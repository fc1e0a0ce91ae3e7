"""Satisfaction surveys in a real browser: an admin turns an area's survey on and edits its
question on the Areas screen; a conversation served in that area closes, the customer
answers "4, muy amables" on the phone simulator, and the conversation's timeline shows the
rating and the comment; the reports count it for that area."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import expect

from tests.e2e.steps import ADMIN, customer_writes, go_to, new_phone, open_chat

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
QUESTION = "¿Qué tal te atendimos? Responde del 1 al 5."


async def admin_api(base: str) -> httpx.AsyncClient:
    api = httpx.AsyncClient(base_url=base)
    login = await api.post("/api/auth/login", json={"username": ADMIN[0], "password": ADMIN[1]})
    assert login.status_code == 200, login.text
    api.headers["X-CSRF-Token"] = login.json()["csrfToken"]
    return api


async def test_a_rated_conversation_shows_in_its_timeline(
    live_server: Any, browser_context: Any
) -> None:
    base = live_server.url
    # An area of its own: the live server is shared, and the other tests close conversations
    # in the demo's areas (with the survey on there, their customers would be asked too).
    area_name = f"Encuestas {uuid.uuid4().hex[:6]}"
    api = await admin_api(base)
    area_id: int | None = None
    try:
        created = await api.post(
            "/api/areas",
            json={"name": area_name, "active": True, "autoAssign": False, "capacity": 5},
        )
        assert created.status_code == 201, created.text
        area_id = created.json()["id"]
        before = (await api.get(f"/api/areas/{area_id}/survey")).json()
        assert before["enabled"] is False

        # Areas screen: the survey dialog of that area, off at first.
        page = await open_chat(browser_context, base)
        await go_to(page, "areas")
        row = page.locator(f'[data-testid="area-row"][data-area-id="{area_id}"]')
        await row.get_by_test_id("area-survey").click()
        dialog = page.get_by_test_id("area-survey-dialog")
        await expect(dialog).to_contain_text(area_name)
        enabled = dialog.get_by_test_id("survey-enabled")
        await expect(enabled).not_to_be_checked()
        await expect(dialog.get_by_test_id("survey-question")).to_have_value(before["question"])
        save = dialog.get_by_test_id("survey-save")
        await expect(save).to_be_disabled()  # nothing changed yet

        # A blank text is flagged and cannot be saved.
        await dialog.get_by_test_id("survey-thanks").fill("   ")
        await expect(dialog.get_by_test_id("survey-thanks-error")).to_have_text("Required.")
        await expect(save).to_be_disabled()
        await dialog.get_by_test_id("survey-thanks").fill(before["thanks"])

        # On, with a question of its own.
        await enabled.check()
        await expect(dialog).to_contain_text("Survey on")
        await dialog.get_by_test_id("survey-question").fill(QUESTION)
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "survey-editor-1280.png"))
        await save.click()
        await expect(dialog).to_have_count(0)
        stored = (await api.get(f"/api/areas/{area_id}/survey")).json()
        assert stored == {
            "areaId": area_id,
            "enabled": True,
            "question": QUESTION,
            "thanks": before["thanks"],
        }

        # A reload shows what the server has.
        await page.reload()
        await row.get_by_test_id("area-survey").click()
        await expect(dialog.get_by_test_id("survey-enabled")).to_be_checked()
        await expect(dialog.get_by_test_id("survey-question")).to_have_value(QUESTION)
        await dialog.get_by_test_id("survey-cancel").click()
        await expect(dialog).to_have_count(0)

        # A customer writes; the conversation goes to that area and the admin serves it.
        phone = new_phone()
        hello = f"hola {uuid.uuid4().hex[:6]}"
        sim = await customer_writes(browser_context, base, phone, "Encuestado", hello)
        await go_to(page, "chat")
        item = page.get_by_test_id("conversation-item").filter(has_text=phone)
        await expect(item).to_have_count(1)
        conv_id = await item.get_attribute("data-conversation-id")
        assert conv_id
        moved = await api.post(f"/api/conversations/{conv_id}/transfer", json={"areaId": area_id})
        assert moved.status_code == 200, moved.text
        taken = await api.post(f"/api/conversations/{conv_id}/take")
        assert taken.status_code == 200, taken.text

        # Closing it in the console sends the question to the phone.
        await item.click()
        await expect(page.get_by_test_id("conversation-status")).to_have_attribute(
            "data-status", "active"
        )
        await page.get_by_test_id("close-conversation").click()
        await page.get_by_test_id("confirm-close").click()
        await expect(page.get_by_test_id("conversation-status")).to_have_attribute(
            "data-status", "closed"
        )
        asked = sim.get_by_test_id("sim-message").filter(has_text="Qué tal te atendimos")
        await expect(asked).to_have_attribute("data-direction", "out")

        # The customer rates it with a comment; the thanks come back.
        await sim.get_by_test_id("sim-text").fill("4, muy amables")
        await sim.get_by_test_id("sim-send").click()
        thanks = sim.get_by_test_id("sim-message").filter(has_text=before["thanks"][:20])
        await expect(thanks).to_have_attribute("data-direction", "out")

        # The closed conversation's timeline: sent, then rated 4 of 5 with the comment.
        await page.get_by_test_id("toggle-timeline").click()
        timeline = page.get_by_test_id("timeline")
        sent = timeline.locator('[data-testid="timeline-event"][data-type="survey_sent"]')
        await expect(sent).to_contain_text("Satisfaction survey sent")
        rated = timeline.locator('[data-testid="timeline-event"][data-type="survey_rated"]')
        await expect(rated).to_contain_text("Rated 4 of 5")
        await expect(rated.get_by_test_id("timeline-stars")).to_have_attribute("data-rating", "4")
        await expect(rated.get_by_test_id("timeline-note")).to_have_text("“muy amables”")
        await expect(rated).to_contain_text("by the customer")
        await expect(timeline).not_to_contain_text("Event: survey")
        await page.screenshot(path=str(ARTIFACTS / "survey-timeline-1280.png"))

        survey = (await api.get(f"/api/conversations/{conv_id}/survey")).json()
        assert (survey["rating"], survey["comment"]) == (4, "muy amables")

        # The reports, for that area: a mean of 4 from one answer.
        await go_to(page, "reports")
        await page.get_by_test_id("report-filter-areaId").select_option(str(area_id))
        kpi = page.get_by_test_id("kpi-satisfaction")
        await expect(kpi).to_have_text("4.0")
        await expect(kpi.locator("..")).to_contain_text("of 5 · 1 answer")
        area_row = page.get_by_test_id(f"report-area-{area_id}")
        await expect(area_row.get_by_test_id("report-satisfaction")).to_have_text(
            re.compile(r"^4\.0\s*\(1\)$")
        )
    finally:
        # Off again, so that nothing else on the shared server is asked.
        if area_id is not None:
            await api.put(
                f"/api/areas/{area_id}/survey",
                json={"enabled": False, "question": QUESTION, "thanks": "Gracias"},
            )
        await api.aclose()
