"""Cloud API media against a local fake Graph API: inbound files are downloaded (media id ->
URL -> bytes, with the bearer token), retried, failed with the reason and retried by hand;
outbound files are uploaded, then sent by id; reactions, replies, locations and contacts
from real webhook payloads land on the right messages."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from helpline.channels.providers.base import MediaRef, OutboundMedia, OutboundText, ProviderError
from helpline.channels.providers.cloud.provider import CloudProvider
from helpline.clock import utcnow
from helpline.conversations.models import Conversation
from tests.cloud.helpers import (
    ACCESS_TOKEN,
    cloud_channel,
    cloud_config,
    first_value,
    load,
    post_webhook,
    retarget,
    stored,
)
from tests.conftest import App, CapturedEvents, eventually
from tests.media import files
from tests.media.helpers import FakeGraph, media_rows, stored_files, upload, wait_for_status


async def post_fixture(admin: httpx.AsyncClient, name: str, **message: Any) -> dict[str, Any]:
    """Post a real payload; `message` replaces fields of its (first) message."""
    payload = retarget(load(name))
    first_value(payload)["messages"][0].update(message)
    response = await post_webhook(admin, payload)
    assert response.status_code == 200, response.text
    summary: dict[str, Any] = response.json()
    return summary


async def only_media(app: App) -> Any:
    (media,) = await media_rows(app)
    return media


async def test_an_image_is_downloaded_through_the_graph_api(
    app: App, admin: httpx.AsyncClient, graph: FakeGraph, events: CapturedEvents
) -> None:
    channel_id = await cloud_channel(admin, api_base_url=graph.url)
    graph.files["65463453"] = (files.JPEG, "image/jpeg")
    await post_fixture(admin, "message__image__pywa.json")
    media = await wait_for_status(app, (await only_media(app)).id, "ready")
    assert graph.lookups == ["65463453"]
    assert graph.downloads == [{"id": "65463453", "auth": f"Bearer {ACCESS_TOKEN}"}]
    assert (media.kind, media.mime_type, media.size) == ("image", "image/jpeg", len(files.JPEG))
    assert media.stored_path and media.stored_path.endswith(".jpg")
    (msg,) = await stored(app, channel_id)
    assert media.message_id == msg.id
    served = await admin.get(f"/api/media/{media.id}")
    assert (served.status_code, served.content) == (200, files.JPEG)

    async def announced() -> list[Any]:
        return events.named("message:update")

    (update,) = await eventually(announced)
    assert update.payload["message"]["id"] == msg.id
    assert update.payload["message"]["media"]["status"] == "ready"
    assert update.payload["conversation"]["id"] == msg.conversation_id


@pytest.mark.parametrize(
    ("fixture", "media_id", "content", "mime", "expected"),
    [
        ("message__voice__pywa.json", "1234567890987654321", files.OGG_OPUS,
         "audio/ogg; codecs=opus", {"kind": "audio", "voice": True, "mimeType": "audio/ogg"}),
        ("message__document__pywa.json", "1234567890987654321", files.PDF, "application/pdf",
         {"kind": "document", "filename": "filename.pdf", "mimeType": "application/pdf"}),
        ("message__video__pywa.json", "765756756", files.MP4, "video/mp4",
         {"kind": "video", "mimeType": "video/mp4"}),
        ("message__static_sticker__pywa.json", "1234567890987654321", files.WEBP, "image/webp",
         {"kind": "sticker", "mimeType": "image/webp"}),
        ("message__media_with_url__pywa.json", "65463453", files.JPEG, "image/jpeg",
         {"kind": "image", "mimeType": "image/jpeg"}),
    ],
    ids=["voice", "document", "video", "sticker", "media-with-url"],
)  # fmt: skip
async def test_each_kind_of_media(
    app: App,
    admin: httpx.AsyncClient,
    graph: FakeGraph,
    fixture: str,
    media_id: str,
    content: bytes,
    mime: str,
    expected: dict[str, Any],
) -> None:
    channel_id = await cloud_channel(admin, api_base_url=graph.url)
    graph.files[media_id] = (content, mime)
    await post_fixture(admin, fixture)
    await wait_for_status(app, (await only_media(app)).id, "ready")
    (msg,) = await stored(app, channel_id)
    page = (await admin.get(f"/api/conversations/{msg.conversation_id}/messages")).json()
    shown = page["items"][0]["media"]
    assert {k: shown[k] for k in expected} == expected
    assert shown["status"] == "ready"


@pytest.mark.settings(media_max_attempts=2)
async def test_a_failing_download_is_retried_then_fails_with_the_reason(
    app: App, admin: httpx.AsyncClient, graph: FakeGraph, events: CapturedEvents
) -> None:
    await cloud_channel(admin, api_base_url=graph.url)
    graph.files["65463453"] = (files.JPEG, "image/jpeg")
    trouble = {"error": {"code": 131000, "message": "Something went wrong"}}
    graph.lookup_failures = [(500, trouble), (500, trouble)]
    await post_fixture(admin, "message__image__pywa.json")
    media = await wait_for_status(app, (await only_media(app)).id, "failed")
    assert media.attempts == 2
    assert media.error is not None and "Something went wrong" in media.error
    (msg,) = await stored(app)
    page = (await admin.get(f"/api/conversations/{msg.conversation_id}/messages")).json()
    shown = page["items"][0]["media"]
    assert shown["status"] == "failed" and "131000" in shown["error"]
    assert (await admin.get(shown["url"])).status_code == 409
    updates = [e for e in events.named("message:update") if e.payload["message"]["id"] == msg.id]
    assert [u.payload["message"]["media"]["status"] for u in updates] == ["failed"]
    # The console's retry: queued again, and this time Meta answers.
    retried = await admin.post(f"/api/media/{shown['id']}/retry")
    assert retried.status_code == 200, retried.text
    assert retried.json()["media"]["status"] == "pending"
    await wait_for_status(app, shown["id"], "ready")
    served = await admin.get(shown["url"])
    assert served.content == files.JPEG
    again = await admin.post(f"/api/media/{shown['id']}/retry")
    assert again.status_code == 409


async def test_an_unknown_media_id_fails_at_once(
    app: App, admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    await cloud_channel(admin, api_base_url=graph.url)
    await post_fixture(admin, "message__image__pywa.json")  # graph has no such file
    media = await wait_for_status(app, (await only_media(app)).id, "failed")
    assert media.attempts == 1
    assert media.error is not None and "Unsupported get request" in media.error


async def test_a_file_of_a_refused_type_fails_with_the_reason(
    app: App, admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    await cloud_channel(admin, api_base_url=graph.url)
    graph.files["1234567890987654321"] = (files.EXE, "application/pdf")
    await post_fixture(admin, "message__document__pywa.json")
    media = await wait_for_status(app, (await only_media(app)).id, "failed")
    assert media.attempts == 1
    assert media.error is not None and "not allowed" in media.error
    assert media.stored_path is None


async def test_reactions_and_replies_point_at_our_messages(
    app: App, admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    channel_id = await cloud_channel(admin, api_base_url=graph.url)
    await post_fixture(admin, "message__text__pywa.json")
    conv_id = (await stored(app, channel_id))[0].conversation_id
    sent = await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": "¿Algo más?"})
    reply_id = sent.json()["id"]

    async def wamid() -> str | None:
        return next((m.provider_message_id for m in await stored(app) if m.id == reply_id), None)

    our_wamid = await eventually(wamid)
    await post_fixture(
        admin,
        "message__reaction__pywa.json",
        id="wamid.react",
        reaction={"message_id": our_wamid, "emoji": "😮"},
    )
    await post_fixture(
        admin, "message__reply__pywa.json", id="wamid.reply", context={"id": our_wamid}
    )
    items = {
        m["id"]: m
        for m in (await admin.get(f"/api/conversations/{conv_id}/messages")).json()["items"]
    }
    assert items[reply_id]["reactions"] == [{"emoji": "😮", "direction": "in"}]
    (answer,) = [m for m in items.values() if m["body"] == "replied text"]
    assert answer["quoted"]["id"] == reply_id
    (reaction,) = [m for m in items.values() if m["type"] == "reaction"]
    assert reaction["payload"] == {"reaction": {"emoji": "😮", "targetId": reply_id}}
    # The removal (a reaction without an emoji) takes it back.
    await post_fixture(
        admin,
        "message__unreaction_no_emoji__pywa.json",
        id="wamid.unreact",
        reaction={"message_id": our_wamid},
    )
    items = {
        m["id"]: m
        for m in (await admin.get(f"/api/conversations/{conv_id}/messages")).json()["items"]
    }
    assert items[reply_id]["reactions"] == []


async def test_locations_and_contacts_keep_their_structure(
    app: App, admin: httpx.AsyncClient
) -> None:
    channel_id = await cloud_channel(admin)
    await post_fixture(admin, "message__chosen_location__pywa.json")
    await post_fixture(admin, "message__contacts__pywa.json", id="wamid.contacts")
    location, contacts = await stored(app, channel_id)
    assert location.payload == {
        "location": {
            "latitude": 37.4611978,
            "longitude": -122.2164385,
            "name": "Facebook HQ",
            "address": "1 Hacker Way, Menlo Park, CA 94025",
        }
    }
    assert contacts.payload is not None
    cards = contacts.payload["contacts"]
    assert cards[0] == {"name": "Chandler Bing", "phones": ["+1 555-555-5555"]}
    assert [c["name"] for c in cards] == ["Chandler Bing", "Monica", "Rachel Green"]


async def test_an_operator_file_is_uploaded_then_sent_by_id(
    app: App, admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    channel_id = await cloud_channel(admin, api_base_url=graph.url)
    await post_fixture(admin, "message__text__pywa.json")
    (first,) = await stored(app, channel_id)
    sent = await upload(
        admin, first.conversation_id, files.PDF, "presupuesto.pdf", "Su presupuesto", first.id
    )
    assert sent.status_code == 201, sent.text
    image = await upload(admin, first.conversation_id, files.png(), "foto.png")
    assert image.status_code == 201, image.text

    async def both_sent() -> bool:
        return len(graph.sent) == 2

    await eventually(both_sent)
    document_upload, image_upload = graph.uploads
    assert document_upload["path"].endswith("/1122334455667/media")
    assert document_upload["auth"] == f"Bearer {ACCESS_TOKEN}"
    assert document_upload["messaging_product"] == "whatsapp"
    assert document_upload["type"] == "application/pdf"
    assert document_upload["filename"] == "presupuesto.pdf"
    assert document_upload["data"] == files.PDF
    assert image_upload["type"] == "image/png"
    document, picture = graph.sent
    assert document["type"] == "document"
    assert document["document"] == {
        "id": "uploaded-1",
        "caption": "Su presupuesto",
        "filename": "presupuesto.pdf",
    }
    assert document["context"] == {"message_id": "wamid.xyzxyz"}
    assert document["to"] == "972987654321"
    assert picture["type"] == "image" and picture["image"] == {"id": "uploaded-2"}
    assert "context" not in picture

    async def recorded() -> bool:
        return all(
            m.status == "sent" for m in await stored(app, channel_id) if m.direction == "out"
        )

    await eventually(recorded)


async def test_the_provider_alone(graph: FakeGraph, tmp_path: Path) -> None:
    """CloudProvider's media calls without the desk around it."""
    provider = CloudProvider(cloud_config(api_base_url=graph.url))
    graph.files["m1"] = (files.GIF, "image/gif")
    fetched = await provider.fetch_media(MediaRef(kind="image", media_id="m1"))
    assert (fetched.data, fetched.mime_type) == (files.GIF, "image/gif")
    # Without a media id, the URL a newer webhook gave (with the token too).
    by_url = await provider.fetch_media(MediaRef(kind="image", url=f"{graph.url}/files/m1"))
    assert by_url.data == files.GIF
    wrong = CloudProvider(cloud_config(api_base_url=graph.url, access_token="nope"))
    with pytest.raises(ProviderError) as refused:
        await wrong.fetch_media(MediaRef(kind="image", media_id="m1"))
    assert not refused.value.transient
    # WhatsApp shows only JPEG and PNG as images: WebP goes as a sticker, GIF as a document.
    for name, content, mime in (
        ("s.webp", files.WEBP, "image/webp"),
        ("a.gif", files.GIF, "image/gif"),
    ):
        path = tmp_path / name
        path.write_bytes(content)
        media = OutboundMedia("image", mime, name, path, len(content))
        await provider.send_text(OutboundText(1, "+5491155550101", "", media=media))
    assert [m["type"] for m in graph.sent] == ["sticker", "document"]
    missing = OutboundMedia("image", "image/png", "x.png", tmp_path / "gone.png", 1)
    with pytest.raises(ProviderError) as lost:
        await provider.send_text(OutboundText(2, "+5491155550101", "", media=missing))
    assert not lost.value.transient


async def test_no_file_outside_the_reply_window(
    app: App, admin: httpx.AsyncClient, upload_dir: Path
) -> None:
    channel_id = await cloud_channel(admin)
    await post_fixture(admin, "message__text__pywa.json")
    (first,) = await stored(app, channel_id)
    async with app.db.sessionmaker() as session:
        await session.execute(
            update(Conversation)
            .where(Conversation.id == first.conversation_id)
            .values(last_inbound_at=utcnow() - timedelta(hours=25))
        )
        await session.commit()
    refused = await upload(admin, first.conversation_id, files.PDF, "late.pdf")
    assert refused.status_code == 409
    assert "24 hours" in refused.json()["detail"]
    assert stored_files(upload_dir) == []
