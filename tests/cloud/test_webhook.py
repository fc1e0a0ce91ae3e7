"""The Cloud API webhook: every real payload accepted, each kind stored sensibly, statuses
applied, redeliveries idempotent, signatures enforced."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest

from tests.cloud.helpers import (
    APP_SECRET,
    VERIFY_TOKEN,
    FakeGraph,
    cloud_channel,
    first_value,
    fixture_names,
    load,
    payload_names,
    post_webhook,
    retarget,
    stored,
)
from tests.conftest import App, eventually

# Kinds of message that are no customer's words: the only ones a 200 may leave unstored.
NOT_CUSTOMER_WORDS = {"system", "revoke", "ephemeral"}


@pytest.mark.parametrize("name", fixture_names() + payload_names())
async def test_every_real_payload_is_accepted(
    app: App, admin: httpx.AsyncClient, name: str
) -> None:
    channel_id = await cloud_channel(admin)
    payload = retarget(load(name))
    response = await post_webhook(admin, payload)
    assert response.status_code == 200, response.text
    summary = response.json()
    assert set(summary) == {"messages", "statuses", "ignored", "deadLetters"}
    assert summary["deadLetters"] == 0
    value = first_value(payload)
    items = sum(len(value.get(k, [])) for k in ("messages", "statuses"))
    items += sum(len(value.get(k, [])) for k in ("message_echoes", "user_preferences"))
    assert summary["messages"] + summary["statuses"] + summary["ignored"] == items
    # Acknowledged and dropped is what this guards against: every customer message of a
    # `messages` change is stored, whatever its kind or the shape of its fields.
    if isinstance(value.get("messages"), list):
        words = [m for m in value["messages"] if m.get("type") not in NOT_CUSTOMER_WORDS]
        assert summary["messages"] == len(words), summary
    messages = await stored(app, channel_id)
    assert len(messages) == summary["messages"]
    for msg in messages:
        assert msg.direction == "in"
        assert msg.body  # something readable for the console
    # Delivered again: nothing new.
    again = await post_webhook(admin, payload)
    assert again.status_code == 200
    assert len(await stored(app, channel_id)) == len(messages)


async def post_fixture(admin: httpx.AsyncClient, name: str, edit: Any = None) -> dict[str, Any]:
    payload = retarget(load(name))
    if edit is not None:
        edit(first_value(payload))
    response = await post_webhook(admin, payload)
    assert response.status_code == 200, response.text
    summary: dict[str, Any] = response.json()
    return summary


async def only_message(app: App, channel_id: int) -> Any:
    messages = await stored(app, channel_id)
    assert len(messages) == 1, [(m.type, m.body) for m in messages]
    return messages[0]


async def test_text_message(app: App, admin: httpx.AsyncClient) -> None:
    channel_id = await cloud_channel(admin)
    summary = await post_fixture(admin, "message__text__pywa.json")
    assert summary == {"messages": 1, "statuses": 0, "ignored": 0, "deadLetters": 0}
    msg = await only_message(app, channel_id)
    assert (msg.type, msg.body, msg.provider_message_id) == ("text", "Body Text", "wamid.xyzxyz")
    conversations = (await admin.get("/api/conversations")).json()
    text = json.dumps(conversations)
    assert "+972987654321" in text and "Test Name" in text


async def test_image_with_caption(app: App, admin: httpx.AsyncClient) -> None:
    channel_id = await cloud_channel(admin)

    def caption(value: dict[str, Any]) -> None:
        value["messages"][0]["image"]["caption"] = "My receipt"

    await post_fixture(admin, "message__image__pywa.json", caption)
    msg = await only_message(app, channel_id)
    assert (msg.type, msg.body) == ("image", "[image] My receipt")


async def test_media_kinds(app: App, admin: httpx.AsyncClient) -> None:
    channel_id = await cloud_channel(admin)
    await post_fixture(admin, "message__voice__pywa.json")
    await post_fixture(admin, "message__document__pywa.json", _new_id("wamid.doc"))
    await post_fixture(admin, "message__order__pywa.json", _new_id("wamid.order"))
    await post_fixture(admin, "message__contacts__pywa.json", _new_id("wamid.contacts"))
    await post_fixture(admin, "message__unsupported_with_type__pywa.json", _new_id("wamid.un"))
    bodies = [(m.type, m.body) for m in await stored(app, channel_id)]
    assert bodies[0] == ("audio", "[voice]")
    assert bodies[1] == ("document", "[forwarded] [document] filename.pdf caption")
    assert bodies[2] == ("order", "[order] 3 items")
    assert bodies[3][0] == "contacts"
    assert bodies[3][1].startswith("[contacts] Chandler Bing +1 555-555-5555, Monica")
    assert bodies[4][0] == "unsupported"
    assert bodies[4][1].startswith("[unsupported: pool] Message type unknown")


def _new_id(wamid: str) -> Any:
    def edit(value: dict[str, Any]) -> None:
        value["messages"][0]["id"] = wamid

    return edit


async def test_location(app: App, admin: httpx.AsyncClient) -> None:
    channel_id = await cloud_channel(admin)
    await post_fixture(admin, "message__chosen_location__pywa.json")
    msg = await only_message(app, channel_id)
    assert msg.type == "location"
    assert msg.body == (
        "[forwarded] 📍 37.4611978,-122.2164385 Facebook HQ 1 Hacker Way, Menlo Park, CA 94025"
    )


@pytest.mark.parametrize(
    ("name", "title", "reply_id"),
    [
        ("interactive_button_reply__pywa.json", "title", "callback_data"),
        ("interactive_list_reply__pywa.json", "title", "callback_data"),
        ("button_quick_reply__pywa.json", "title", "callback_data"),
    ],
)
async def test_button_and_list_replies_carry_the_option_id(
    app: App, admin: httpx.AsyncClient, name: str, title: str, reply_id: str
) -> None:
    channel_id = await cloud_channel(admin)
    await post_fixture(admin, name)
    msg = await only_message(app, channel_id)
    assert msg.body == title
    assert msg.payload == {"replyId": reply_id}


async def test_reaction_and_its_removal(app: App, admin: httpx.AsyncClient) -> None:
    channel_id = await cloud_channel(admin)
    await post_fixture(admin, "message__reaction__pywa.json")
    await post_fixture(admin, "message__unreaction_empty__pywa.json", _new_id("wamid.unreact"))
    first, second = await stored(app, channel_id)
    assert (first.type, first.body) == ("reaction", "reaction 😮 to wamid.yzxyzx=")
    assert second.body == "reaction removed from wamid.yzxyzx="


async def test_ignored_kinds_store_nothing(app: App, admin: httpx.AsyncClient) -> None:
    channel_id = await cloud_channel(admin)
    for name in (
        "smb_echo__text__pywa.json",
        "system__identity_change__pywa.json",
        "user_preferences__resume__pywa.json",
        "status__sent__pywa.json",  # a status for a message this desk never sent
    ):
        summary = await post_fixture(admin, name)
        assert summary["messages"] == 0, name
    assert await stored(app, channel_id) == []


async def test_unknown_phone_number_id_is_skipped(app: App, admin: httpx.AsyncClient) -> None:
    await cloud_channel(admin)
    response = await post_webhook(admin, retarget(load("message__text__pywa.json"), "999"))
    assert response.status_code == 200
    # Not lost: kept for an admin, who can re-process it once the channel exists.
    assert response.json() == {"messages": 0, "statuses": 0, "ignored": 1, "deadLetters": 1}
    assert await stored(app) == []


async def test_several_entries_and_changes_are_all_handled(
    app: App, admin: httpx.AsyncClient
) -> None:
    first = await cloud_channel(admin, name="First")
    second = await cloud_channel(admin, name="Second", phone_number_id="2233445566778")
    template = load("message__text__pywa.json")
    payload: dict[str, Any] = {"object": "whatsapp_business_account", "entry": []}
    for e, number in enumerate(["1122334455667", "2233445566778"]):
        entry = copy.deepcopy(template["entry"][0])
        change = entry["changes"][0]
        entry["changes"] = []
        for c in range(2):
            changed = copy.deepcopy(change)
            changed["value"]["metadata"]["phone_number_id"] = number
            message = changed["value"]["messages"][0]
            message["id"] = f"wamid.e{e}c{c}"
            message["text"]["body"] = f"entry {e} change {c}"
            entry["changes"].append(changed)
        payload["entry"].append(entry)
    response = await post_webhook(admin, payload)
    assert response.json() == {"messages": 4, "statuses": 0, "ignored": 0, "deadLetters": 0}
    assert [m.body for m in await stored(app, first)] == ["entry 0 change 0", "entry 0 change 1"]
    assert [m.body for m in await stored(app, second)] == ["entry 1 change 0", "entry 1 change 1"]
    again = await post_webhook(admin, payload)
    assert again.status_code == 200
    assert len(await stored(app)) == 4


async def test_redelivery_stores_nothing_new(app: App, admin: httpx.AsyncClient) -> None:
    channel_id = await cloud_channel(admin)
    for _ in range(3):
        await post_fixture(admin, "message__text__pywa.json")
    msg = await only_message(app, channel_id)
    conversations = (await admin.get("/api/conversations")).json()
    text = json.dumps(conversations)
    assert msg.body == "Body Text" and text.count("Body Text") <= 1


@pytest.mark.parametrize(("secret", "status"), [(None, 401), ("wrong-secret", 403), ("", 403)])
async def test_bad_or_missing_signature_is_refused(
    app: App, admin: httpx.AsyncClient, secret: str | None, status: int
) -> None:
    await cloud_channel(admin)
    payload = retarget(load("message__text__pywa.json"))
    response = await post_webhook(admin, payload, secret=secret)
    assert response.status_code == status
    assert await stored(app) == []


async def test_signature_is_over_the_raw_body(app: App, admin: httpx.AsyncClient) -> None:
    await cloud_channel(admin)
    body = json.dumps(retarget(load("message__text__pywa.json"))).encode()
    headers = {"X-Hub-Signature-256": "sha256=" + "0" * 64}
    from tests.cloud.helpers import sign

    headers["X-Hub-Signature-256"] = sign(body + b" ", APP_SECRET)
    response = await admin.post("/api/webhooks/whatsapp", content=body, headers=headers)
    assert response.status_code == 403
    assert await stored(app) == []


async def test_no_login_needed(app: App, admin: httpx.AsyncClient) -> None:
    channel_id = await cloud_channel(admin)
    async with app.client() as meta:
        response = await post_webhook(meta, retarget(load("message__text__pywa.json")))
    assert response.status_code == 200
    assert len(await stored(app, channel_id)) == 1


async def test_verification_challenge(app: App, admin: httpx.AsyncClient) -> None:
    await cloud_channel(admin)
    async with app.client() as meta:
        good = await meta.get(
            "/api/webhooks/whatsapp",
            params={
                "hub.mode": "subscribe",
                "hub.verify_token": VERIFY_TOKEN,
                "hub.challenge": "1158201444",
            },
        )
        assert good.status_code == 200
        assert good.text == "1158201444"
        assert good.headers["content-type"].startswith("text/plain")
        bad = await meta.get(
            "/api/webhooks/whatsapp",
            params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"},
        )
        assert bad.status_code == 403
        wrong_mode = await meta.get(
            "/api/webhooks/whatsapp",
            params={
                "hub.mode": "unsubscribe",
                "hub.verify_token": VERIFY_TOKEN,
                "hub.challenge": "1",
            },
        )
        assert wrong_mode.status_code == 403


async def reply_through_graph(
    app: App, admin: httpx.AsyncClient, graph: FakeGraph
) -> tuple[int, int]:
    channel_id = await cloud_channel(admin, api_base_url=graph.url)
    await post_fixture(admin, "message__text__pywa.json")
    conv_id = (await stored(app, channel_id))[0].conversation_id
    sent = await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": "Hola"})
    assert sent.status_code == 201, sent.text
    message_id: int = sent.json()["id"]

    async def is_sent() -> bool:
        return any(m.id == message_id and m.status == "sent" for m in await stored(app))

    await eventually(is_sent)
    return channel_id, message_id


def status_payload(wamid: str, status: str, errors: list[dict[str, Any]] | None = None) -> Any:
    name = "status__failed__pywa.json" if errors is not None else f"status__{status}__pywa.json"
    payload = retarget(load(name))
    report = first_value(payload)["statuses"][0]
    report["id"] = wamid
    report["status"] = status
    if errors is not None:
        report["errors"] = errors
    return payload


async def test_statuses_move_an_outbound_message_forward(
    app: App, admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    channel_id, message_id = await reply_through_graph(app, admin, graph)
    (msg,) = [m for m in await stored(app, channel_id) if m.id == message_id]
    wamid = msg.provider_message_id
    assert wamid == "wamid.OUT1"
    for status in ("sent", "delivered", "read"):
        response = await post_webhook(admin, status_payload(wamid, status))
        assert response.json() == {"messages": 0, "statuses": 1, "ignored": 0, "deadLetters": 0}
        (msg,) = [m for m in await stored(app, channel_id) if m.id == message_id]
        assert msg.status == status
    assert msg.delivered_at is not None and msg.read_at is not None
    # A late "delivered" never undoes "read".
    await post_webhook(admin, status_payload(wamid, "delivered"))
    (msg,) = [m for m in await stored(app, channel_id) if m.id == message_id]
    assert msg.status == "read"


async def test_failed_status_shows_the_error_on_the_message(
    app: App, admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    channel_id, message_id = await reply_through_graph(app, admin, graph)
    errors = load("status__failed__pywa.json")["entry"][0]["changes"][0]["value"]["statuses"][0][
        "errors"
    ]
    response = await post_webhook(admin, status_payload("wamid.OUT1", "failed", errors))
    assert response.json()["statuses"] == 1
    (msg,) = [m for m in await stored(app, channel_id) if m.id == message_id]
    assert msg.status == "failed"
    assert msg.error is not None
    assert "User's number is part of an experiment" in msg.error
    assert "130472" in msg.error


async def test_signed_garbage_is_kept_as_a_dead_letter(app: App, admin: httpx.AsyncClient) -> None:
    await cloud_channel(admin)
    response = await post_webhook(admin, b"not json")
    assert response.status_code == 200
    assert response.json()["deadLetters"] == 1
    assert await stored(app) == []
    letters = (await admin.get("/api/dead-letters")).json()
    assert [(x["provider"], x["status"]) for x in letters["items"]] == [("cloud", "pending")]
    assert "not a webhook notification" in letters["items"][0]["reason"]
