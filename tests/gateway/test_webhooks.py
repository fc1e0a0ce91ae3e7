"""The WPPConnect and Evolution webhooks, posted over HTTP to the whole app: every shared
sample handled (one test per file), secrets enforced, session events moving the channel,
delivery reports moving the messages the desk sent."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from tests.cloud.helpers import stored
from tests.conftest import App, eventually
from tests.gateway.helpers import (
    EVO_CLOSE_401,
    EVO_FROM_ME,
    EVO_IMAGE,
    EVO_TEXT,
    EVO_V2,
    QR_TEXT,
    WPP_MESSAGE,
    FakeEvolution,
    FakeWpp,
    channel,
    evo_message,
    fixture_names,
    load,
    make_channel,
    messages,
    post_event,
    posted,
    wpp_event,
    wpp_message,
)

GATEWAY_LOG = "helpline.webhooks.gateway"


def test_every_shared_sample_has_its_test() -> None:
    """A new file in the shared fixtures must get a test here."""
    covered = {WPP_MESSAGE, EVO_TEXT, EVO_IMAGE, EVO_FROM_ME, EVO_V2, EVO_CLOSE_401}
    assert set(fixture_names("wppconnect") + fixture_names("evolution")) == covered


async def conversations(admin: httpx.AsyncClient) -> str:
    response = await admin.get("/api/conversations")
    assert response.status_code == 200, response.text
    return json.dumps(response.json(), ensure_ascii=False)


# --- one test per shared sample -----------------------------------------------------------


async def test_wppconnect_incoming_chat(app: App, admin: httpx.AsyncClient) -> None:
    channel_id = await make_channel(admin, "wppconnect")
    body = wpp_event("onmessage", load(WPP_MESSAGE))
    assert await posted(admin, "wppconnect", channel_id, body) == {
        "messages": 1,
        "statuses": 0,
        "sessions": 0,
        "ignored": 0,
    }
    (msg,) = await messages(admin)
    assert (msg["type"], msg["body"], msg["direction"]) == ("text", "Oi oi oi", "in")
    listed = await conversations(admin)
    assert "+556593077171" in listed and "Anselmo Schaefler" in listed
    # Delivered again, and as onanymessage (the server posts both): still one message.
    await posted(admin, "wppconnect", channel_id, body)
    await posted(admin, "wppconnect", channel_id, wpp_event("onanymessage", load(WPP_MESSAGE)))
    assert len(await messages(admin)) == 1


async def test_evolution_incoming_text(app: App, admin: httpx.AsyncClient) -> None:
    channel_id = await make_channel(admin, "evolution")
    summary = await posted(admin, "evolution", channel_id, load(EVO_TEXT))
    assert summary["messages"] == 1 and summary["ignored"] == 0
    (msg,) = await messages(admin)
    assert (msg["type"], msg["body"], msg["direction"]) == ("text", "hola - text", "in")
    listed = await conversations(admin)
    assert "+59171146267" in listed and "percy alvarez E1" in listed
    await posted(admin, "evolution", channel_id, load(EVO_TEXT))
    assert len(await messages(admin)) == 1


async def test_evolution_incoming_image(app: App, admin: httpx.AsyncClient) -> None:
    channel_id = await make_channel(admin, "evolution")
    summary = await posted(admin, "evolution", channel_id, load(EVO_IMAGE))
    assert summary["messages"] == 1
    (msg,) = await messages(admin)
    assert msg["type"] == "image"
    assert msg["body"] == "[image] hola - text con multimedia (imagen)"


async def test_evolution_outgoing_from_me_is_ignored(
    app: App, admin: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=GATEWAY_LOG)
    channel_id = await make_channel(admin, "evolution")
    summary = await posted(admin, "evolution", channel_id, load(EVO_FROM_ME))
    assert summary == {"messages": 0, "statuses": 0, "sessions": 0, "ignored": 1}
    assert await messages(admin) == []
    assert "3EB0B7AA9746D9215C1340 sent from this number" in caplog.text


async def test_evolution_v2_fields(app: App, admin: httpx.AsyncClient) -> None:
    """The newer build's sample (status, instanceId, source: ios) is the business's own
    message: ignored. The same from the customer is stored."""
    channel_id = await make_channel(admin, "evolution", instance="nome-da-instancia")
    summary = await posted(admin, "evolution", channel_id, load(EVO_V2))
    assert summary["ignored"] == 1 and summary["messages"] == 0
    incoming = evo_message(
        EVO_V2, key={"remoteJid": "558197088404@s.whatsapp.net", "fromMe": False, "id": "3AE9IN"}
    )
    assert (await posted(admin, "evolution", channel_id, incoming))["messages"] == 1
    (msg,) = await messages(admin)
    assert msg["body"] == "Texto da mensagem"
    assert "Nome do Remetente" in await conversations(admin)


async def test_evolution_connection_close_401(app: App, admin: httpx.AsyncClient) -> None:
    channel_id = await make_channel(admin, "evolution")
    summary = await posted(admin, "evolution", channel_id, load(EVO_CLOSE_401))
    assert summary == {"messages": 0, "statuses": 0, "sessions": 1, "ignored": 0}
    shown = await channel(admin, channel_id)
    assert shown["status"] == "error"
    assert "logged out" in shown["statusDetail"].lower()
    assert await messages(admin) == []


# --- the secret -----------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["wppconnect", "evolution"])
async def test_missing_or_wrong_secret_is_refused_and_logged(
    app: App, admin: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, provider: str
) -> None:
    caplog.set_level(logging.WARNING, logger=GATEWAY_LOG)
    channel_id = await make_channel(admin, provider)
    body = wpp_message() if provider == "wppconnect" else load(EVO_TEXT)
    async with app.client() as anonymous:  # the bridge has no session cookie
        for secret in (None, "wrong-secret", ""):
            response = await post_event(anonymous, provider, channel_id, body, secret=secret)
            assert response.status_code == 401, response.text
        response = await post_event(anonymous, provider, channel_id, body, "wrong", in_query=True)
        assert response.status_code == 401
        assert await messages(admin) == []
        assert "missing secret" in caplog.text and "wrong secret" in caplog.text
        # The secret in the query string (bridges that can't send headers) is accepted.
        response = await post_event(anonymous, provider, channel_id, body, in_query=True)
        assert response.status_code == 200, response.text
    assert len(await messages(admin)) == 1


async def test_unknown_channel_or_other_provider_is_404(app: App, admin: httpx.AsyncClient) -> None:
    wpp_id = await make_channel(admin, "wppconnect")
    evo_id = await make_channel(admin, "evolution")
    assert (await post_event(admin, "evolution", wpp_id, load(EVO_TEXT))).status_code == 404
    assert (await post_event(admin, "wppconnect", evo_id, wpp_message())).status_code == 404
    assert (await post_event(admin, "wppconnect", 99999, wpp_message())).status_code == 404
    sandbox_id = (await admin.get("/api/channels")).json()[0]["id"]
    assert (await post_event(admin, "wppconnect", sandbox_id, wpp_message())).status_code == 404
    assert await messages(admin) == []


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"text"'])
async def test_authenticated_garbage_is_kept_as_a_dead_letter(
    app: App, admin: httpx.AsyncClient, body: bytes
) -> None:
    channel_id = await make_channel(admin, "wppconnect")
    summary = await posted(admin, "wppconnect", channel_id, body, dead_letters=1)
    assert summary["messages"] == 0
    (letter,) = (await admin.get("/api/dead-letters")).json()["items"]
    assert (letter["provider"], letter["channelId"]) == ("wppconnect", channel_id)
    assert (await admin.get(f"/api/dead-letters/{letter['id']}")).json()["body"] == body.decode()


async def test_events_for_another_session_are_ignored(app: App, admin: httpx.AsyncClient) -> None:
    wpp_id = await make_channel(admin, "wppconnect")
    other = {**wpp_message(), "session": "someone-else"}
    assert (await posted(admin, "wppconnect", wpp_id, other))["ignored"] == 1
    evo_id = await make_channel(admin, "evolution", instance="another-instance")
    assert (await posted(admin, "evolution", evo_id, load(EVO_TEXT)))["ignored"] == 1
    assert await messages(admin) == []


async def test_events_the_desk_does_not_use_are_counted(app: App, admin: httpx.AsyncClient) -> None:
    wpp_id = await make_channel(admin, "wppconnect")
    for body in (
        wpp_event("onpresencechanged", {"id": "5565@c.us", "isOnline": True}),
        wpp_event("incomingcall", {"id": "call-1", "peerJid": "5565@c.us"}),
        wpp_message(isGroupMsg=True, **{"from": "120363041967849074@g.us"}),
        wpp_message(fromMe=True),
        wpp_message(type="e2e_notification"),
    ):
        summary = await posted(admin, "wppconnect", wpp_id, body)
        assert summary["ignored"] == 1 and summary["messages"] == 0, body.get("event")
    evo_id = await make_channel(admin, "evolution")
    for event in ("contacts.upsert", "presence.update", "send.message"):
        body = {"event": event, "instance": "tigo1", "data": {"remoteJid": "5565@s.whatsapp.net"}}
        assert (await posted(admin, "evolution", evo_id, body))["ignored"] == 1
    assert await messages(admin) == []


async def test_unknown_message_types_are_kept_as_unsupported(
    app: App, admin: httpx.AsyncClient
) -> None:
    wpp_id = await make_channel(admin, "wppconnect")
    await posted(admin, "wppconnect", wpp_id, wpp_message(type="poll_creation", body=""))
    evo_id = await make_channel(admin, "evolution")
    body = evo_message(
        EVO_TEXT,
        message={"pollCreationMessageV3": {"name": "?"}},
        messageType="pollCreationMessageV3",
    )
    await posted(admin, "evolution", evo_id, body)
    stored = await messages(admin)
    assert [(m["type"], m["body"]) for m in stored] == [
        ("unsupported", "[unsupported: poll_creation]"),
        ("unsupported", "[unsupported: pollCreationMessageV3]"),
    ]


# --- session events -----------------------------------------------------------------------


async def test_wppconnect_session_events_move_the_channel(
    app: App, admin: httpx.AsyncClient
) -> None:
    channel_id = await make_channel(admin, "wppconnect")

    async def shown(body: dict[str, Any]) -> dict[str, Any]:
        summary = await posted(admin, "wppconnect", channel_id, body)
        assert summary["sessions"] == 1, summary
        return await channel(admin, channel_id)

    qr = await shown(wpp_event("qrcode", {"qrcode": "iVBORw0K", "urlcode": QR_TEXT}))
    assert (qr["status"], qr["qr"]) == ("qr", QR_TEXT)
    assert (await shown(wpp_event("status-find", {"status": "qrReadSuccess"})))["status"] == (
        "connecting"
    )
    connected = await shown(wpp_event("status-find", {"status": "inChat"}))
    assert (connected["status"], connected["qr"]) == ("connected", None)
    unpaired = await shown(wpp_event("onstatechange", {"state": "UNPAIRED"}))
    assert unpaired["status"] == "error"
    lost = await shown(wpp_event("status-find", {"status": "desconnectedMobile"}))
    assert (lost["status"], lost["statusDetail"]) == ("error", "Logged out from the phone")
    closed = await shown(wpp_event("closesession", {"message": "Session: x disconnected"}))
    assert closed["status"] == "disconnected"
    history = (await admin.get(f"/api/channels/{channel_id}/history")).json()
    assert [h["status"] for h in history][:3] == ["disconnected", "error", "connected"]


async def test_evolution_session_events_move_the_channel(
    app: App, admin: httpx.AsyncClient
) -> None:
    channel_id = await make_channel(admin, "evolution")
    qr_event = {
        "event": "qrcode.updated",
        "instance": "tigo1",
        "data": {"qrcode": {"instance": "tigo1", "pairingCode": None, "code": QR_TEXT}},
    }
    await posted(admin, "evolution", channel_id, qr_event)
    shown = await channel(admin, channel_id)
    assert (shown["status"], shown["qr"]) == ("qr", QR_TEXT)
    opened = {
        "event": "connection.update",
        "instance": "tigo1",
        "data": {
            "instance": "tigo1",
            "wuid": "59169375664@s.whatsapp.net",
            "profileName": "IPTV - T1",
            "state": "open",
            "statusReason": 200,
        },
    }
    await posted(admin, "evolution", channel_id, opened)
    shown = await channel(admin, channel_id)
    assert (shown["status"], shown["phone"]) == ("connected", "+59169375664")
    # An ordinary close (Evolution reconnects by itself) is not an error.
    closed = load(EVO_CLOSE_401)
    closed["data"]["statusReason"] = 428
    await posted(admin, "evolution", channel_id, closed)
    shown = await channel(admin, channel_id)
    assert (shown["status"], shown["statusDetail"]) == ("disconnected", "Connection closed (428)")


# --- delivery reports on what the desk sent ------------------------------------------------


async def open_and_reply(
    app: App, admin: httpx.AsyncClient, provider: str, channel_id: int, first: dict[str, Any]
) -> dict[str, Any]:
    """The customer writes, the session is up, an operator answers: the delivery worker
    sends the answer through the fake server. Returns the sent message."""
    await posted(admin, provider, channel_id, first)
    conv_id = (await messages(admin))[0]["conversationId"]
    sent = await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": "Olá!"})
    assert sent.status_code == 201, sent.text
    message_id = sent.json()["id"]

    async def delivered_to_server() -> list[dict[str, Any]]:
        return [m for m in await messages(admin) if m["id"] == message_id and m["status"] == "sent"]

    (msg,) = await eventually(delivered_to_server, within=15)
    return msg


async def provider_id_of(app: App, message_id: int) -> str:
    (msg,) = [m for m in await stored(app) if m.id == message_id]
    assert msg.provider_message_id
    return msg.provider_message_id


async def status_of(admin: httpx.AsyncClient, message_id: int) -> dict[str, Any]:
    (msg,) = [m for m in await messages(admin) if m["id"] == message_id]
    return msg


async def test_wppconnect_acks(app: App, admin: httpx.AsyncClient, wpp: FakeWpp) -> None:
    channel_id = await make_channel(admin, "wppconnect", base_url=wpp.url)
    await posted(admin, "wppconnect", channel_id, wpp_event("status-find", {"status": "inChat"}))
    msg = await open_and_reply(app, admin, "wppconnect", channel_id, wpp_message())
    (send,) = wpp.calls("send-message")
    assert send["json"]["message"] == "Olá!" and send["json"]["phone"] == "556593077171"
    provider_id = await provider_id_of(app, msg["id"])
    assert provider_id.startswith("true_556593077171@c.us_OUT")

    def ack(value: int) -> dict[str, Any]:
        key = {"fromMe": True, "remote": "556593077171@c.us", "id": "x", "_serialized": provider_id}
        return wpp_event("onack", {"id": key, "ack": value, "from": "5565@c.us", "type": "chat"})

    assert (await posted(admin, "wppconnect", channel_id, ack(2)))["statuses"] == 1
    assert (await status_of(admin, msg["id"]))["status"] == "delivered"
    await posted(admin, "wppconnect", channel_id, ack(3))
    assert (await status_of(admin, msg["id"]))["status"] == "read"
    # Reports only move forward; an ack of a received message is not ours to record.
    await posted(admin, "wppconnect", channel_id, ack(1))
    assert (await status_of(admin, msg["id"]))["status"] == "read"
    theirs = wpp_event("onack", {"id": load(WPP_MESSAGE)["id"], "ack": 3})
    assert (await posted(admin, "wppconnect", channel_id, theirs))["ignored"] == 1


async def test_wppconnect_failed_ack_shows_why(
    app: App, admin: httpx.AsyncClient, wpp: FakeWpp
) -> None:
    channel_id = await make_channel(admin, "wppconnect", base_url=wpp.url)
    await posted(admin, "wppconnect", channel_id, wpp_event("status-find", {"status": "inChat"}))
    msg = await open_and_reply(app, admin, "wppconnect", channel_id, wpp_message())
    provider_id = await provider_id_of(app, msg["id"])
    await posted(
        admin, "wppconnect", channel_id, wpp_event("onack", {"id": provider_id, "ack": -1})
    )
    failed = await status_of(admin, msg["id"])
    assert failed["status"] == "failed"
    assert "FAILED" in failed["error"]


async def test_evolution_message_updates(
    app: App, admin: httpx.AsyncClient, evolution: FakeEvolution
) -> None:
    channel_id = await make_channel(admin, "evolution", base_url=evolution.url)
    opened = {"event": "connection.update", "instance": "tigo1", "data": {"state": "open"}}
    await posted(admin, "evolution", channel_id, opened)
    msg = await open_and_reply(app, admin, "evolution", channel_id, load(EVO_TEXT))
    (send,) = evolution.calls("message/sendText")
    assert send["json"] == {"number": "59171146267", "text": "Olá!"}
    key_id = await provider_id_of(app, msg["id"])
    assert key_id.startswith("BAE5OUT")

    def update(status: str | int) -> dict[str, Any]:
        data = {
            "keyId": key_id,
            "remoteJid": "59171146267@s.whatsapp.net",
            "fromMe": True,
            "status": status,
            "instanceId": "af6c5b7c-ee27-4f94-9ea8-192393746ddd",
        }
        return {"event": "messages.update", "instance": "tigo1", "data": data}

    assert (await posted(admin, "evolution", channel_id, update("DELIVERY_ACK")))["statuses"] == 1
    assert (await status_of(admin, msg["id"]))["status"] == "delivered"
    await posted(admin, "evolution", channel_id, update(4))  # Baileys' number for READ
    assert (await status_of(admin, msg["id"]))["status"] == "read"
    pending = await posted(admin, "evolution", channel_id, update("PENDING"))
    assert pending["ignored"] == 1
