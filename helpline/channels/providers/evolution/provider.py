"""The Evolution API bridge (https://github.com/EvolutionAPI/evolution-api), v2 by default,
v1 with `api_version: v1` (the request bodies differ).

Outbound: `POST {base_url}/message/sendText|sendMedia|sendSticker/{instance}` with the
`apikey` header. Inbound arrives on the channel's webhook
(`POST /api/webhooks/evolution/{channel_id}`, see `helpline.webhooks.gateway`).

A channel's config: `base_url`, `instance` (the instance name), `api_key`, `webhook_secret`
(what the webhook must carry), `api_version` (v2 or v1) and `webhook_base_url` (optional:
Helpline's address as Evolution sees it; when set, connect registers the webhook).
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

import httpx

from helpline.channels.providers.base import (
    ChannelLink,
    ConfigField,
    FetchedMedia,
    MediaRef,
    OutboundText,
    ProviderError,
    SendResult,
)
from helpline.channels.providers.bridge.client import (
    FILE_TIMEOUT,
    TIMEOUT,
    BridgeClient,
    decode_base64,
    read_media,
    recipient,
    webhook_url,
)

LABEL = "Evolution API"
# The events the desk handles; `base64` asks Evolution to put inbound media in the webhook.
WEBHOOK_EVENTS = ("MESSAGES_UPSERT", "MESSAGES_UPDATE", "CONNECTION_UPDATE", "QRCODE_UPDATED")


class EvolutionProvider:
    name = "evolution"
    has_session = True  # a session on the server: a QR to scan
    config_fields = (
        ConfigField("base_url", required=True, default="http://localhost:8080"),
        ConfigField("instance", required=True),
        ConfigField("api_key", required=True, secret=True),
        ConfigField("webhook_secret", secret=True, generated=True),
        ConfigField("api_version", default="v2"),
        ConfigField("webhook_base_url"),
    )

    def __init__(
        self, config: dict[str, Any], transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.base_url = str(config.get("base_url") or "").strip().rstrip("/")
        self.instance = str(config.get("instance") or "").strip()
        self.api_key = str(config.get("api_key") or "")
        self.webhook_secret = str(config.get("webhook_secret") or "")
        self.webhook_base_url = str(config.get("webhook_base_url") or "")
        self.v1 = str(config.get("api_version") or "v2").strip().lower() == "v1"
        self.client = BridgeClient(LABEL, transport)

    # --- sending -----------------------------------------------------------------------

    async def send_text(self, message: OutboundText) -> SendResult:
        """Text, or a file with `body` as its caption."""
        route, body = await self._message_body(message)
        if message.quoted_id:
            quoted = {"key": {"id": message.quoted_id}}
            if self.v1:
                body["options"] = {"quoted": quoted}
            else:
                body["quoted"] = quoted
        limits = TIMEOUT if message.media is None else FILE_TIMEOUT
        data = await self._api("POST", f"message/{route}", body, limits=limits)
        key = data.get("key")
        sent_id = key.get("id") if isinstance(key, dict) else None
        if not isinstance(sent_id, str) or not sent_id:
            # Retrying could deliver the message twice: fail it and let the operator resend.
            raise ProviderError(
                "Evolution API answered without a message id (it may have been sent)",
                transient=False,
            )
        return SendResult(provider_message_id=sent_id, status="sent")

    async def _message_body(self, message: OutboundText) -> tuple[str, dict[str, Any]]:
        """The route and body: v2 takes flat fields, v1 nests them per kind."""
        number = recipient(message.to_phone)
        media = message.media
        if media is None:
            if self.v1:
                return "sendText", {"number": number, "textMessage": {"text": message.body}}
            return "sendText", {"number": number, "text": message.body}
        content = base64.b64encode(await read_media(media)).decode()
        if media.kind == "sticker":
            if self.v1:
                return "sendSticker", {"number": number, "stickerMessage": {"image": content}}
            return "sendSticker", {"number": number, "sticker": content}
        fields: dict[str, Any] = {
            "mediatype": media.kind,
            "caption": message.body or None,
            "media": content,
            "fileName": media.filename,
        }
        if self.v1:
            return "sendMedia", {"number": number, "mediaMessage": fields}
        return "sendMedia", {"number": number, "mimetype": media.mime_type, **fields}

    async def fetch_media(self, ref: MediaRef) -> FetchedMedia:
        """The bytes of inbound media by its message id (`getBase64FromMediaMessage`)."""
        if ref.data is not None:
            return FetchedMedia(ref.data, ref.mime_type)
        if not ref.media_id:
            raise ProviderError("No Evolution message id to download the media by", transient=False)
        body = {"message": {"key": {"id": ref.media_id}}, "convertToMp4": False}
        data = await self._api("POST", "chat/getBase64FromMediaMessage", body)
        content = decode_base64(data.get("base64"))
        if content is None:
            raise ProviderError("Evolution API answered without the media's base64", transient=True)
        mime = data.get("mimetype")
        return FetchedMedia(content, mime if isinstance(mime, str) else ref.mime_type)

    # --- the session ---------------------------------------------------------------------

    def webhook_url(self, channel_id: int) -> str | None:
        return webhook_url(self.webhook_base_url, self.name, channel_id, self.webhook_secret)

    async def connect(self, link: ChannelLink) -> None:
        """Point the instance's webhook here (when we know our address) and connect it:
        Evolution answers with a QR code to scan, or that the instance is already open."""
        # Failures raise ProviderError: the caller (channel control) logs them and shows the
        # channel in error.
        await self._set_webhook(link)
        data = await self._api("GET", "instance/connect")
        instance = data.get("instance")
        state = instance.get("state") if isinstance(instance, dict) else None
        code = data.get("code")
        if isinstance(code, str) and code:
            await link.qr(code)
        elif state == "open":
            await link.state("connected")
        else:
            await link.state("connecting", f"Evolution instance {state or 'connecting'}")

    async def disconnect(self, link: ChannelLink, logout: bool = False) -> None:
        """Log out (unlinks the phone) or just stop using the instance: Evolution has no way
        to pause a connection, so it keeps receiving and the desk keeps storing. The channel's
        own state is the caller's (channel control has already marked it stopped)."""
        if logout:
            await self._api("DELETE", "instance/logout")
            await link.log("info", "Evolution instance logged out")
        else:
            await link.log("info", "Evolution keeps the instance connected; sends are held")

    async def _set_webhook(self, link: ChannelLink) -> None:
        url = self.webhook_url(link.channel_id)
        if not url:
            await link.log(
                "warning",
                "No webhook_base_url: the Evolution instance must be set to post its events to "
                f"/api/webhooks/evolution/{link.channel_id}",
            )
            return
        events = list(WEBHOOK_EVENTS)
        body: dict[str, Any] = (
            {
                "enabled": True,
                "url": url,
                "webhook_by_events": False,
                "webhook_base64": True,
                "events": events,
            }
            if self.v1
            else {
                "webhook": {
                    "enabled": True,
                    "url": url,
                    "byEvents": False,
                    "base64": True,
                    "events": events,
                }
            }
        )
        await self._api("POST", "webhook/set", body)

    # --- HTTP ----------------------------------------------------------------------------

    async def _api(
        self,
        method: str,
        route: str,
        body: dict[str, Any] | None = None,
        limits: httpx.Timeout = TIMEOUT,
    ) -> dict[str, Any]:
        """{method} {base_url}/{route}/{instance}."""
        url = f"{self.base_url}/{route}/{quote(self.instance, safe='')}"
        response = await self.client.call(
            method, url, headers={"apikey": self.api_key}, json_body=body, limits=limits
        )
        if not response.is_success:
            raise self.client.error(response, route.rsplit("/", 1)[-1])
        return BridgeClient.body(response)
