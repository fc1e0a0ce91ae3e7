"""Browser test of media in the chat (issue 5, parts 5 and 6): a simulated customer sends
every kind of media, a location and a contact card; the operator sees each rendered, sends
an image and a PDF from the composer, replies to a message; reactions and quotes show on
the message they point to. Files are tiny real ones made here, so the server's check by
content (helpline/media/service.py ALLOWED) accepts them."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import struct
import time
import uuid
import zlib
from base64 import b64decode
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiohttp import web
from playwright.async_api import expect

from tests.conftest import login, serve_local
from tests.e2e.steps import ADMIN, customer_writes, new_phone, open_chat
from tests.e2e.steps import login as login_page

MEDIA_URL = re.compile(r"^/api/media/\d+$")


# --- small real files -----------------------------------------------------------------


def png(width: int = 24, height: int = 16, rgb: tuple[int, int, int] = (0, 128, 105)) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


# A 1x1 lossless WebP: WhatsApp stickers are WebP.
WEBP = b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")


def mp3(frames: int = 40) -> bytes:
    """Silent MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, mono): about a second."""
    return (b"\xff\xfb\x90\xc0" + b"\x00" * 413) * frames


# An MP4 with only its `ftyp` box: recognised as video/mp4 by content, not playable.
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41" + b"\x00\x00\x00\x08free"


def pdf(text: str) -> bytes:
    stream = f"BT /F1 18 Tf 20 40 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


# --- steps ----------------------------------------------------------------------------


async def image_loaded(page: Any, image: Any) -> None:
    """Waits until the <img> really decoded (the cookie-authorized URL answered a picture)."""
    handle = await image.element_handle()
    await page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=handle)


async def customer_sends_file(
    sim: Any, kind: str, name: str, mime: str, data: bytes, caption: str = ""
) -> None:
    """The simulated customer picks a file from the phone's "+" menu and sends it."""
    await sim.get_by_test_id("sim-attach").click()
    async with sim.expect_file_chooser() as chooser_info:
        await sim.get_by_test_id(f"sim-attach-{kind}").click()
    chooser = await chooser_info.value
    await chooser.set_files(files=[{"name": name, "mimeType": mime, "buffer": data}])
    await expect(sim.get_by_test_id("attachment-preview")).to_contain_text(name)
    if caption:
        await sim.get_by_test_id("sim-text").fill(caption)
    await sim.get_by_test_id("sim-send").click()
    await expect(sim.get_by_test_id("attachment-preview")).to_have_count(0)
    await expect(sim.get_by_test_id("sim-error")).to_have_count(0)


def bubble(page: Any, direction: str, test_id: str) -> Any:
    """The message of one direction holding a `test_id` element (the newest last)."""
    return (
        page.get_by_test_id("message")
        .filter(has=page.get_by_test_id(test_id))
        .and_(page.locator(f'[data-direction="{direction}"]'))
    )


