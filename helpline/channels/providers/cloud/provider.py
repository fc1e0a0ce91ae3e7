"""The WhatsApp Cloud API provider (Meta's Graph API).

Outbound: `POST {api_base_url}/{api_version}/{phone_number_id}/messages` with the channel's
access token. Inbound arrives through the deployment-wide webhook (`helpline.webhooks`),
which routes each change to its channel by `metadata.phone_number_id`.

A channel's config: `phone_number_id`, `waba_id`, `access_token`, `app_secret`,
`verify_token`, `api_base_url` (default https://graph.facebook.com) and `api_version`
(default v21.0); the last two let tests point the provider at a local fake.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from helpline.channels.providers.base import (
    ChannelLink,
    ConfigField,
    FetchedMedia,
    MediaRef,
    OutboundMedia,
    OutboundText,
    ProviderError,
    SendResult,
    Template,
)

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v21.0"
CONFIG_FIELDS = (
    ConfigField("phone_number_id", required=True),
    ConfigField("waba_id"),
    ConfigField("access_token", required=True, secret=True),
    ConfigField("app_secret", required=True, secret=True),
    ConfigField("verify_token", required=True, secret=True),
    ConfigField("api_base_url", default=DEFAULT_BASE_URL),
    ConfigField("api_version", default=DEFAULT_API_VERSION),
)

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
DOWNLOAD_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
MAX_DOWNLOAD = 100 * 1024 * 1024  # WhatsApp's largest file (a document)
TEMPLATE_FIELDS = "name,language,status,category,components"
TEMPLATE_PAGE = 100
MAX_TEMPLATE_PAGES = 50  # 5,000 templates: far above Meta's per-account limit


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def addressed(to: str) -> dict[str, str]:
    """Who a message goes to: a phone ("+54911...") as `to`; a customer WhatsApp names only
    by a business-scoped user id ("AR.1502...", a user with a username) as `recipient`."""
    if to.startswith("+") or to.isdigit():
        return {"to": _digits(to)}
    return {"recipient": to}


def _template(item: Any) -> Template | None:
    """One entry of GET /{waba_id}/message_templates; None when it is not usable."""
    if not isinstance(item, dict) or not item.get("name") or not item.get("language"):
        return None
    components = [c for c in item.get("components") or [] if isinstance(c, dict)]
    body = next((c for c in components if str(c.get("type", "")).upper() == "BODY"), {})
    category = item.get("category")
    return Template(
        name=str(item["name"]),
        language=str(item["language"]),
        status=str(item.get("status") or "UNKNOWN").upper(),
        category=str(category).upper() if category else None,
        body=str(body.get("text") or ""),
        components=components,
    )


def template_components(params: list[str]) -> list[dict[str, Any]]:
    """The body parameters of a template send, in placeholder order ({{1}}, {{2}}...)."""
    if not params:
        return []
    parameters = [{"type": "text", "text": str(p)} for p in params]
    return [{"type": "body", "parameters": parameters}]


class CloudProvider:
    name = "cloud"
    config_fields = CONFIG_FIELDS
    supports_interactive = True
    reply_window = True

    def __init__(self, config: dict[str, Any], transport: httpx.AsyncBaseTransport | None = None):
        self.phone_number_id = str(config.get("phone_number_id") or "")
        self.waba_id = str(config.get("waba_id") or "")
        self.access_token = str(config.get("access_token") or "")
        base = str(config.get("api_base_url") or DEFAULT_BASE_URL).rstrip("/")
        version = str(config.get("api_version") or DEFAULT_API_VERSION).strip("/")
        self.base_url = f"{base}/{version}"
        self.transport = transport

    @property
    def messages_url(self) -> str:
        return f"{self.base_url}/{self.phone_number_id}/messages"

    async def send_text(self, message: OutboundText) -> SendResult:
        if message.media is not None:
            return await self._send_file(message, message.media)
        payload = message.payload or {}
        if payload.get("kind") == "template":
            return await self.send_template(
                message.to_phone,
                str(payload.get("name") or ""),
                str(payload.get("language") or ""),
                template_components([str(p) for p in payload.get("params") or []]),
            )
        body = with_context(build_message(message), message.quoted_id)
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
            **addressed(to_phone),
            "type": "template",
            "template": {"name": template, "language": {"code": language}},
        }
        if components:
            body["template"]["components"] = components
        return await self._post_message(body)

    async def fetch_templates(self) -> list[Template]:
        """Every template of the channel's WhatsApp Business Account, page after page.
        ValueError when the channel cannot have any (no `waba_id` configured)."""
        if not self.waba_id:
            raise ValueError(
                "This channel has no waba_id (its WhatsApp Business Account id): "
                "add it to the channel's configuration to sync templates"
            )
        url: str | None = f"{self.base_url}/{self.waba_id}/message_templates"
        params: dict[str, Any] | None = {"fields": TEMPLATE_FIELDS, "limit": TEMPLATE_PAGE}
        templates: list[Template] = []
        seen: set[str] = set()
        while url and url not in seen and len(seen) < MAX_TEMPLATE_PAGES:
            seen.add(url)
            data = await self._request(url, method="GET", params=params)
            items = data.get("data")
            for item in items if isinstance(items, list) else []:
                template = _template(item)
                if template is not None:
                    templates.append(template)
            url, params = self._next_page(data), None  # Meta's next URL carries the query
        return templates

    def _next_page(self, data: dict[str, Any]) -> str | None:
        """The next page's URL, only on the API's own host: the token goes with it."""
        paging = data.get("paging")
        url = paging.get("next") if isinstance(paging, dict) else None
        if not isinstance(url, str) or not url:
            return None
        here, there = httpx.URL(self.base_url), httpx.URL(url)
        same = (here.scheme, here.host, here.port) == (there.scheme, there.host, there.port)
        return url if same else None

    async def connect(self, link: ChannelLink) -> None:
        """No session to open: check the number id and token with Meta and take the
        number's display phone and verified name. A refusal raises with Meta's reason."""
        data = await self._request(
            f"{self.base_url}/{self.phone_number_id}",
            method="GET",
            params={"fields": "display_phone_number,verified_name"},
        )
        phone = str(data.get("display_phone_number") or "") or None
        name = str(data.get("verified_name") or "") or None
        await link.identity(phone, name)
        await link.state("connected")
        number = phone or self.phone_number_id
        await link.log("info", f"Cloud API credentials accepted: {name or 'unnamed'} ({number})")

    async def disconnect(self, link: ChannelLink, logout: bool = False) -> None:
        """The Cloud API has no session to close; a stopped channel just holds its sends."""
        await link.log("info", "Cloud API: nothing to close on Meta's side; sends wait until start")

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
        self,
        to_phone: str,
        kind: str,
        media_id: str,
        caption: str | None = None,
        *,
        filename: str | None = None,
        quoted_id: str | None = None,
    ) -> SendResult:
        """Send uploaded media (`kind`: image, audio, video, document, sticker) by its id."""
        media: dict[str, Any] = {"id": media_id}
        if caption and kind in ("image", "video", "document"):
            media["caption"] = caption
        if filename and kind == "document":
            media["filename"] = filename
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            **addressed(to_phone),
            "type": kind,
            kind: media,
        }
        return await self._post_message(with_context(body, quoted_id))

    async def _send_file(self, message: OutboundText, media: OutboundMedia) -> SendResult:
        """A stored file: uploaded first, then sent by the id Meta gives it."""
        try:
            content = await asyncio.to_thread(media.path.read_bytes)
        except OSError as exc:
            raise ProviderError(f"The file to send cannot be read: {exc}", transient=False) from exc
        media_id = await self.upload_media(content, media.mime_type, media.filename)
        return await self.send_media(
            message.to_phone,
            _cloud_kind(media),
            media_id,
            message.body or None,
            filename=media.filename,
            quoted_id=message.quoted_id,
        )

    async def fetch_media(self, ref: MediaRef) -> FetchedMedia:
        """Download inbound media: its id gives a short-lived URL (GET /{media_id}), which
        gives the bytes; both with the channel's access token."""
        url, mime_type = ref.url, ref.mime_type
        if ref.media_id:
            info = await self._request(f"{self.base_url}/{ref.media_id}", method="GET")
            url = str(info.get("url") or "") or url
            mime_type = str(info.get("mime_type") or "") or mime_type
        if not url:
            raise ProviderError("The Cloud API gave no URL for this file", transient=False)
        return FetchedMedia(await self._download(url), mime_type)

    async def _download(self, url: str) -> bytes:
        headers = {"Authorization": f"Bearer {self.access_token}"}
        try:
            async with (
                httpx.AsyncClient(timeout=DOWNLOAD_TIMEOUT, transport=self.transport) as client,
                client.stream("GET", url, headers=headers, follow_redirects=True) as response,
            ):
                if not response.is_success:
                    await response.aread()
                    raise _error(response.status_code, _json(response))
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > MAX_DOWNLOAD:
                        raise ProviderError(
                            "The file is larger than WhatsApp allows", transient=False
                        )
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.HTTPError as exc:
            raise ProviderError(
                f"Cloud API unreachable: {type(exc).__name__}", transient=True
            ) from exc

    async def _post_message(self, body: dict[str, Any]) -> SendResult:
        data = await self._request(self.messages_url, json=body)
        messages = data.get("messages")
        if not isinstance(messages, list) or not messages or "id" not in messages[0]:
            raise ProviderError("Cloud API answered without a message id", transient=True)
        return SendResult(provider_message_id=str(messages[0]["id"]), status="sent")

    async def _request(self, url: str, method: str = "POST", **kwargs: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.access_token}"}
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT, transport=self.transport) as client:
                response = await client.request(method, url, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise ProviderError(
                f"Cloud API unreachable: {type(exc).__name__}", transient=True
            ) from exc
        data = _json(response)
        if response.is_success:
            return data
        raise _error(response.status_code, data)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = None
    return data if isinstance(data, dict) else {}


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


def _cloud_kind(media: OutboundMedia) -> str:
    """WhatsApp shows only JPEG and PNG as images: a WebP goes as a sticker, a GIF as a
    document."""
    if media.kind == "image" and media.mime_type == "image/webp":
        return "sticker"
    if media.kind == "image" and media.mime_type not in ("image/jpeg", "image/png"):
        return "document"
    return media.kind


def with_context(body: dict[str, Any], quoted_id: str | None) -> dict[str, Any]:
    """A reply: the message quotes the one with this wamid."""
    return {**body, "context": {"message_id": quoted_id}} if quoted_id else body


def build_message(message: OutboundText) -> dict[str, Any]:
    """The Graph API body for an outbound message: a bot menu as interactive buttons or a
    list (reply ids are the option ids), anything else as text."""
    base: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        **addressed(message.to_phone),
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
