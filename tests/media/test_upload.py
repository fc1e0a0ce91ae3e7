"""Operators send files from the composer: checked by content, stored under UPLOAD_DIR,
sent through the channel, and served only to those who may see the conversation."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.conftest import App, CapturedEvents, eventually, login, make_user
from tests.media import files
from tests.media.helpers import customer_sends, stored_files, upload


async def open_conversation(admin: httpx.AsyncClient, text: str = "hola") -> int:
    response = await customer_sends(admin, text=text)
    assert response.status_code == 201, response.text
    conv_id: int = response.json()["conversation"]["id"]
    return conv_id


async def test_an_image_is_stored_sent_and_served(
    app: App, admin: httpx.AsyncClient, upload_dir: Path, events: CapturedEvents
) -> None:
    conv_id = await open_conversation(admin)
    events.clear()
    image = files.png(4, 4)
    response = await upload(admin, conv_id, image, "receipt.png", caption="Su comprobante")
    assert response.status_code == 201, response.text
    msg = response.json()
    assert (msg["type"], msg["body"], msg["direction"]) == ("image", "Su comprobante", "out")
    media = msg["media"]
    assert media == {
        "id": media["id"],
        "kind": "image",
        "mimeType": "image/png",
        "size": len(image),
        "filename": "receipt.png",
        "voice": False,
        "status": "ready",
        "error": None,
        "url": f"/api/media/{media['id']}",
    }
    (path,) = stored_files(upload_dir)
    assert re.fullmatch(r"\d{4}-\d{2}/[0-9a-f]{32}\.png", path.relative_to(upload_dir).as_posix())
    assert path.read_bytes() == image
    (new,) = events.named("message:new")
    assert new.payload["message"]["media"]["id"] == media["id"]

    async def delivered() -> bool:
        page = (await admin.get(f"/api/conversations/{conv_id}/messages")).json()
        return page["items"][-1]["status"] == "delivered"

    await eventually(delivered)
    served = await admin.get(media["url"])
    assert served.status_code == 200
    assert served.content == image
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["cache-control"].startswith("private")
    assert served.headers["content-disposition"].startswith("inline")
    download = await admin.get(media["url"], params={"download": "1"})
    assert download.headers["content-disposition"].startswith("attachment")
    assert 'filename="receipt.png"' in download.headers["content-disposition"]
    # The conversation shows it: the list carries the media, the preview names its kind.
    page = (await admin.get(f"/api/conversations/{conv_id}/messages")).json()
    assert page["items"][-1]["media"]["id"] == media["id"]
    conv = (await admin.get(f"/api/conversations/{conv_id}")).json()
    assert conv["lastMessagePreview"] == "Su comprobante"


@pytest.mark.parametrize(
    ("content", "name", "kind", "mime", "extension"),
    [
        (files.JPEG, "photo.jpeg", "image", "image/jpeg", "jpg"),
        (files.png(), "evil.exe", "image", "image/png", "png"),
        (files.GIF, "anim.gif", "image", "image/gif", "gif"),
        (files.WEBP, "pic.webp", "image", "image/webp", "webp"),
        (files.OGG_OPUS, "note.ogg", "audio", "audio/ogg", "ogg"),
        (files.MP3, "song.mp3", "audio", "audio/mpeg", "mp3"),
        (files.M4A, "memo.m4a", "audio", "audio/mp4", "m4a"),
        (files.AMR, "call.amr", "audio", "audio/amr", "amr"),
        (files.MP4, "clip.mp4", "video", "video/mp4", "mp4"),
        (files.THREE_GP, "clip.3gp", "video", "video/3gpp", "3gp"),
        (files.PDF, "invoice.pdf", "document", "application/pdf", "pdf"),
        (files.DOCX, "letter.docx", "document", f"{files.OOXML}.wordprocessingml.document", "docx"),
        (files.XLSX, "sheet.xlsx", "document", f"{files.OOXML}.spreadsheetml.sheet", "xlsx"),
        (files.ZIP, "bundle.zip", "document", "application/zip", "zip"),
        (files.TEXT, "notes.pdf", "document", "text/plain", "txt"),
        (files.CSV, "contacts.txt", "document", "text/csv", "csv"),
    ],
    ids=[
        "jpeg",
        "png-named-exe",
        "gif",
        "webp",
        "ogg",
        "mp3",
        "m4a",
        "amr",
        "mp4",
        "3gp",
        "pdf",
        "docx",
        "xlsx",
        "zip",
        "text-named-pdf",
        "csv-named-txt",
    ],
)
async def test_the_type_comes_from_the_content_not_the_name(
    app: App,
    admin: httpx.AsyncClient,
    upload_dir: Path,
    content: bytes,
    name: str,
    kind: str,
    mime: str,
    extension: str,
) -> None:
    conv_id = await open_conversation(admin)
    response = await upload(admin, conv_id, content, name, content_type="image/png")
    assert response.status_code == 201, response.text
    media = response.json()["media"]
    assert (media["kind"], media["mimeType"], media["filename"]) == (kind, mime, name)
    (path,) = stored_files(upload_dir)
    assert path.suffix == f".{extension}"
    served = await admin.get(media["url"])
    assert served.headers["content-type"].split(";")[0] == mime
    disposition = served.headers["content-disposition"]
    assert disposition.startswith("attachment" if kind == "document" else "inline")
    # The name offered keeps the sender's, with the extension of what the file is.
    assert f'filename="{Path(name).stem}.{extension}"' in disposition


@pytest.mark.parametrize(
    ("content", "status", "words"),
    [
        (files.EXE, 415, "application/x-msdownload are not allowed"),
        (files.ELF, 415, "not allowed"),
        (b"\x00\x01\x02\x03binary garbage\xff\xfe", 415, "not allowed"),
        (b"", 422, "empty"),
    ],
    ids=["exe", "elf", "garbage", "empty"],
)
async def test_files_of_other_types_are_refused(
    app: App,
    admin: httpx.AsyncClient,
    upload_dir: Path,
    content: bytes,
    status: int,
    words: str,
) -> None:
    conv_id = await open_conversation(admin)
    response = await upload(admin, conv_id, content, "photo.jpg", content_type="image/jpeg")
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    assert stored_files(upload_dir) == []
    page = (await admin.get(f"/api/conversations/{conv_id}/messages")).json()
    assert page["total"] == 1  # nothing was queued


@pytest.mark.settings(max_upload_mb=1)
async def test_a_file_over_max_upload_mb_is_refused(
    app: App, admin: httpx.AsyncClient, upload_dir: Path
) -> None:
    conv_id = await open_conversation(admin)
    big = files.PDF + b"0" * (1024 * 1024)
    response = await upload(admin, conv_id, big, "big.pdf")
    assert response.status_code == 413
    assert "limit is 1 MB (MAX_UPLOAD_MB)" in response.json()["detail"]
    assert stored_files(upload_dir) == []
    fits = await upload(admin, conv_id, files.PDF + b"0" * 1000, "small.pdf")
    assert fits.status_code == 201


async def test_a_caption_too_long_or_no_file_is_unprocessable(
    app: App, admin: httpx.AsyncClient
) -> None:
    conv_id = await open_conversation(admin)
    long = await upload(admin, conv_id, files.PDF, "a.pdf", caption="x" * 1025)
    assert long.status_code == 422
    missing = await admin.post(f"/api/conversations/{conv_id}/media", data={"caption": "hi"})
    assert missing.status_code == 422


async def test_the_rules_of_a_text_reply_apply(
    app: App, admin: httpx.AsyncClient, upload_dir: Path
) -> None:
    conv_id = await open_conversation(admin)
    await make_user(admin, "olga")
    async with app.client() as olga:
        await login(olga, "olga", "Secret123!")
        # Olga sees the desk-wide queue: her file takes the conversation, like a text would.
        taken = await upload(olga, conv_id, files.PDF, "terms.pdf")
        assert taken.status_code == 201, taken.text
        conv = (await admin.get(f"/api/conversations/{conv_id}")).json()
        assert conv["assignedTo"]["name"] == "Olga"
        media_url = taken.json()["media"]["url"]
    await make_user(admin, "pablo")
    async with app.client() as pablo:
        await login(pablo, "pablo", "Secret123!")
        # Pablo may not see Olga's conversation: neither its files nor sending to it.
        assert (await pablo.get(media_url)).status_code == 404
        refused = await upload(pablo, conv_id, files.PDF, "x.pdf")
        assert refused.status_code == 404
    async with app.client() as anonymous:
        assert (await anonymous.get(media_url)).status_code == 401
    closed = await admin.post(f"/api/conversations/{conv_id}/close")
    assert closed.status_code == 200
    after = await upload(admin, conv_id, files.PDF, "late.pdf")
    assert after.status_code == 409
    assert len(stored_files(upload_dir)) == 1
    assert (await admin.get("/api/media/999999")).status_code == 404


async def test_a_file_can_quote_a_message(app: App, admin: httpx.AsyncClient) -> None:
    conv_id = await open_conversation(admin, "¿me mandan la factura?")
    page = (await admin.get(f"/api/conversations/{conv_id}/messages")).json()
    question = page["items"][0]
    response = await upload(admin, conv_id, files.PDF, "factura.pdf", quoted_id=question["id"])
    assert response.status_code == 201, response.text
    assert response.json()["quoted"] == {
        "id": question["id"],
        "body": "¿me mandan la factura?",
        "type": "text",
        "direction": "in",
    }
    other = await customer_sends(admin, phone="+5491155550999", text="otro")
    elsewhere = other.json()["message"]["id"]
    wrong = await upload(admin, conv_id, files.PDF, "x.pdf", quoted_id=elsewhere)
    assert wrong.status_code == 422
    assert "not in this conversation" in wrong.json()["detail"]


async def test_a_lost_file_fails_its_message_with_the_reason(
    app: App, admin: httpx.AsyncClient, upload_dir: Path
) -> None:
    """The file vanished from storage before the worker sent it: the message fails for
    good (the sandbox provider checks it is there), and the media route says so."""
    conv_id = await open_conversation(admin)
    assert (await admin.post("/api/channels/1/pause")).status_code == 200
    response = await upload(admin, conv_id, files.PDF, "a.pdf")
    assert response.status_code == 201
    for path in stored_files(upload_dir):
        path.unlink()
    assert (await admin.post("/api/channels/1/resume")).status_code == 200

    async def failed() -> dict[str, object] | None:
        page = (await admin.get(f"/api/conversations/{conv_id}/messages")).json()
        last: dict[str, object] = page["items"][-1]
        return last if last["status"] == "failed" else None

    msg = await eventually(failed)
    assert "missing" in str(msg["error"])
    served = await admin.get(f"/api/media/{response.json()['media']['id']}")
    assert served.status_code == 404
