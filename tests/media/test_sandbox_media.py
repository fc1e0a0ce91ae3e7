"""A sandbox customer sends every kind of media, locations and contact cards; bad files
are refused with a clear reason; the simulated phone sees the files the business sends."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from tests.conftest import App, CapturedEvents
from tests.media import files
from tests.media.helpers import (
    PHONE,
    b64,
    customer_file,
    customer_sends,
    stored_files,
    upload,
)


@pytest.mark.parametrize(
    ("kind", "content", "extra", "shown", "mime"),
    [
        ("image", files.JPEG, {}, "image", "image/jpeg"),
        ("sticker", files.WEBP, {}, "sticker", "image/webp"),
        (
            "audio",
            files.OGG_OPUS,
            {"voice": True, "mimeType": "audio/ogg; codecs=opus"},
            "audio",
            "audio/ogg",
        ),
        ("video", files.MP4, {}, "video", "video/mp4"),
        (
            "document",
            files.PDF,
            {"filename": "C:\\Users\\ana\\contrato.pdf"},
            "document",
            "application/pdf",
        ),
        ("document", files.png(), {"filename": "scan.png"}, "document", "image/png"),
        ("image", files.PDF, {"filename": "not-an-image.jpg"}, "document", "application/pdf"),
    ],
    ids=["image", "sticker", "voice", "video", "pdf", "png-as-document", "pdf-as-image"],
)
async def test_every_kind_of_file_arrives_ready(
    app: App,
    admin: httpx.AsyncClient,
    upload_dir: Path,
    events: CapturedEvents,
    kind: str,
    content: bytes,
    extra: dict[str, Any],
    shown: str,
    mime: str,
) -> None:
    body = await customer_file(admin, kind, content, text="mirá esto", **extra)
    msg = body["message"]
    assert (msg["type"], msg["body"]) == (kind, "mirá esto")
    media = msg["media"]
    assert (media["kind"], media["mimeType"], media["status"]) == (shown, mime, "ready")
    assert media["size"] == len(content)
    assert media["voice"] is bool(extra.get("voice"))
    if "filename" in extra:  # the sender's name, without their folders
        assert media["filename"] == extra["filename"].replace("\\", "/").rsplit("/", 1)[-1]
    (path,) = stored_files(upload_dir)
    assert path.read_bytes() == content
    served = await admin.get(media["url"])
    assert (served.status_code, served.content) == (200, content)
    (new,) = events.named("message:new")
    assert new.payload["message"]["media"] == media


@pytest.mark.parametrize(
    ("media", "status", "words"),
    [
        ({"kind": "image", "dataBase64": "not base64!!"}, 422, "not valid base64"),
        ({"kind": "document", "dataBase64": b64(files.EXE)}, 415, "not allowed"),
        ({"kind": "image", "dataBase64": b64(b"\x00\x01\x02")}, 415, "not allowed"),
        ({"kind": "image", "dataBase64": ""}, 422, "dataBase64"),
        ({"kind": "hologram", "dataBase64": b64(files.JPEG)}, 422, "kind"),
    ],
    ids=["bad-base64", "exe", "garbage", "empty", "unknown-kind"],
)
async def test_bad_files_are_refused_with_the_reason(
    app: App,
    admin: httpx.AsyncClient,
    upload_dir: Path,
    media: dict[str, Any],
    status: int,
    words: str,
) -> None:
    response = await customer_sends(admin, media=media)
    assert response.status_code == status, response.text
    assert words in str(response.json()["detail"])
    assert stored_files(upload_dir) == []
    assert (await admin.get("/api/conversations")).json()["total"] == 0


@pytest.mark.settings(max_upload_mb=1)
async def test_a_file_over_the_limit_is_413(app: App, admin: httpx.AsyncClient) -> None:
    data = files.PDF + b"0" * (1024 * 1024)
    response = await customer_sends(admin, media={"kind": "document", "dataBase64": b64(data)})
    assert response.status_code == 413
    assert "MAX_UPLOAD_MB" in response.json()["detail"]


async def test_location_and_contacts(app: App, admin: httpx.AsyncClient) -> None:
    location = {"latitude": -34.6037, "longitude": -58.3816, "name": "Obelisco", "address": "CABA"}
    sent = await customer_sends(admin, location=location)
    assert sent.status_code == 201, sent.text
    msg = sent.json()["message"]
    assert msg["type"] == "location"
    assert msg["payload"] == {"location": location}
    assert msg["body"] == "📍 -34.6037,-58.3816 Obelisco CABA"
    cards = [{"name": "Luis Pérez", "phones": ["+5491155550002", "+5491155550003"]}]
    shared = await customer_sends(admin, contacts=cards, text="mi hermano")
    msg = shared.json()["message"]
    assert (msg["type"], msg["body"], msg["payload"]) == (
        "contacts",
        "mi hermano",
        {"contacts": cards},
    )
    bad = await customer_sends(admin, location={"latitude": 123, "longitude": 0})
    assert bad.status_code == 422
    both = await customer_sends(admin, location=location, contacts=cards)
    assert both.status_code == 422
    assert "not several" in str(both.json()["detail"])


async def test_the_phone_sees_the_files_the_business_sends(
    app: App, admin: httpx.AsyncClient
) -> None:
    conv_id = (await customer_sends(admin, text="hola")).json()["conversation"]["id"]
    sent = await upload(admin, conv_id, files.PDF, "menu.pdf", caption="Nuestro menú")
    assert sent.status_code == 201
    outbound = (await admin.get("/api/sandbox/1/outbound", params={"to": PHONE})).json()
    (item,) = outbound
    assert item["media"] == sent.json()["media"]
    assert item["body"] == "Nuestro menú"
    assert item["providerMessageId"] is None or item["providerMessageId"].startswith("sb-out-")
    thread = (await admin.get("/api/sandbox/1/thread", params={"to": PHONE})).json()
    assert [m["type"] for m in thread] == ["text", "document"]
    assert thread[1]["media"]["filename"] == "menu.pdf"
    assert thread[0]["providerMessageId"].startswith("sb-in-")


async def test_a_page_of_messages_costs_the_same_whatever_it_holds(
    app: App, admin: httpx.AsyncClient
) -> None:
    """Files and quotes are loaded per page, not per message (no N+1)."""
    conv_id = (await customer_sends(admin, text="hola")).json()["conversation"]["id"]

    async def statements_for_page() -> int:
        """The statements the request runs (not those of the background workers, which
        share the engine: the app runs in this test's task)."""
        count = 0
        me = asyncio.current_task()

        def counted(*_args: Any) -> None:
            nonlocal count
            count += asyncio.current_task() is me

        engine = app.db.engine.sync_engine
        event.listen(engine, "before_cursor_execute", counted)
        try:
            page = await admin.get(f"/api/conversations/{conv_id}/messages")
            assert page.status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", counted)
        return count

    await customer_file(admin, "image", files.JPEG)
    first_id = (await admin.get(f"/api/conversations/{conv_id}/messages")).json()["items"][0]["id"]
    await upload(admin, conv_id, files.PDF, "a.pdf", quoted_id=first_id)
    await statements_for_page()  # warm up: drivers look up types on first use
    few = await statements_for_page()
    for n in range(6):
        await customer_file(admin, "image", files.JPEG, text=f"foto {n}")
        await upload(admin, conv_id, files.PDF, f"{n}.pdf", quoted_id=first_id)
    many = await statements_for_page()
    assert 0 < many == few
    items = (await admin.get(f"/api/conversations/{conv_id}/messages")).json()["items"]
    assert sum(1 for m in items if m["media"]) == 14
    assert sum(1 for m in items if m["quoted"]) == 7