async def test_customer_and_operator_exchange_media(live_server: Any, browser_context: Any) -> None:
    base = live_server.url
    phone = new_phone()
    tag = uuid.uuid4().hex[:6]
    hello = f"hola media {tag}"
    contact_name = f"Carla Media {tag}"

    chat = await open_chat(browser_context, base)
    sim = await customer_writes(browser_context, base, phone, "Media", hello)

    item = chat.get_by_test_id("conversation-item").filter(has_text=phone)
    await expect(item).to_have_count(1)
    await item.click()
    await expect(chat.get_by_test_id("message").filter(has_text=hello)).to_have_count(1)

    # --- the customer sends each kind of media --------------------------------------
    await customer_sends_file(sim, "image", f"foto-{tag}.png", "image/png", png(), f"mirá {tag}")
    await customer_sends_file(sim, "audio", f"nota-{tag}.mp3", "audio/mpeg", mp3())
    await customer_sends_file(sim, "voice", f"voz-{tag}.mp3", "audio/mpeg", mp3(20))
    await customer_sends_file(sim, "video", f"video-{tag}.mp4", "video/mp4", MP4)
    await customer_sends_file(
        sim, "document", f"factura-{tag}.pdf", "application/pdf", pdf(f"Factura {tag}")
    )
    await customer_sends_file(sim, "sticker", f"sticker-{tag}.webp", "image/webp", WEBP)

    await sim.get_by_test_id("sim-attach").click()
    await sim.get_by_test_id("sim-attach-location").click()
    await sim.get_by_test_id("sim-lat").fill("-34.6037")
    await sim.get_by_test_id("sim-lng").fill("-58.3816")
    await sim.get_by_test_id("sim-place").fill(f"Obelisco {tag}")
    await sim.get_by_test_id("sim-location-send").click()
    await expect(sim.get_by_test_id("sim-location-form")).to_have_count(0)

    await sim.get_by_test_id("sim-attach").click()
    await sim.get_by_test_id("sim-attach-contact").click()
    await sim.get_by_test_id("sim-contact-name").fill(contact_name)
    await sim.get_by_test_id("sim-contact-phone").fill("+54 9 11 5555-0199")
    await sim.get_by_test_id("sim-contact-send").click()
    await expect(sim.get_by_test_id("sim-contact-form")).to_have_count(0)

    # --- the operator sees every one, live --------------------------------------------
    image = bubble(chat, "in", "media-image")
    await expect(image).to_contain_text(f"mirá {tag}")  # the caption
    await image_loaded(chat, image.locator("img"))
    # The thumbnail opens the picture in a modal.
    await image.get_by_test_id("media-image").click()
    viewer = chat.get_by_test_id("media-viewer")
    await expect(viewer).to_be_visible()
    await image_loaded(chat, viewer.locator("img"))
    await chat.keyboard.press("Escape")
    await expect(viewer).to_have_count(0)

    audio = chat.get_by_test_id("media-audio").and_(chat.locator(":not([data-voice])"))
    await expect(audio).to_have_attribute("src", MEDIA_URL)
    src = await audio.get_attribute("src")
    answer = await chat.request.get(f"{base}{src}")
    assert answer.status == 200 and answer.headers["content-type"].startswith("audio/mpeg")
    # The silent MP3 really plays in the browser.
    await chat.wait_for_function(
        "el => el.readyState >= 1 && el.duration > 0", arg=await audio.element_handle()
    )

    # The voice note is a player too, labelled as one.
    voice = chat.get_by_test_id("media-audio").and_(chat.locator("[data-voice]"))
    await expect(voice).to_have_attribute("src", MEDIA_URL)
    await expect(voice).to_have_attribute("aria-label", "Voice message")

    video = chat.get_by_test_id("media-video")
    await expect(video).to_have_attribute("src", MEDIA_URL)
    src = await video.get_attribute("src")
    answer = await chat.request.get(f"{base}{src}")
    assert answer.status == 200 and answer.headers["content-type"].startswith("video/mp4")

    document = chat.get_by_test_id("media-document")
    await expect(document.get_by_test_id("media-document-name")).to_have_text(f"factura-{tag}.pdf")
    await expect(document.get_by_test_id("media-document-size")).to_contain_text("B")
    await expect(document.get_by_test_id("media-download")).to_have_attribute(
        "href", re.compile(r"^/api/media/\d+\?download=1$")
    )

    await image_loaded(chat, chat.get_by_test_id("media-sticker"))

    location = chat.get_by_test_id("media-location")
    await expect(location).to_contain_text(f"Obelisco {tag}")
    await expect(location.get_by_test_id("map-link")).to_have_attribute(
        "href", re.compile(r"openstreetmap\.org/\?mlat=-34\.6037\d*&mlon=-58\.3816")
    )

    await expect(chat.get_by_test_id("media-contact-name")).to_have_text(contact_name)

    # --- the operator sends an image and a PDF from the composer -----------------------
    composer = chat.get_by_test_id("composer-input")
    files = chat.get_by_test_id("composer-file")
    await files.set_input_files(
        files=[{"name": f"catalogo-{tag}.png", "mimeType": "image/png", "buffer": png(40, 30)}]
    )
    await expect(chat.get_by_test_id("attachment-name")).to_have_text(f"catalogo-{tag}.png")
    await composer.fill(f"nuestro catálogo {tag}")
    # Enter sends (the send button may sit under a toast of this very conversation).
    await composer.press("Enter")
    await expect(chat.get_by_test_id("attachment-preview")).to_have_count(0)
    sent_image = bubble(chat, "out", "media-image")
    await expect(sent_image).to_contain_text(f"nuestro catálogo {tag}")
    await image_loaded(chat, sent_image.locator("img"))

    await files.set_input_files(
        files=[
            {"name": f"presupuesto-{tag}.pdf", "mimeType": "application/pdf", "buffer": pdf(tag)}
        ]
    )
    await composer.press("Enter")
    sent_pdf = bubble(chat, "out", "media-document")
    await expect(sent_pdf).to_contain_text(f"presupuesto-{tag}.pdf")
    await expect(sent_pdf).to_have_attribute("data-status", re.compile(r"^(sent|delivered|read)$"))

    # A file of a type the desk refuses: said in words, nothing sent.
    await files.set_input_files(
        files=[
            {
                "name": "tool.exe",
                "mimeType": "application/octet-stream",
                "buffer": b"MZ" + b"\0" * 200,
            }
        ]
    )
    await composer.press("Enter")
    await expect(chat.get_by_test_id("send-error")).to_contain_text(
        "This type of file cannot be sent"
    )
    await chat.get_by_test_id("attachment-remove").click()

    # A file dropped on the conversation, or pasted into the composer, is attached too.
    for event, target, name in (
        ("drop", "message-pane", "soltado.png"),
        ("paste", "composer-input", "pegado.png"),
    ):
        await chat.get_by_test_id(target).evaluate(
            """(el, [event, name]) => {
                const data = new DataTransfer()
                const bytes = new Uint8Array([137, 80, 78, 71])
                data.items.add(new File([bytes], name, { type: 'image/png' }))
                const init = { bubbles: true, cancelable: true }
                if (event === 'drop') {
                    el.dispatchEvent(new DragEvent('dragover', { ...init, dataTransfer: data }))
                    el.dispatchEvent(new DragEvent('drop', { ...init, dataTransfer: data }))
                } else {
                    el.dispatchEvent(new ClipboardEvent('paste', { ...init, clipboardData: data }))
                }
            }""",
            [event, name],
        )
        await expect(chat.get_by_test_id("attachment-name")).to_have_text(name)
        await chat.get_by_test_id("attachment-remove").click()

    # The phone shows what the business sent...
    on_phone = sim.get_by_test_id("sim-message").and_(sim.locator('[data-direction="out"]'))
    phone_image = on_phone.filter(has=sim.get_by_test_id("media-image"))
    await expect(phone_image).to_contain_text(f"nuestro catálogo {tag}")
    await image_loaded(sim, phone_image.locator("img"))
    await expect(on_phone.filter(has=sim.get_by_test_id("media-document"))).to_contain_text(
        f"presupuesto-{tag}.pdf"
    )
    # ...and so does the sandbox's outbound list.
    channel = await sim.get_by_test_id("sim-channel").input_value()
    outbound = await sim.request.get(f"{base}/api/sandbox/{channel}/outbound", params={"to": phone})
    kinds = {o["media"]["kind"]: o["media"] for o in await outbound.json() if o.get("media")}
    assert kinds["image"]["mimeType"] == "image/png"
    assert kinds["document"]["filename"] == f"presupuesto-{tag}.pdf"

    # --- a reaction on the operator's image, from the phone ----------------------------
    await phone_image.hover()
    await phone_image.locator("xpath=../..").get_by_test_id("sim-react").click()
    await sim.get_by_test_id("sim-reaction-emoji").filter(has_text="❤️").click()
    reactions = sent_image.locator("xpath=..").get_by_test_id("message-reaction")
    await expect(reactions).to_have_text("❤️")
    await expect(reactions).to_have_attribute("data-direction", "in")

    # --- quoted replies both ways ----------------------------------------------------
    # The operator replies to the customer's first message.
    first = chat.get_by_test_id("message").filter(has_text=hello)
    first_id = await first.get_attribute("data-message-id")
    await first.hover()
    await first.locator("xpath=../..").get_by_test_id("message-reply").click()
    await expect(chat.get_by_test_id("reply-preview")).to_contain_text(hello)
    answer_text = f"sobre eso {tag}"
    await composer.fill(answer_text)
    await composer.press("Enter")
    reply = chat.get_by_test_id("message").filter(has_text=answer_text)
    await expect(reply.get_by_test_id("message-quote")).to_have_attribute(
        "data-quoted-id", first_id or ""
    )
    await expect(reply.get_by_test_id("message-quote")).to_contain_text(hello)
    await expect(chat.get_by_test_id("reply-preview")).to_have_count(0)
    # Clicking the quote goes to the original.
    await reply.get_by_test_id("message-quote").click()
    original = chat.locator(f'[data-testid="message"][data-message-id="{first_id}"]')
    await expect(original).to_have_class(re.compile(r"\bbubble-flash\b"))

    # The customer quotes the operator's PDF.
    phone_pdf = on_phone.filter(has=sim.get_by_test_id("media-document"))
    await phone_pdf.hover()
    await phone_pdf.locator("xpath=../..").get_by_test_id("message-reply").click()
    await expect(sim.get_by_test_id("reply-preview")).to_contain_text(f"presupuesto-{tag}.pdf")
    question = f"¿este presupuesto {tag}?"
    await sim.get_by_test_id("sim-text").fill(question)
    await sim.get_by_test_id("sim-send").click()
    quoted = chat.get_by_test_id("message").filter(has_text=question)
    await expect(quoted).to_have_attribute("data-direction", "in")
    pdf_id = await sent_pdf.get_attribute("data-message-id")
    await expect(quoted.get_by_test_id("message-quote")).to_have_attribute(
        "data-quoted-id", pdf_id or ""
    )


