"""Sending through WhatsApp Web: text, quoted replies and files, against a fake neonize
client that records what it is asked to send."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message
from neonize.utils.enum import MediaType
from PIL import Image

from helpline.channels.providers.base import OutboundMedia, OutboundText, ProviderError
from helpline.channels.providers.web.provider import WebProvider
from tests.web_provider.helpers import (
    BUSINESS,
    CUSTOMER,
    FakeClient,
    FakeLink,
    Network,
    connected,
    eventually,
    message_event,
    provider,
)


@pytest.fixture
async def web(tmp_path: Path) -> AsyncIterator[tuple[WebProvider, FakeClient]]:
    network = Network([connected()])
    web = provider(tmp_path, network)
    task = asyncio.create_task(web.run(FakeLink()))
    await eventually(lambda: web.connected)
    yield web, network.client
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def text(body: str, quoted_id: str | None = None, to: str = f"+{CUSTOMER}") -> OutboundText:
    return OutboundText(message_id=1, to_phone=to, body=body, quoted_id=quoted_id)


def media_file(tmp_path: Path, kind: str, mime: str, data: bytes, name: str) -> OutboundMedia:
    path = tmp_path / name
    path.write_bytes(data)
    return OutboundMedia(kind=kind, mime_type=mime, filename=name, path=path, size=len(data))


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


async def test_not_connected_is_transient(tmp_path: Path) -> None:
    web = provider(tmp_path, Network())
    with pytest.raises(ProviderError) as exc:
        await web.send_text(text("hola"))
    assert exc.value.transient
    assert "not connected" in exc.value.reason


async def test_text(web: tuple[WebProvider, FakeClient]) -> None:
    provider_, client = web
    result = await provider_.send_text(text("Hola, ¿en qué te ayudo?"))
    assert (result.provider_message_id, result.status) == ("3EB0OUT1", "sent")
    [(to, message)] = client.sent
    assert (to.User, to.Server) == (CUSTOMER, "s.whatsapp.net")
    assert message == Message(conversation="Hola, ¿en qué te ayudo?")


async def test_reply_quotes_a_received_message(web: tuple[WebProvider, FakeClient]) -> None:
    provider_, client = web
    await client.emit(message_event(Message(conversation="¿Precio?"), message_id="IN1"))
    await eventually(lambda: "IN1" in provider_._recent)
    await provider_.send_text(text("$10", quoted_id="IN1"))
    reply = client.sent[-1][1].extendedTextMessage
    assert reply.text == "$10"
    assert reply.contextInfo.stanzaID == "IN1"
    assert reply.contextInfo.participant == f"{CUSTOMER}@s.whatsapp.net"
    assert reply.contextInfo.quotedMessage.conversation == "¿Precio?"


async def test_reply_quotes_our_own_message(web: tuple[WebProvider, FakeClient]) -> None:
    provider_, client = web
    first = await provider_.send_text(text("Menu: 1) plans 2) support"))
    await provider_.send_text(text("As I said:", quoted_id=first.provider_message_id))
    context = client.sent[-1][1].extendedTextMessage.contextInfo
    assert context.stanzaID == first.provider_message_id
    assert context.participant == f"{BUSINESS}@s.whatsapp.net"
    assert context.quotedMessage.conversation == "Menu: 1) plans 2) support"


async def test_unknown_quote_goes_as_plain_text(web: tuple[WebProvider, FakeClient]) -> None:
    provider_, client = web
    await provider_.send_text(text("hello", quoted_id="FROM-BEFORE-A-RESTART"))
    assert client.sent[-1][1] == Message(conversation="hello")


async def test_image_with_caption(tmp_path: Path, web: tuple[WebProvider, FakeClient]) -> None:
    provider_, client = web
    data = png_bytes()
    media = media_file(tmp_path, "image", "image/png", data, "plan.png")
    out = OutboundText(message_id=2, to_phone=f"+{CUSTOMER}", body="Our plans", media=media)
    await provider_.send_text(out)
    assert client.uploads == [(data, MediaType.MediaImage)]
    image = client.sent[-1][1].imageMessage
    assert (image.caption, image.mimetype, image.fileLength) == (
        "Our plans",
        "image/png",
        len(data),
    )
    assert image.directPath == "/v/t62/upload" and image.mediaKey == b"k" * 32
    thumbnail = Image.open(io.BytesIO(image.JPEGThumbnail))
    assert thumbnail.format == "JPEG" and max(thumbnail.size) <= 200


@pytest.mark.parametrize(
    ("kind", "mime", "media_type", "field"),
    [
        ("video", "video/mp4", MediaType.MediaVideo, "videoMessage"),
        ("audio", "audio/ogg", MediaType.MediaAudio, "audioMessage"),
        ("document", "application/pdf", MediaType.MediaDocument, "documentMessage"),
        ("sticker", "image/webp", MediaType.MediaImage, "stickerMessage"),
        ("sticker", "image/png", MediaType.MediaImage, "imageMessage"),  # not WebP: an image
    ],
)
async def test_other_files(
    tmp_path: Path,
    web: tuple[WebProvider, FakeClient],
    kind: str,
    mime: str,
    media_type: MediaType,
    field: str,
) -> None:
    provider_, client = web
    data = png_bytes() if mime == "image/png" else b"file bytes"
    media = media_file(tmp_path, kind, mime, data, "invoice.pdf" if kind == "document" else "f")
    out = OutboundText(message_id=3, to_phone=f"+{CUSTOMER}", body="see attached", media=media)
    await provider_.send_text(out)
    assert client.uploads[-1] == (data, media_type)
    sent = client.sent[-1][1]
    assert sent.HasField(field)
    part = getattr(sent, field)
    assert part.mimetype == mime
    if kind == "document":
        assert (part.fileName, part.caption) == ("invoice.pdf", "see attached")


async def test_media_reply_carries_the_quote(
    tmp_path: Path, web: tuple[WebProvider, FakeClient]
) -> None:
    provider_, client = web
    await client.emit(message_event(Message(conversation="send the pdf"), message_id="IN2"))
    await eventually(lambda: "IN2" in provider_._recent)
    media = media_file(tmp_path, "document", "application/pdf", b"%PDF-1.7", "a.pdf")
    out = OutboundText(message_id=4, to_phone=f"+{CUSTOMER}", body="", media=media, quoted_id="IN2")
    await provider_.send_text(out)
    doc = client.sent[-1][1].documentMessage
    assert doc.contextInfo.stanzaID == "IN2" and not doc.caption


async def test_missing_file_fails_the_message(
    tmp_path: Path, web: tuple[WebProvider, FakeClient]
) -> None:
    provider_, _client = web
    gone = OutboundMedia("image", "image/png", "x.png", tmp_path / "nope.png", 10)
    with pytest.raises(ProviderError) as exc:
        await provider_.send_text(OutboundText(5, f"+{CUSTOMER}", "", media=gone))
    assert not exc.value.transient


async def test_send_errors_are_retried(web: tuple[WebProvider, FakeClient]) -> None:
    provider_, client = web
    client.send_error = RuntimeError("failed to send: websocket not connected")
    with pytest.raises(ProviderError) as exc:
        await provider_.send_text(text("hola"))
    assert exc.value.transient and "websocket not connected" in exc.value.reason


async def test_not_a_phone(web: tuple[WebProvider, FakeClient]) -> None:
    provider_, _client = web
    with pytest.raises(ProviderError) as exc:
        await provider_.send_text(text("hola", to="nobody"))
    assert not exc.value.transient
