"""Browser test of the Bot screen: add keyword rules, reorder them, try a message, save,
and a customer on the phone simulator gets the rule's answer."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.async_api import expect

from tests.e2e.steps import ADMIN, go_to, login, new_phone


async def add_rule(page: Any, pattern: str, answer: str, match: str = "contains") -> None:
    await page.get_by_test_id("bot-rule-match").select_option(match)
    await page.get_by_test_id("bot-rule-pattern").fill(pattern)
    await page.get_by_test_id("bot-rule-answer").fill(answer)
    await page.get_by_test_id("bot-rule-add").click()


async def test_keyword_rules_answer_from_the_bot_screen(
    live_server: Any, browser_context: Any
) -> None:
    base = live_server.url
    word = f"promo{uuid.uuid4().hex[:6]}"
    answer = f"Promos de la semana ({word})"
    page = await browser_context.new_page()
    await login(page, base, *ADMIN)
    await go_to(page, "bot")
    await expect(page.get_by_test_id("bot-page")).to_be_visible()
    await expect(page.get_by_test_id("bot-help")).to_contain_text("flow")
    await expect(page.get_by_test_id("bot-channel")).not_to_have_value("")

    rules = page.get_by_test_id("bot-rule")
    before = await rules.count()
    await add_rule(page, rf"{word}s?\b", "regex answer", "regex")
    await add_rule(page, word.upper(), answer)
    await expect(rules).to_have_count(before + 2)
    # The contains rule goes above the regular expression: it answers first.
    await rules.nth(before + 1).get_by_test_id("bot-rule-up").click()
    await expect(rules.nth(before)).to_contain_text(answer)

    await page.get_by_test_id("bot-try-text").fill(f"¿Qué {word.upper()} tienen?")
    await page.get_by_test_id("bot-try-run").click()
    await expect(page.get_by_test_id("bot-try-result")).to_contain_text(f"{before + 1}")
    await expect(page.get_by_test_id("bot-try-result")).to_contain_text(answer)

    await page.get_by_test_id("bot-save").click()
    await expect(page.get_by_test_id("bot-saved")).to_be_visible()
    await page.reload()
    await expect(page.get_by_test_id("bot-rule")).to_have_count(before + 2)

    # A customer writes the keyword (accents and case aside) and gets the rule's answer.
    sim = await browser_context.new_page()
    await sim.goto(f"{base}/simulator")
    await expect(sim.get_by_test_id("sim-channel")).not_to_have_value("")
    await sim.get_by_test_id("sim-phone").fill(new_phone())
    await sim.get_by_test_id("sim-name").fill("Rita")
    await sim.get_by_test_id("sim-text").fill(f"hay {word.capitalize()}?")
    await sim.get_by_test_id("sim-send").click()
    reply = sim.get_by_test_id("sim-message").filter(has_text=answer)
    await expect(reply).to_have_attribute("data-direction", "out")
