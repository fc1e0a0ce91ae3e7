"""Webhook bodies that used to be answered 200 and then dropped: each is now stored and
announced to the operators. The bodies are in `tests/cloud/payloads/` (see its README)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from helpline.contacts.models import Contact
from tests.cloud.helpers import (
    cloud_channel,
    first_value,
    payload_names,
    post_webhook,
    stored,
)
from tests.cloud.helpers import load as payload
from tests.conftest import App, CapturedEvents, login, make_user

COVERED = {
    "interactive_button_reply_numeric_timestamp.json",
    "interactive_list_reply_numeric_timestamp.json",
    "interactive_nfm_reply_numeric_timestamp.json",
    "interactive_button_reply_with_referral.json",
    "message_text_from_username_without_phone.json",
}


def test_every_payload_file_has_its_test() -> None:
    """A new body in `payloads/` must get a test here (besides the guard in test_webhook)."""
    assert set(payload_names()) == COVERED


async def contacts(app: App) -> list[Contact]:
    async with app.db.sessionmaker() as session:
        return list(await session.scalars(select(Contact).order_by(Contact.id)))


async def deliver(admin: httpx.AsyncClient, body: dict[str, Any]) -> None:
    response = await post_webhook(admin, body)
    assert response.status_code == 200, response.text
    assert response.json()["messages"] == 1, response.json()


def announced(events: CapturedEvents, wamid_body: str) -> dict[str, Any]:
    """The `message:new` event the operators got for the message with this body."""
    news = [e for e in events.named("message:new") if e.payload["message"]["body"] == wamid_body]
    assert len(news) == 1, [e.payload["message"]["body"] for e in events.named("message:new")]
    assert "role:ADMIN" in news[0].rooms
    assert len(events.named("conversation:incoming")) == 1
    return news[0].payload


@pytest.mark.parametrize(
    ("name", "body", "reply_id"),
    [
        ("interactive_button_reply_numeric_timestamp.json", "Ventas", "main:1"),
        ("interactive_list_reply_numeric_timestamp.json", "Soporte", "main:2"),
        ("interactive_button_reply_with_referral.json", None, "promo:yes"),
    ],
)
async def test_interactive_reply_with_a_numeric_timestamp_is_stored(
    app: App,
    admin: httpx.AsyncClient,
    events: CapturedEvents,
    name: str,
    body: str | None,
    reply_id: str,
) -> None:
    channel_id = await cloud_channel(admin)
    data = payload(name)
    assert isinstance(first_value(data)["messages"][0]["timestamp"], int)  # the case itself
    await deliver(admin, data)
    (msg,) = await stored(app, channel_id)
    assert msg.type == "interactive"
    assert msg.payload == {"replyId": reply_id}
    if body is not None:
        assert msg.body == body
    else:  # from an ad: the console says which
        assert msg.body == "Quiero la promo\n[from ad: Promo de verano]"
    event = announced(events, msg.body)
    assert event["message"]["id"] == msg.id
    assert event["conversation"]["contact"]["phone"] == "+5491155550101"
    # Meta delivers it again: nothing new, nothing announced twice.
    await post_webhook(admin, data)
    assert len(await stored(app, channel_id)) == 1
    assert len(events.named("message:new")) == 1


async def test_flow_reply_with_a_numeric_timestamp_is_stored(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    channel_id = await cloud_channel(admin)
    await deliver(admin, payload("interactive_nfm_reply_numeric_timestamp.json"))
    (msg,) = await stored(app, channel_id)
    assert (msg.type, msg.body) == ("interactive", "[form] Sent")
    assert msg.provider_message_id == "wamid.NFM_NUMERIC_TS"
    announced(events, "[form] Sent")


async def test_username_without_a_phone_becomes_a_contact_known_by_its_user_id(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    channel_id = await cloud_channel(admin)
    data = payload("message_text_from_username_without_phone.json")
    assert "from" not in first_value(data)["messages"][0]  # the case itself
    await deliver(admin, data)
    (msg,) = await stored(app, channel_id)
    assert (msg.type, msg.body) == ("text", "Hola, soy Ana")
    (contact,) = await contacts(app)
    assert (contact.phone, contact.external_id) == (None, "AR.1502576394655843")
    assert contact.name == "Ana López"
    event = announced(events, "Hola, soy Ana")
    assert event["conversation"]["contact"]["phone"] is None
    assert event["conversation"]["contact"]["externalId"] == "AR.1502576394655843"
    listed = (await admin.get("/api/conversations")).json()
    assert "AR.1502576394655843" in json.dumps(listed)
    # A second message from the same user id joins the same contact and conversation.
    again = payload("message_text_from_username_without_phone.json")
    again_msg = first_value(again)["messages"][0]
    again_msg["id"], again_msg["text"]["body"] = "wamid.USERNAME_2", "¿Siguen ahí?"
    await deliver(admin, again)
    first, second = await stored(app, channel_id)
    assert first.conversation_id == second.conversation_id
    assert len(await contacts(app)) == 1


async def test_user_id_beside_a_phone_is_kept_and_finds_the_contact_later(
    app: App, admin: httpx.AsyncClient
) -> None:
    """Meta sends both while it may: the id stays on the phone's contact, so the day the
    phone is withheld the customer is still the same person."""
    channel_id = await cloud_channel(admin)
    with_phone = payload("message_text_from_username_without_phone.json")
    value = first_value(with_phone)
    value["contacts"][0]["wa_id"] = "5491155550202"
    value["messages"][0]["from"] = "5491155550202"
    value["messages"][0]["id"] = "wamid.WITH_PHONE"
    await deliver(admin, with_phone)
    await deliver(admin, payload("message_text_from_username_without_phone.json"))
    (contact,) = await contacts(app)
    assert (contact.phone, contact.external_id) == ("+5491155550202", "AR.1502576394655843")
    first, second = await stored(app, channel_id)
    assert first.conversation_id == second.conversation_id


async def test_a_kind_this_version_does_not_know_is_stored_as_unsupported_with_its_raw_body(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    channel_id = await cloud_channel(admin)
    body = payload("message__text__pywa.json")
    first_value(body)["metadata"]["phone_number_id"] = "1122334455667"
    message = first_value(body)["messages"][0]
    del message["text"]
    message["type"] = "hologram"
    message["hologram"] = {"frames": 3, "id": 1234}
    await deliver(admin, body)
    (msg,) = await stored(app, channel_id)
    assert (msg.type, msg.body) == ("unsupported", "[hologram]")
    # Operators see that it is kept, not what it is.
    event = announced(events, "[hologram]")
    assert event["message"]["payload"] == {"unsupported": {"type": "hologram"}, "rawKept": True}
    listed = await admin.get("/api/messages", params={"conversationId": msg.conversation_id})
    assert listed.json()["items"][0]["payload"] == event["message"]["payload"]
    raw = await admin.get(f"/api/messages/{msg.id}/raw")
    assert raw.status_code == 200
    assert raw.json()["raw"]["hologram"] == {"frames": 3, "id": 1234}
    await make_user(admin, "ana", role="OPERATOR")
    async with app.client() as operator:
        await login(operator, "ana", "Secret123!")
        assert (await operator.get(f"/api/messages/{msg.id}/raw")).status_code == 403
    assert (await admin.get("/api/messages/999999/raw")).status_code == 404


async def test_whatsapps_own_unsupported_message_keeps_its_raw_body(
    app: App, admin: httpx.AsyncClient
) -> None:
    channel_id = await cloud_channel(admin)
    body = payload("message__unsupported_with_type__pywa.json")
    first_value(body)["metadata"]["phone_number_id"] = "1122334455667"
    await deliver(admin, body)
    (msg,) = await stored(app, channel_id)
    assert msg.type == "unsupported"
    raw = (await admin.get(f"/api/messages/{msg.id}/raw")).json()["raw"]
    assert raw == first_value(body)["messages"][0]