# --- a Cloud API number: the 24-hour window, templates, failures with their reason ------


@dataclass
class FakeGraph:
    """Meta's Graph API (the one edge we cannot reach): approved templates to sync, media
    to download, and sends that succeed or fail with the scripted Graph error."""

    url: str = ""
    sent: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    # media id -> (bytes, MIME type); unknown ids answer Graph's "not found"
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    # set: downloads answer (the test looks at the "downloading" state until then)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def templates(self, _request: web.Request) -> web.Response:
        body = {"type": "BODY", "text": "Hola {{1}}, su pedido {{2}} está listo."}
        template = {
            "name": "pedido_listo",
            "language": "es_AR",
            "status": "APPROVED",
            "category": "UTILITY",
            "components": [body],
        }
        return web.json_response({"data": [template]})

    async def messages(self, request: web.Request) -> web.Response:
        payload = await request.json()
        self.sent.append(payload)
        if self.errors:
            return web.json_response(self.errors.pop(0), status=400)
        wamid = f"wamid.OUT{len(self.sent)}"
        return web.json_response({"messaging_product": "whatsapp", "messages": [{"id": wamid}]})

    async def media_info(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        if media_id not in self.media:
            error = {"message": "Media not found", "code": 100, "type": "OAuthException"}
            return web.json_response({"error": error}, status=404)
        mime = self.media[media_id][1]
        return web.json_response({"url": f"{self.url}/files/{media_id}", "mime_type": mime})

    async def file(self, request: web.Request) -> web.Response:
        await self.release.wait()
        data, mime = self.media[request.match_info["media_id"]]
        return web.Response(body=data, content_type=mime)


async def start_graph() -> tuple[FakeGraph, web.AppRunner]:
    graph = FakeGraph()
    server = web.Application()
    server.router.add_get("/{version}/{waba}/message_templates", graph.templates)
    server.router.add_post("/{version}/{number}/messages", graph.messages)
    server.router.add_get("/files/{media_id}", graph.file)
    server.router.add_get("/{version}/{media_id}", graph.media_info)
    graph.url, runner = await serve_local(server)
    return graph, runner


@dataclass
class CloudNumber:
    """A Cloud API channel of the live server, talking to the fake Graph API."""

    base: str
    channel_id: int
    phone_number_id: str
    secret: str

    async def receive(self, wa_id: str, message: dict[str, Any]) -> None:
        """A signed webhook POST carrying one message of the customer `wa_id`."""
        value = {
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": "15550001111",
                "phone_number_id": self.phone_number_id,
            },
            "contacts": [{"profile": {"name": "Nube"}, "wa_id": wa_id}],
            "messages": [
                {
                    "from": wa_id,
                    "id": f"wamid.IN{uuid.uuid4().hex}",
                    "timestamp": str(int(time.time())),
                    **message,
                }
            ],
        }
        payload = {
            "object": "whatsapp_business_account",
            "entry": [{"id": "0", "changes": [{"field": "messages", "value": value}]}],
        }
        body = json.dumps(payload).encode()
        digest = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"}
        async with httpx.AsyncClient(base_url=self.base) as client:
            answer = await client.post("/api/webhooks/whatsapp", content=body, headers=headers)
        assert answer.status_code == 200, answer.text


