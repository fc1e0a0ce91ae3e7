"""WPPConnect and Evolution: what cannot be read is kept whole as a dead letter of its
channel and re-processed by an admin; numbers where strings belong and senders WhatsApp
names only by a LID are read, not dropped."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from helpline.channels.providers.wppconnect import parser as gateway_parser
from helpline.contacts.models import Contact
from tests.conftest import App, CapturedEvents
from tests.gateway.helpers import (
    EVO_TEXT,
    evo_message,
    load,
    make_channel,
    messages,
    posted,
    wpp_message,
)


async def letters(admin: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await admin.get("/api/dead-letters")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def contacts(app: App) -> list[Contact]:
    async with app.db.sessionmaker() as session:
        return list(await session.scalars(select(Contact).order_by(Contact.id)))


async def test_wppconnect_parser_failure_is_kept_and_reprocessed_after_an_upgrade(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel_id = await make_channel(admin, "wppconnect")
    fixed = gateway_parser._wpp_inbound

    def broken(*args: Any) -> Any:
        raise KeyError("a field this version did not expect")

    monkeypatch.setattr(gateway_parser, "_wpp_inbound", broken)
    summary = await posted(admin, "wppconnect", channel_id, wpp_message(), dead_letters=1)
    assert summary["messages"] == 0
    (letter,) = await letters(admin)
    assert (letter["provider"], letter["channelId"], letter["status"]) == (
        "wppconnect",
        channel_id,
        "pending",
    )
    assert "parser failed: KeyError" in letter["reason"]
    assert await messages(admin) == []

    monkeypatch.setattr(gateway_parser, "_wpp_inbound", fixed)
    events.clear()
    done = (await admin.post(f"/api/dead-letters/{letter['id']}/reprocess")).json()
    assert (done["status"], done["storedMessages"]) == ("done", 1)
    (msg,) = await messages(admin)
    assert msg["body"] == "Oi oi oi"
    assert len(events.named("message:new")) == 1
    await admin.post(f"/api/dead-letters/{letter['id']}/reprocess")
    assert len(await messages(admin)) == 1  # never twice


async def test_evolution_message_without_a_key_id_is_kept(
    app: App, admin: httpx.AsyncClient
) -> None:
    channel_id = await make_channel(admin, "evolution")
    body = evo_message(key={"remoteJid": "5491155550001@s.whatsapp.net", "fromMe": False})
    summary = await posted(admin, "evolution", channel_id, body, dead_letters=1)
    assert summary["messages"] == 0
    (letter,) = await letters(admin)
    assert "without a key id" in letter["reason"]
    again = (await admin.post(f"/api/dead-letters/{letter['id']}/reprocess")).json()
    assert again["status"] == "pending" and "without a key id" in again["lastError"]


async def test_evolution_sender_known_only_by_lid_becomes_a_contact(
    app: App, admin: httpx.AsyncClient
) -> None:
    channel_id = await make_channel(admin, "evolution")
    key = {**load(EVO_TEXT)["data"]["key"], "remoteJid": "218374659102837@lid"}
    await posted(admin, "evolution", channel_id, evo_message(key=key))
    (msg,) = await messages(admin)
    assert msg["body"] == "hola - text"
    (contact,) = await contacts(app)
    assert (contact.phone, contact.external_id) == (None, "218374659102837@lid")


async def test_wppconnect_numbers_where_strings_belong_are_read(
    app: App, admin: httpx.AsyncClient
) -> None:
    channel_id = await make_channel(admin, "wppconnect")
    body = wpp_message(**{"t": "1700000000", "notifyName": 42})
    summary = await posted(admin, "wppconnect", channel_id, body)
    assert summary["messages"] == 1
    (contact,) = await contacts(app)
    assert contact.name == "42"
