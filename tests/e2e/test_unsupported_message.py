"""Browser test: a Cloud API message of a kind the desk cannot show says so in the chat;
an admin can open what WhatsApp sent, a supervisor (who sees every chat) cannot."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from playwright.async_api import expect

from tests.conftest import login
from tests.e2e.steps import ADMIN, new_phone, open_chat
from tests.e2e.test_media_chat import cloud_number, open_conversation, start_graph


async def test_unsupported_message_is_said_and_its_raw_body_is_for_admins(
    live_server: Any, browser_context: Any
) -> None:
    base = live_server.url
    tag = uuid.uuid4().hex[:6]
    wa_id = new_phone().lstrip("+")
    hello = f"hola {tag}"
    graph, runner = await start_graph()
    try:
        cloud = await cloud_number(base, graph)
        await cloud.receive(wa_id, {"type": "text", "text": {"body": hello}})
        await cloud.receive(wa_id, {"type": "hologram", "hologram": {"frames": 3, "tag": tag}})
        supervisor = (f"sup{tag}", "Secret123!")
        async with httpx.AsyncClient(base_url=base) as admin:
            await login(admin, *ADMIN)
            made = await admin.post(
                "/api/users",
                json={
                    "username": supervisor[0],
                    "name": "Sup",
                    "password": supervisor[1],
                    "role": "SUPERVISOR",
                },
            )
            assert made.status_code == 201, made.text

        chat = await open_chat(browser_context, base)
        await open_conversation(chat, wa_id, hello)
        notice = chat.get_by_test_id("message-unsupported")
        await expect(notice).to_contain_text("This kind of message is not supported yet")
        await notice.get_by_test_id("message-raw-toggle").click()
        raw = notice.get_by_test_id("message-raw")
        await expect(raw).to_contain_text('"hologram"')
        await expect(raw).to_contain_text(tag)
        await chat.close()

        await browser_context.clear_cookies()  # log out: the supervisor's turn
        sup_chat = await open_chat(browser_context, base, supervisor)
        await open_conversation(sup_chat, wa_id, hello)
        sup_notice = sup_chat.get_by_test_id("message-unsupported")
        await expect(sup_notice).to_contain_text("This kind of message is not supported yet")
        await expect(sup_notice.get_by_test_id("message-raw-toggle")).to_have_count(0)
    finally:
        await runner.cleanup()
