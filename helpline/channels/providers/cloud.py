"""The WhatsApp Cloud API provider (Meta's Graph API).

Outbound: `POST {api_base_url}/{api_version}/{phone_number_id}/messages` with the channel's
access token. Inbound arrives through the deployment-wide webhook (`helpline.webhooks`),
which routes each change to its channel by `metadata.phone_number_id`.

A channel's config: `phone_number_id`, `waba_id`, `access_token`, `app_secret`,
`verify_token`, `api_base_url` (default https://graph.facebook.com) and `api_version`
(default v21.0); the last two let tests point the provider at a local fake.
"""

from __future__ import annotations

from typing import Any

import httpx

from helpline.channels.providers.base import OutboundText, ProviderError, SendResult

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v21.0"
REQUIRED_CONFIG = ("phone_number_id", "access_token", "app_secret", "verify_token")
SECRET_CONFIG = frozenset({"access_token", "app_secret", "verify_token"})

# Graph error codes worth another try: rate limits (130429 throughput, 131056 pair rate,
# 4/80007 app/account limits), "something went wrong" (131000), temporary (1, 2).
TRANSIENT_CODES = frozenset({1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131056})

# WhatsApp limits for interactive messages.
MAX_BUTTONS = 3
MAX_ROWS = 10
BUTTON_TITLE_MAX = 20
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
BODY_MAX = 1024
TIMEOUT = httpx.Timeout(15.0, connect=5.0)


def missing_config(config: dict[str, Any]) -> list[str]:
    return [key for key in REQUIRED_CONFIG if not str(config.get(key) or "").strip()]


def mask_secret(value: Any) -> str:
    text = str(value or "")
    return "••••" + text[-4:] if len(text) > 8 else "••••"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


class CloudProvider:
    name = "cloud"
    supports_interactive = True

    def __init__(self, config: dict[str, Any], transport: httpx.AsyncBaseTransport | None = None):
        self.phone_number_id = str(config.get("phone_number_id") or "")
        self.access_token = str(config.get("access_token") or "")
        base = str(config.get("api_base_url") or DEFAULT_BASE_URL).rstrip("/")
        version = str(config.get("api_version") or DEFAULT_API_VERSION).strip("/")
        self.base_url = f"{base}/{version}"
        self.transport = transport

    @property
    def messages_url(self) -> str:
        return f"{self.base_url}/{self.phone_number_id}/messages"

    async def send_text(self, message: OutboundText) -> SendResult:
        body = build_message(message)
        return await self._post_message(body)

    async def send_template(
        self,
        to_phone: str,
        template: str,
        language: str,
        components: list[dict[str, Any]] | None = None,
    ) -> SendResult:
        """An approved template: the only way to open a conversation outside the 24 h window."""
        body: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": _digits(to_phone),
            "type": "template",
            "template": {"name": template, "language": {"code": language}},
        }
        if components:
            body["template"]["components"] = components
        return await self._post_message(body)

    async def upload_media(self, content: bytes, mime_type: str, filename: str) -> str:
        """Upload a file to Meta; returns the media id to send it with (`send_media`)."""
        url = f"{self.base_url}/{self.phone_number_id}/media"
        data = await self._request(
            url,
            data={"messaging_product": "whatsapp", "type": mime_type},
            files={"file": (filename, content, mime_type)},
        )
        media_id = data.get("id")
        if not isinstance(media_id, str):
            raise ProviderError("Cloud API upload answered without a media id", transient=True)
        return media_id

    async def send_media(
        self, to_phone: str, kind: str, media_id: str, caption: str | None = None
    ) -> SendResult:
        """Send uploaded media (`kind`: image, audio, video, document, sticker) by its id."""
        media: dict[str, Any] = {"id": media_id}
        if caption and kind in ("image", "video", "document"):
            media["caption"] = caption
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": _digits(to_phone),
            "type": kind,
            kind: media,
        }
        return await self._post_message(body)

    async def _post_message(self, body: dict[str, Any]) -> SendResult:
        data = await self._request(self.messages_url, json=body)
        messages = data.get("messages")
        if not isinstance(messages, list) or not messages or "id" not in messages[0]:
            raise ProviderError("Cloud API answered without a message id", transient=True)
        return SendResult(provider_message_id=str(messages[0]["id"]), status="sent")

    async def _request(self, url: str, **kwargs: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.access_token}"}
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT, transport=self.transport) as client:
                response = await client.post(url, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise ProviderError(
                f"Cloud API unreachable: {type(exc).__name__}", transient=True
            ) from exc
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            data = {}
        if response.is_success:
            return data
        raise _error(response.status_code, data)


def _error(status_code: int, data: dict[str, Any]) -> ProviderError:
    """A Graph API error as a ProviderError: rate limits, server trouble and Meta's
    temporary codes are transient; the rest (undeliverable, outside the 24 h window,
    invalid parameter...) fail the message with Meta's own words."""
    error = data.get("error")
    if not isinstance(error, dict):
        error = {}
    code = error.get("code")
    message = str(error.get("message") or "").strip()
    error_data = error.get("error_data")
    details = error_data.get("details") if isinstance(error_data, dict) else None
    if isinstance(details, str) and details and details not in message:
        message = f"{message} ({details})" if message else details
    label = code if code is not None else f"HTTP {status_code}"
    reason = f"Cloud API error {label}: {message or f'HTTP {status_code}'}"
    transient = (
        status_code == 429
        or status_code >= 500
        or (isinstance(code, int) and code in TRANSIENT_CODES)
    )
    return ProviderError(reason, transient=transient)


def build_message(message: OutboundText) -> dict[str, Any]:
    """The Graph API body for an outbound message: a bot menu as interactive buttons or a
    list (reply ids are the option ids), anything else as text."""
    base: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": _digits(message.to_phone),
    }
    payload = message.payload or {}
    options = payload.get("options") if payload.get("kind") == "menu" else None
    if isinstance(options, list) and options:
        text = str(payload.get("text") or message.body or "").strip() or "…"
        style = payload.get("style")
        if style is None:
            style = "buttons" if len(options) <= MAX_BUTTONS else "list"
        if style == "buttons" and len(options) <= MAX_BUTTONS:
            return {**base, "type": "interactive", "interactive": _buttons(text, options)}
        if len(options) <= MAX_ROWS:
            return {**base, "type": "interactive", "interactive": _list(text, options, payload)}
    return {**base, "type": "text", "text": {"preview_url": False, "body": message.body}}


def _buttons(text: str, options: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "button",
        "body": {"text": _cut(text, BODY_MAX)},
        "action": {
            "buttons": [
                {
                    "type": "reply",
                    "reply": {
                        "id": str(option["id"]),
                        "title": _cut(str(option.get("label") or option["id"]), BUTTON_TITLE_MAX),
                    },
                }
                for option in options
            ]
        },
    }


def _list(text: str, options: list[dict[str, Any]], payload: dict[str, Any]) -> dict[str, Any]:
    rows = []
    for option in options:
        label = str(option.get("label") or option["id"])
        row = {"id": str(option["id"]), "title": _cut(label, ROW_TITLE_MAX)}
        if len(label) > ROW_TITLE_MAX:
            row["description"] = _cut(label, ROW_DESCRIPTION_MAX)
        rows.append(row)
    button = _cut(str(payload.get("button") or "Ver opciones"), BUTTON_TITLE_MAX)
    return {
        "type": "list",
        "body": {"text": _cut(text, BODY_MAX)},
        "action": {"button": button, "sections": [{"title": "Opciones", "rows": rows}]},
    }
