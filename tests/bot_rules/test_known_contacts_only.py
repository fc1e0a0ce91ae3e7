"""A known-contacts-only channel, on every database: an unknown sender's message is not
stored (counted on the channel, answered with the configured reply), a known contact's
message is kept as usual."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from helpline.channels.providers.base import OutboundText, SendResult
from helpline.channels.providers.sandbox.provider import SandboxProvider
from helpline.contacts.models import Contact
from helpline.messages import delivery
from helpline.messages.models import Message
from tests.conftest import App, eventually

KNOWN = "+5491155550401"
STRANGER = "+5491155550402"


async def say(admin: httpx.AsyncClient, phone: str, text: str) -> httpx.Response:
    return await admin.post("/api/sandbox/1/inbound", json={"from": phone, "text": text})


async def test_unknown_senders_are_counted_not_stored(
    app: App, admin: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[OutboundText] = []
    original = SandboxProvider.send_text

    async def recording(self: SandboxProvider, message: OutboundText) -> SendResult:
        sent.append(message)
        return await original(self, message)

    monkeypatch.setattr(SandboxProvider, "send_text", recording)
    monkeypatch.setattr(delivery, "_REPLIED", {})  # whom this process answered today
    assert (await say(admin, KNOWN, "hola, ya soy cliente")).status_code == 201

    reply = "Este número atiende solo a clientes registrados."
    changed = await admin.patch(
        "/api/channels/1", json={"knownContactsOnly": True, "unknownReply": reply}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["knownContactsOnly"] is True
    assert changed.json()["unknownReply"] == reply

    dropped = await say(admin, STRANGER, "hola, ¿quién sos?")
    assert dropped.status_code == 202, dropped.text
    assert "known contacts only" in dropped.json()["detail"]
    assert (await say(admin, STRANGER, "¿hola?")).status_code == 202
    kept = await say(admin, KNOWN, "otra vez yo")
    assert kept.status_code == 201, kept.text

    async with app.db.sessionmaker() as session:
        strangers = await session.scalar(
            select(func.count()).select_from(Contact).where(Contact.phone == STRANGER)
        )
        stored = await session.scalar(
            select(func.count()).select_from(Message).where(Message.direction == "in")
        )
    assert strangers == 0  # neither a contact nor a message was kept
    assert stored == 2  # the known customer's two messages
    channel: dict[str, Any] = (await admin.get("/api/channels")).json()[0]
    assert channel["droppedToday"] == 2

    async def replied() -> list[OutboundText]:
        return [m for m in sent if m.to_phone == STRANGER]

    answers = await eventually(replied)
    assert [m.body for m in answers] == [reply]  # once a day, not once a message

    # Back to keeping everyone: the stranger's next message is stored.
    await admin.patch("/api/channels/1", json={"knownContactsOnly": False, "unknownReply": ""})
    assert (await say(admin, STRANGER, "¿y ahora?")).status_code == 201
    assert (await admin.get("/api/channels/1")).json()["unknownReply"] is None
