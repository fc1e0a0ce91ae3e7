"""Browser test of the composer's quick replies and private notes (see test_console.py)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.async_api import expect

from tests.e2e.steps import customer_writes, new_phone, open_chat


async def test_quick_reply_and_private_note(
    live_server: Any,
    browser_context: Any,
) -> None:
    base = live_server.url
    phone = new_phone()
    hello = f"hola {uuid.uuid4().hex[:6]}"

    chat = await open_chat(browser_context, base)

    sim = await customer_writes(browser_context, base, phone, "Ana", hello)

    item = chat.get_by_test_id("conversation-item").filter(has_text=phone)
    await expect(item).to_have_count(1)
    await item.click()
    await expect(chat.get_by_test_id("message").filter(has_text=hello)).to_have_count(1)

    # "/salu" suggests the demo's /saludo; Enter applies it with the placeholders filled.
    composer = chat.get_by_test_id("composer-input")
    await composer.click()
    await composer.press_sequentially("/salu")
    suggestions = chat.get_by_test_id("quick-reply-suggestions")
    await expect(suggestions).to_be_visible()
    await expect(suggestions.get_by_test_id("quick-reply-option").first).to_have_attribute(
        "data-shortcut", "saludo"
    )
    await composer.press("Enter")
    await expect(suggestions).to_have_count(0)
    await expect(composer).to_have_value(re.compile(r"^¡Hola Ana! Soy Test Admin"))
    await expect(composer).not_to_have_value(
        re.compile(r"\[OPERADOR\]|\{contactName\}|\{areaName\}")
    )
    greeting = await composer.input_value()

    # Enter again sends it as a normal message.
    await composer.press("Enter")
    sent = chat.get_by_test_id("message").filter(has_text="¡Hola Ana! Soy Test Admin")
    await expect(sent).to_have_attribute("data-direction", "out")
    await expect(sent).to_have_attribute("data-type", "text")
    await expect(composer).to_have_value("")
    await expect(sim.get_by_test_id("sim-message").filter(has_text=greeting)).to_have_count(1)

    # A private note: rendered as a note, and never sent to the phone.
    note_text = f"nota interna {uuid.uuid4().hex[:6]}"
    await chat.get_by_test_id("note-toggle").click()
    await expect(chat.get_by_test_id("note-toggle")).to_have_attribute("aria-pressed", "true")
    await composer.fill(note_text)
    await chat.get_by_test_id("composer-send").click()
    note = chat.get_by_test_id("message").filter(has_text=note_text)
    await expect(note).to_have_attribute("data-type", "note")
    await expect(note.get_by_test_id("note-label")).to_be_visible()
    await expect(composer).to_have_value("")
    await expect(sim.get_by_test_id("sim-message").filter(has_text=note_text)).to_have_count(0)