async def cloud_number(base: str, graph: FakeGraph) -> CloudNumber:
    """A new Cloud API channel (numbers and secrets of its own) with its templates synced."""
    tag = uuid.uuid4().hex[:6]
    number = CloudNumber(base, 0, str(uuid.uuid4().int % 10**13), f"app-secret-{tag}")
    async with httpx.AsyncClient(base_url=base) as admin:
        await login(admin, *ADMIN)
        config = {
            "phone_number_id": number.phone_number_id,
            "waba_id": f"waba{tag}",
            "access_token": f"token-{tag}",
            "app_secret": number.secret,
            "verify_token": f"verify-{tag}",
            "api_base_url": graph.url,
        }
        created = await admin.post(
            "/api/channels", json={"name": f"Cloud {tag}", "provider": "cloud", "config": config}
        )
        assert created.status_code == 201, created.text
        assert created.json()["replyWindow"] is True
        number.channel_id = created.json()["id"]
        synced = await admin.post(f"/api/channels/{number.channel_id}/templates/sync")
        assert synced.status_code == 200, synced.text
    return number


async def open_conversation(page: Any, phone: str, text: str) -> None:
    item = page.get_by_test_id("conversation-item").filter(has_text=phone)
    await item.click()
    await expect(page.get_by_test_id("message").filter(has_text=text)).to_have_count(1)


