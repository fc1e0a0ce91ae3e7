"""The WPPConnect and Evolution providers against local fakes of their servers over real
HTTP: sending text and files, sessions and their QR codes, media downloads, errors."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import httpx
import pytest

from helpline.channels.models import Channel
from helpline.channels.providers import PROVIDERS, build_provider, config_fields
from helpline.channels.providers.base import (
    MediaRef,
    OutboundMedia,
    OutboundText,
    ProviderError,
)
from helpline.channels.providers.evolution.provider import EvolutionProvider
from helpline.channels.providers.wppconnect.provider import WppConnectProvider
from tests.conftest import App
from tests.gateway.helpers import (
    EVO_API_KEY,
    NOWHERE,
    PNG,
    QR_TEXT,
    WEBHOOK_SECRET,
    WPP_SESSION,
    FakeEvolution,
    FakeWpp,
    RecordingLink,
    evo_config,
    wpp_config,
)

TO = "+55 65 9307-7171"


def wpp_provider(fake: FakeWpp, **config: str) -> WppConnectProvider:
    built = build_provider("wppconnect", wpp_config(base_url=fake.url, **config))
    assert isinstance(built, WppConnectProvider)
    return built


def evo_provider(fake: FakeEvolution, **config: str) -> EvolutionProvider:
    built = build_provider("evolution", evo_config(base_url=fake.url, **config))
    assert isinstance(built, EvolutionProvider)
    return built


def png_file(tmp_path: Path, kind: str = "image") -> OutboundMedia:
    path = tmp_path / "receipt.png"
    path.write_bytes(PNG)
    return OutboundMedia(kind, "image/png", "receipt.png", path, len(PNG))


def test_both_are_registered_with_their_config() -> None:
    assert PROVIDERS["wppconnect"] is WppConnectProvider
    assert PROVIDERS["evolution"] is EvolutionProvider
    wpp = {f.key: f for f in config_fields("wppconnect")}
    assert {k for k, f in wpp.items() if f.required} == {
        "base_url",
        "session",
        "secret_key",
    }
    assert wpp["webhook_secret"].generated  # the desk makes one when left empty
    assert {k for k, f in wpp.items() if f.secret} == {"secret_key", "token", "webhook_secret"}
    evo = {f.key: f for f in config_fields("evolution")}
    assert {k for k, f in evo.items() if f.required} == {
        "base_url",
        "instance",
        "api_key",
    }
    assert {k for k, f in evo.items() if f.secret} == {"api_key", "webhook_secret"}


# --- WPPConnect ---------------------------------------------------------------------------


async def test_wpp_send_text_generates_a_token_then_reuses_it(wpp: FakeWpp) -> None:
    provider = wpp_provider(wpp)
    result = await provider.send_text(OutboundText(1, TO, "Olá, em que posso ajudar?"))
    assert result.status == "sent"
    assert result.provider_message_id.startswith("true_556593077171@c.us_OUT")
    token_call, send = wpp.requests
    assert token_call["route"] == "generate-token"
    assert token_call["path"] == f"/api/{WPP_SESSION}/THISISMYSECURETOKEN/generate-token"
    assert send["route"] == "send-message" and send["session"] == WPP_SESSION
    assert send["auth"] == "Bearer " + next(iter(wpp.tokens))
    assert send["json"] == {
        "phone": "556593077171",
        "isGroup": False,
        "message": "Olá, em que posso ajudar?",
    }
    # A second provider for the channel (the next delivery batch) keeps the token.
    await wpp_provider(wpp).send_text(OutboundText(2, TO, "Segunda"))
    assert len(wpp.calls("generate-token")) == 1


async def test_wpp_reply_quotes_the_message(wpp: FakeWpp) -> None:
    quoted = "false_556593077171@c.us_BA86D62376F08B22171EB46A18B23B13"
    await wpp_provider(wpp).send_text(OutboundText(1, TO, "Sim", quoted_id=quoted))
    assert wpp.calls("send-message")[0]["json"]["options"] == {"quotedMsg": quoted}


async def test_wpp_refused_token_is_replaced_once(wpp: FakeWpp) -> None:
    provider = wpp_provider(wpp, token="stale-token")
    await provider.send_text(OutboundText(1, TO, "Hola"))
    routes = [r["route"] for r in wpp.requests]
    assert routes == ["send-message", "generate-token", "send-message"]
    assert wpp.requests[0]["auth"] == "Bearer stale-token"


async def test_wpp_wrong_secret_key_fails_for_good(wpp: FakeWpp) -> None:
    provider = wpp_provider(wpp, secret_key="not-the-key")
    with pytest.raises(ProviderError) as caught:
        await provider.send_text(OutboundText(1, TO, "Hola"))
    assert not caught.value.transient
    assert "SECRET_KEY is incorrect" in caught.value.reason


async def test_wpp_send_file_as_base64_with_caption(wpp: FakeWpp, tmp_path: Path) -> None:
    media = png_file(tmp_path)
    result = await wpp_provider(wpp).send_text(OutboundText(1, TO, "Seu recibo", media=media))
    assert result.provider_message_id.startswith("true_")
    (call,) = wpp.calls("send-file-base64")
    body = call["json"]
    assert body["phone"] == "556593077171"
    assert body["filename"] == "receipt.png"
    assert body["caption"] == "Seu recibo"
    assert body["base64"] == "data:image/png;base64," + base64.b64encode(PNG).decode()


async def test_wpp_missing_file_fails_the_message(wpp: FakeWpp, tmp_path: Path) -> None:
    media = png_file(tmp_path)
    media.path.unlink()
    with pytest.raises(ProviderError) as caught:
        await wpp_provider(wpp).send_text(OutboundText(1, TO, "", media=media))
    assert not caught.value.transient


async def test_wpp_start_session_reports_the_qr_text(wpp: FakeWpp) -> None:
    link = RecordingLink(channel_id=42)
    provider = wpp_provider(wpp, webhook_base_url="http://helpline.local:4000/")
    await provider.connect(link)
    (start,) = wpp.calls("start-session")
    assert start["json"] == {
        "waitQrCode": False,
        "webhook": f"http://helpline.local:4000/api/webhooks/wppconnect/42?secret={WEBHOOK_SECRET}",
    }
    assert link.named("qr") == [QR_TEXT]


async def test_wpp_start_session_without_a_qr_text_or_connected(wpp: FakeWpp) -> None:
    link = RecordingLink()
    wpp.start_answer = {"status": "CONNECTED", "qrcode": None, "urlcode": None}
    await wpp_provider(wpp).connect(link)
    assert link.named("state") == [("connected", None)]
    # Without webhook_base_url the server must be pointed at the webhook by hand: said so.
    assert any("webhook_base_url" in message for _, message in link.named("log"))
    assert "webhook" not in wpp.calls("start-session")[0]["json"]

    link = RecordingLink()
    wpp.start_answer = {"status": "INITIALIZING"}
    await wpp_provider(wpp).connect(link)
    assert link.named("state") == [("connecting", "WPPConnect session initializing")]


async def test_wpp_start_session_with_only_a_small_qr_image(wpp: FakeWpp) -> None:
    link = RecordingLink()
    image = "data:image/png;base64," + base64.b64encode(PNG).decode()
    wpp.start_answer = {"status": "QRCODE", "qrcode": image, "urlcode": ""}
    await wpp_provider(wpp).connect(link)
    assert link.named("qr") == [image]


@pytest.mark.parametrize("logout", [False, True])
async def test_wpp_disconnect(wpp: FakeWpp, logout: bool) -> None:
    link = RecordingLink()
    await wpp_provider(wpp).disconnect(link, logout=logout)
    route = "logout-session" if logout else "close-session"
    assert len(wpp.calls(route)) == 1


async def test_wpp_fetch_media(wpp: FakeWpp) -> None:
    ref = MediaRef(kind="image", mime_type="image/jpeg", media_id="false_55@c.us_ABC")
    fetched = await wpp_provider(wpp).fetch_media(ref)
    assert (fetched.data, fetched.mime_type) == (PNG, "image/png")
    assert wpp.calls("download-media")[0]["json"] == {"messageId": "false_55@c.us_ABC"}
    inline = MediaRef(kind="image", mime_type="image/png", data=b"bytes")
    assert (await wpp_provider(wpp).fetch_media(inline)).data == b"bytes"


@pytest.mark.parametrize(
    ("status", "answer", "transient", "words"),
    [
        (500, {"status": "Error", "message": "Error sending the message."}, True, "Error sending"),
        (503, "Service Unavailable", True, "503"),
        (429, {"message": "Too many requests"}, True, "Too many"),
        (
            404,
            {"response": None, "status": "Disconnected", "message": "A sessão não está ativa."},
            True,
            "não está ativa",
        ),
        (
            400,
            {"response": None, "status": "Connected", "message": "O número 5565 não existe."},
            False,
            "não existe",
        ),
    ],
)
async def test_wpp_error_mapping(
    wpp: FakeWpp, status: int, answer: Any, transient: bool, words: str
) -> None:
    wpp.script.append((status, answer))
    with pytest.raises(ProviderError) as caught:
        await wpp_provider(wpp).send_text(OutboundText(1, TO, "Hola"))
    assert caught.value.transient is transient
    assert words in caught.value.reason
    assert f"HTTP {status}" in caught.value.reason


async def test_wpp_unreachable_is_transient() -> None:
    provider = WppConnectProvider(wpp_config(base_url=NOWHERE, token="t"))
    with pytest.raises(ProviderError) as caught:
        await provider.send_text(OutboundText(1, TO, "Hola"))
    assert caught.value.transient


async def test_wpp_success_without_an_id_is_not_retried(wpp: FakeWpp) -> None:
    wpp.script.append((201, {"status": "success", "response": []}))
    with pytest.raises(ProviderError) as caught:
        await wpp_provider(wpp).send_text(OutboundText(1, TO, "Hola"))
    assert not caught.value.transient


# --- Evolution API ------------------------------------------------------------------------


async def test_evo_send_text_v2(evolution: FakeEvolution) -> None:
    result = await evo_provider(evolution).send_text(
        OutboundText(1, TO, "Hola", quoted_id="3EB03E3CA617ADA52AEA79")
    )
    assert result.provider_message_id == "BAE5OUT1"
    (call,) = evolution.requests
    assert (call["method"], call["route"], call["instance"]) == (
        "POST",
        "message/sendText",
        "tigo1",
    )
    assert call["apikey"] == EVO_API_KEY
    assert call["json"] == {
        "number": "556593077171",
        "text": "Hola",
        "quoted": {"key": {"id": "3EB03E3CA617ADA52AEA79"}},
    }


async def test_evo_send_text_v1(evolution: FakeEvolution) -> None:
    await evo_provider(evolution, api_version="v1").send_text(
        OutboundText(1, TO, "Hola", quoted_id="3EB0")
    )
    assert evolution.requests[0]["json"] == {
        "number": "556593077171",
        "textMessage": {"text": "Hola"},
        "options": {"quoted": {"key": {"id": "3EB0"}}},
    }


async def test_evo_send_media(evolution: FakeEvolution, tmp_path: Path) -> None:
    media = png_file(tmp_path)
    result = await evo_provider(evolution).send_text(OutboundText(1, TO, "Recibo", media=media))
    assert result.provider_message_id == "BAE5OUT1"
    (call,) = evolution.calls("message/sendMedia")
    assert call["json"] == {
        "number": "556593077171",
        "mimetype": "image/png",
        "mediatype": "image",
        "caption": "Recibo",
        "media": base64.b64encode(PNG).decode(),
        "fileName": "receipt.png",
    }
    sticker = png_file(tmp_path, kind="sticker")
    await evo_provider(evolution).send_text(OutboundText(2, TO, "", media=sticker))
    assert evolution.calls("message/sendSticker")[0]["json"]["sticker"] == (
        base64.b64encode(PNG).decode()
    )


async def test_evo_connect_sets_the_webhook_and_reports_the_qr(evolution: FakeEvolution) -> None:
    link = RecordingLink(channel_id=9)
    await evo_provider(evolution, webhook_base_url="https://desk.example").connect(link)
    (webhook,) = evolution.calls("webhook/set")
    settings = webhook["json"]["webhook"]
    assert (
        settings["url"] == f"https://desk.example/api/webhooks/evolution/9?secret={WEBHOOK_SECRET}"
    )
    assert settings["enabled"] is True and settings["base64"] is True
    assert "MESSAGES_UPSERT" in settings["events"]
    assert evolution.calls("instance/connect")[0]["method"] == "GET"
    assert link.named("qr") == [QR_TEXT]


async def test_evo_connect_when_already_open(evolution: FakeEvolution) -> None:
    evolution.connect_answer = {"instance": {"instanceName": "tigo1", "state": "open"}}
    link = RecordingLink()
    await evo_provider(evolution).connect(link)
    assert link.named("state") == [("connected", None)]
    assert evolution.calls("webhook/set") == []


async def test_evo_logout(evolution: FakeEvolution) -> None:
    link = RecordingLink()
    await evo_provider(evolution).disconnect(link, logout=True)
    assert evolution.calls("instance/logout")[0]["method"] == "DELETE"
    await evo_provider(evolution).disconnect(link)
    assert len(evolution.calls("instance/logout")) == 1


async def test_evo_fetch_media(evolution: FakeEvolution) -> None:
    ref = MediaRef(kind="image", mime_type="image/jpeg", media_id="3EB083096BF5E4096E4137")
    fetched = await evo_provider(evolution).fetch_media(ref)
    assert fetched.data == PNG
    assert evolution.calls("chat/getBase64FromMediaMessage")[0]["json"] == {
        "message": {"key": {"id": "3EB083096BF5E4096E4137"}},
        "convertToMp4": False,
    }


@pytest.mark.parametrize(
    ("status", "answer", "transient", "words"),
    [
        (
            500,
            {
                "status": 500,
                "error": "Internal Server Error",
                "response": {"message": "Connection Closed"},
            },
            True,
            "Connection Closed",
        ),
        (429, {"status": 429, "error": "Too Many Requests"}, True, "Too Many"),
        (
            400,
            {
                "status": 400,
                "error": "Bad Request",
                "response": {"message": [{"exists": False, "jid": "5565@s.whatsapp.net"}]},
            },
            False,
            '"exists":false',
        ),
        (
            404,
            {
                "status": 404,
                "error": "Not Found",
                "response": {"message": ['The "x" instance does not exist']},
            },
            False,
            "does not exist",
        ),
    ],
)
async def test_evo_error_mapping(
    evolution: FakeEvolution, status: int, answer: Any, transient: bool, words: str
) -> None:
    evolution.script.append((status, answer))
    with pytest.raises(ProviderError) as caught:
        await evo_provider(evolution).send_text(OutboundText(1, TO, "Hola"))
    assert caught.value.transient is transient
    assert words in caught.value.reason


async def test_evo_wrong_api_key_fails_for_good(evolution: FakeEvolution) -> None:
    with pytest.raises(ProviderError) as caught:
        await evo_provider(evolution, api_key="wrong").send_text(OutboundText(1, TO, "Hola"))
    assert not caught.value.transient
    assert "Unauthorized" in caught.value.reason


async def test_a_new_bridge_channel_gets_a_webhook_secret_and_starts(
    app: App, admin: httpx.AsyncClient
) -> None:
    response = await admin.post(
        "/api/channels",
        json={
            "name": "WPP sin secreto",
            "provider": "wppconnect",
            "config": {"base_url": "http://127.0.0.1:9", "session": "s1", "secret_key": "k" * 12},
        },
    )
    assert response.status_code == 201, response.text
    channel = response.json()
    assert channel["config"]["webhook_secret"].startswith("••••")
    async with app.db.sessionmaker() as session:
        row = await session.get(Channel, channel["id"])
        assert row is not None and len(row.config["webhook_secret"]) >= 24
    # A session provider starts at once; this server is unreachable, so it ends in error.
    assert channel["status"] == "error"
    assert "unreachable" in (channel["statusDetail"] or "").lower()


async def test_a_customer_known_only_by_lid_is_written_to_at_the_lid(
    wpp: FakeWpp, evolution: FakeEvolution
) -> None:
    """Its digits are no phone number: sending them as one would reach a stranger."""
    lid = "218374659102837@lid"
    await wpp_provider(wpp).send_text(OutboundText(1, lid, "Hola"))
    assert wpp.calls("send-message")[0]["json"]["phone"] == lid
    await evo_provider(evolution).send_text(OutboundText(2, lid, "Hola"))
    assert evolution.calls("message/sendText")[0]["json"]["number"] == lid
