"""What the two HTTP bridges (WPPConnect Server, Evolution API) share: one request helper
that turns network trouble and HTTP errors into `ProviderError`, the webhook URL they are
told to call, and small helpers for phones, files and base64.

Errors: timeouts, refused connections, 408, 429 and 5xx are transient (the delivery worker
retries them with backoff); any other 4xx fails the message with the server's own words.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
from typing import Any
from urllib.parse import quote

import httpx

from helpline.channels.providers.base import OutboundMedia, ProviderError

TIMEOUT = httpx.Timeout(20.0, connect=5.0)
# A file goes up as base64 in a JSON body, and the bridge uploads it to WhatsApp before it
# answers: give it time.
FILE_TIMEOUT = httpx.Timeout(120.0, connect=5.0)
TRANSIENT_STATUSES = frozenset({408, 425, 429})
REASON_MAX = 500
# The channel's `qr` column holds the QR text; a PNG data URL rarely fits in it.
QR_MAX = 2000


def digits(phone: str) -> str:
    """The bridges address people by their number's digits (no +, no JID suffix)."""
    return "".join(ch for ch in phone.split("@", 1)[0] if ch.isdigit())


def recipient(address: str) -> str:
    """Who a message goes to on a bridge: the number's digits, or for a customer known only
    by their LID the whole "...@lid" JID (its digits are no phone number)."""
    return address if address.endswith("@lid") else digits(address)


def webhook_url(base: str, provider: str, channel_id: int, secret: str) -> str | None:
    """Where the bridge should post its events for this channel, or None when the channel
    has no public base URL configured (the bridge then uses its own webhook setting). The
    secret rides in the query: neither bridge lets every version set custom headers."""
    base = base.strip().rstrip("/")
    if not base:
        return None
    url = f"{base}/api/webhooks/{provider}/{channel_id}"
    return f"{url}?secret={quote(secret, safe='')}" if secret else url


def data_url(mime_type: str, data: bytes) -> str:
    return f"data:{mime_type};base64,{base64.b64encode(data).decode()}"


def decode_base64(text: Any) -> bytes | None:
    """The bytes of a base64 string (a data URL's too), or None when it is not valid base64
    (some bridges put a thumbnail or a truncated sample there)."""
    if not isinstance(text, str) or not text.strip():
        return None
    if text.startswith("data:"):
        text = text.partition(",")[2]
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


async def read_media(media: OutboundMedia) -> bytes:
    try:
        return await asyncio.to_thread(media.path.read_bytes)
    except OSError as exc:
        raise ProviderError(f"The file to send is missing: {exc}", transient=False) from exc


def _cut(text: str) -> str:
    return text if len(text) <= REASON_MAX else text[: REASON_MAX - 1] + "…"


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return "; ".join(d for d in (_describe(v) for v in value) if d)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return "" if value is None else str(value)


def error_message(data: Any) -> str:
    """The human part of a bridge's error body. WPPConnect answers {"message": ...} or
    {"error": ...}; Evolution {"response": {"message": [...]}, "error": "Bad Request"}."""
    if not isinstance(data, dict):
        return _describe(data)
    response = data.get("response")
    if isinstance(response, dict) and response.get("message"):
        return _describe(response["message"])
    for key in ("message", "error"):
        text = _describe(data.get(key))
        if text:
            return text
    return ""


class BridgeClient:
    """JSON over HTTP to one bridge; `label` names it in error reasons."""

    def __init__(self, label: str, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.label = label
        self.transport = transport

    async def call(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        json_body: Any = None,
        limits: httpx.Timeout = TIMEOUT,
    ) -> httpx.Response:
        """The response, whatever its status; raises a transient ProviderError when the
        bridge could not be reached or did not answer in time."""
        try:
            async with httpx.AsyncClient(timeout=limits, transport=self.transport) as client:
                return await client.request(method, url, headers=headers, json=json_body)
        except httpx.HTTPError as exc:
            raise ProviderError(
                f"{self.label} unreachable: {type(exc).__name__}", transient=True
            ) from exc

    def error(self, response: httpx.Response, what: str) -> ProviderError:
        try:
            data = response.json()
        except ValueError:
            data = response.text
        message = error_message(data) or response.reason_phrase or "no details"
        status = response.status_code
        transient = status >= 500 or status in TRANSIENT_STATUSES
        return ProviderError(
            _cut(f"{self.label} {what} failed (HTTP {status}): {message}"), transient=transient
        )

    @staticmethod
    def body(response: httpx.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {"items": data}


def qr_text(urlcode: Any, image: Any) -> str | None:
    """The QR code's text when the server sent it; else its image as a data URL if that
    fits where the channel keeps it."""
    if isinstance(urlcode, str) and urlcode.strip():
        return urlcode.strip()
    if isinstance(image, str) and image.strip():
        image = image.strip()
        if not image.startswith("data:"):
            image = "data:image/png;base64," + image
        return image if len(image) <= QR_MAX else None
    return None


def secret_problem(config: dict[str, Any], sent: str | None) -> str | None:
    """Why a webhook call is refused (`no secret configured`, `missing`, `wrong`), or None
    when it carries the channel's `webhook_secret` (neither bridge can sign its bodies)."""
    expected = str(config.get("webhook_secret") or "")
    if not expected:
        return "no secret configured"
    if not sent:
        return "missing"
    if not hmac.compare_digest(expected.encode(), sent.encode()):
        return "wrong"
    return None