async def test_closed_window_offers_templates_and_failures_say_why(
    live_server: Any, browser_context: Any
) -> None:
    base = live_server.url
    tag = uuid.uuid4().hex[:6]
    wa_id = new_phone().lstrip("+")
    hello = f"hola nube {tag}"
    graph, runner = await start_graph()
    try:
        cloud = await cloud_number(base, graph)
        await cloud.receive(wa_id, {"type": "text", "text": {"body": hello}})

        # The console looks 25 hours later: the customer's window is over.
        chat = await browser_context.new_page()
        await chat.clock.install(time=datetime.now(UTC) + timedelta(hours=25))
        await login_page(chat, base, *ADMIN)
        await expect(chat.get_by_test_id("socket-status")).to_have_attribute(
            "data-state", "connected"
        )
        await open_conversation(chat, wa_id, hello)
        await expect(chat.get_by_test_id("window-closed")).to_be_visible()

        # A free-form send the server refuses as outside the window opens the templates.
        # (The server is 25 hours behind this page, so its refusal is played here.)
        refusal = {
            "detail": "The customer last wrote more than 24 hours ago; WhatsApp only allows "
            "an approved template now.",
            "code": "window_closed",
        }

        async def refuse(route: Any) -> None:
            await route.fulfill(status=409, json=refusal)

        send_url = re.compile(r"/api/conversations/\d+/messages$")
        await chat.route(send_url, refuse)
        composer = chat.get_by_test_id("composer-input")
        await composer.fill("¿sigue ahí?")
        await composer.press("Enter")
        await expect(chat.get_by_test_id("send-error")).to_contain_text("24 hours")
        picker = chat.get_by_test_id("template-picker")
        await expect(picker).to_be_visible()
        await chat.unroute(send_url)

        # The approved template, its two values, sent through the Graph API.
        await picker.get_by_test_id("template-option").filter(has_text="pedido_listo").click()
        params = picker.get_by_test_id("template-param")
        await expect(params).to_have_count(2)
        await params.nth(0).fill("Nube")
        await params.nth(1).fill(f"#{tag}")
        await expect(picker.get_by_test_id("template-preview")).to_have_text(
            f"Hola Nube, su pedido #{tag} está listo."
        )
        await picker.get_by_test_id("template-send").click()
        await expect(picker).to_have_count(0)
        sent = chat.get_by_test_id("message").filter(has_text=f"su pedido #{tag} está listo")
        await expect(sent).to_have_attribute("data-type", "template")
        await expect(sent).to_have_attribute("data-status", "sent")
        assert graph.sent[-1]["type"] == "template"

        # Meta refuses the next one: the message says why, in the bubble and on the ticks.
        graph.errors.append(
            {
                "error": {
                    "message": "Message undeliverable",
                    "code": 131026,
                    "type": "OAuthException",
                }
            }
        )
        await chat.get_by_test_id("open-templates").click()
        picker = chat.get_by_test_id("template-picker")
        await picker.get_by_test_id("template-option").first.click()
        await picker.get_by_test_id("template-param").nth(0).fill("Otra vez")
        await picker.get_by_test_id("template-param").nth(1).fill(f"#{tag}-2")
        await picker.get_by_test_id("template-send").click()
        failed = chat.get_by_test_id("message").filter(has_text=f"#{tag}-2")
        await expect(failed).to_have_attribute("data-status", "failed")
        await expect(failed.get_by_test_id("message-error")).to_contain_text(
            "Message undeliverable"
        )
        await expect(failed.get_by_test_id("delivery-state")).to_have_attribute(
            "title", re.compile("Message undeliverable")
        )
    finally:
        await runner.cleanup()


async def test_failed_download_is_retried(live_server: Any, browser_context: Any) -> None:
    """An image Meta cannot hand over says so; the retry downloads it (the page sees it
    pending, then the picture) through the live `message:update` events."""
    base = live_server.url
    tag = uuid.uuid4().hex[:6]
    wa_id = new_phone().lstrip("+")
    hello = f"hola foto {tag}"
    media_id = f"media{tag}"
    graph, runner = await start_graph()
    try:
        cloud = await cloud_number(base, graph)
        await cloud.receive(wa_id, {"type": "text", "text": {"body": hello}})
        chat = await open_chat(browser_context, base)
        await open_conversation(chat, wa_id, hello)

        # Meta does not know the media id: the download fails at once, with Meta's words.
        image = {"id": media_id, "mime_type": "image/png", "caption": f"foto {tag}"}
        await cloud.receive(wa_id, {"type": "image", "image": image})
        failed = chat.get_by_test_id("media-failed")
        await expect(failed).to_contain_text("could not be downloaded")
        await expect(failed).to_contain_text("Media not found")

        # Now Meta has it: a retry shows it downloading, then the picture itself.
        graph.media[media_id] = (png(32, 20, (200, 60, 40)), "image/png")
        await failed.get_by_test_id("media-retry").click()
        await expect(chat.get_by_test_id("media-pending")).to_contain_text("Downloading")
        graph.release.set()
        picture = chat.get_by_test_id("media-image")
        await expect(picture).to_be_visible()
        await image_loaded(chat, picture.locator("img"))
        await expect(chat.get_by_test_id("media-failed")).to_have_count(0)
        await expect(chat.get_by_test_id("message").filter(has=picture)).to_contain_text(
            f"foto {tag}"
        )
    finally:
        graph.release.set()
        await runner.cleanup()
