"""The WPPConnect Server bridge: for teams already running a WPPConnect Server
(https://github.com/wppconnect-team/wppconnect-server).

Outbound goes over its REST API, `{base_url}/api/{session}/...`, with a bearer token. The
token is the channel's `token` when set; otherwise (or when the server refuses it) one is
generated with the server's secret key, `POST /api/{session}/{secret_key}/generate-token`,
and kept for this process. Inbound arrives on the channel's webhook
(`POST /api/webhooks/wppconnect/{channel_id}`, see `helpline.webhooks.gateway`).

A channel's config: `base_url`, `session` (the WPPConnect session name), `secret_key` (the
server's SECRET_KEY), `token` (optional), `webhook_secret` (what the webhook must carry) and
`webhook_base_url` (optional: Helpline's address as the server sees it; when set,
start-session tells the server to post this channel's events there).
"""

from __future__ import annotations

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
    data_url,
    decode_base64,
    qr_text,
    read_media,
    recipient,
    webhook_url,
)

LABEL = "WPPConnect"

# Tokens generated in this process, by (base_url, session): providers are rebuilt for
# every delivery batch and should not ask the server for a new token each time.
_TOKENS: dict[tuple[str, str], str] = {}


class WppConnectProvider:
    name = "wppconnect"
    has_session = True  # a session on the server: a QR to scan
    config_fields = (
        ConfigField("base_url", required=True, default="http://localhost:21465"),
        ConfigField("session", required=True),
        ConfigField("secret_key", required=True, secret=True),
        ConfigField("token", secret=True),
        ConfigField("webhook_secret", secret=True, generated=True),
        ConfigField("webhook_base_url"),
    )

    def __init__(
        self, config: dict[str, Any], transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.base_url = str(config.get("base_url") or "").strip().rstrip("/")
        self.session = str(config.get("session") or "").strip()
        self.secret_key = str(config.get("secret_key") or "").strip()
        self.token = str(config.get("token") or "").strip()
        self.webhook_secret = str(config.get("webhook_secret") or "")
        self.webhook_base_url = str(config.get("webhook_base_url") or "")
        self.client = BridgeClient(LABEL, transport)

    # --- sending -----------------------------------------------------------------------

    async def send_text(self, message: OutboundText) -> SendResult:
        """Text, or a file with `body` as its caption (`send-file-base64`)."""
        body: dict[str, Any] = {"phone": recipient(message.to_phone), "isGroup": False}
        if message.media is not None:
            content = await read_media(message.media)
            body |= {
                "filename": message.media.filename,
                "caption": message.body or None,
                "base64": data_url(message.media.mime_type, content),
            }
            if message.quoted_id:
                body["quotedMessageId"] = message.quoted_id
            data = await self._api("send-file-base64", body, limits=FILE_TIMEOUT)
        else:
            body["message"] = message.body
            if message.quoted_id:
                body["options"] = {"quotedMsg": message.quoted_id}
            data = await self._api("send-message", body)
        return SendResult(provider_message_id=_sent_id(data), status="sent")

    async def fetch_media(self, ref: MediaRef) -> FetchedMedia:
        """The bytes of inbound media by its message id (`download-media`)."""
        if ref.data is not None:
            return FetchedMedia(ref.data, ref.mime_type)
        if not ref.media_id:
            raise ProviderError(
                "No WPPConnect message id to download the media by", transient=False
            )
        data = await self._api("download-media", {"messageId": ref.media_id})
        content = decode_base64(data.get("base64"))
        if content is None:
            raise ProviderError("WPPConnect download-media answered without base64", transient=True)
        mime = data.get("mimetype")
        return FetchedMedia(content, mime if isinstance(mime, str) else ref.mime_type)

    # --- the session ---------------------------------------------------------------------

    def webhook_url(self, channel_id: int) -> str | None:
        return webhook_url(self.webhook_base_url, self.name, channel_id, self.webhook_secret)

    async def connect(self, link: ChannelLink) -> None:
        """Start (or resume) the session; report its QR code or state. Later QR codes and
        state changes arrive on the webhook."""
        body: dict[str, Any] = {"waitQrCode": False}
        url = self.webhook_url(link.channel_id)
        if url:
            body["webhook"] = url
        else:
            await link.log(
                "warning",
                "No webhook_base_url: the WPPConnect server must be set to post this channel's "
                f"events to /api/webhooks/wppconnect/{link.channel_id}",
            )
        # Failures raise ProviderError: the caller (channel control) logs them and shows the
        # channel in error.
        data = await self._api("start-session", body)
        await report_session(link, data)

    async def disconnect(self, link: ChannelLink, logout: bool = False) -> None:
        """Close the session (it can start again without a scan), or log it out (unlinks the
        phone: the next start needs a new QR scan). The channel's own state is the caller's
        (channel control has already marked it stopped)."""
        what = "logout-session" if logout else "close-session"
        await self._api(what, {})
        await link.log("info", f"WPPConnect {what}: done")

    # --- HTTP ----------------------------------------------------------------------------

    def _url(self, *parts: str) -> str:
        return "/".join([self.base_url, "api", *(quote(p, safe="") for p in parts)])

    async def _api(
        self, route: str, body: dict[str, Any], limits: httpx.Timeout = TIMEOUT
    ) -> dict[str, Any]:
        """POST /api/{session}/{route}. A refused token is replaced once by a fresh one."""
        for attempt in range(2):
            token = await self._token(fresh=attempt > 0)
            response = await self.client.call(
                "POST",
                self._url(self.session, route),
                headers={"Authorization": f"Bearer {token}"},
                json_body=body,
                limits=limits,
            )
            if response.status_code == 401 and attempt == 0 and self.secret_key:
                continue
            if response.is_success:
                return BridgeClient.body(response)
            raise self._error(response, route)
        raise AssertionError("unreachable")

    def _error(self, response: httpx.Response, route: str) -> ProviderError:
        error = self.client.error(response, route)
        # The server answers 404 "Disconnected" while the session is not running: the
        # message can go once it is back.
        if response.status_code == 404 and BridgeClient.body(response).get("status") == (
            "Disconnected"
        ):
            return ProviderError(error.reason, transient=True)
        return error

    async def _token(self, fresh: bool = False) -> str:
        key = (self.base_url, self.session)
        if not fresh:
            token = _TOKENS.get(key) or self.token
            if token:
                return token
        if not self.secret_key:
            raise ProviderError(
                "WPPConnect token refused and no secret_key to generate one", transient=False
            )
        response = await self.client.call(
            "POST", self._url(self.session, self.secret_key, "generate-token")
        )
        generated = BridgeClient.body(response).get("token")
        if not response.is_success or not isinstance(generated, str) or not generated:
            raise self.client.error(response, "generate-token")
        _TOKENS[key] = generated
        return generated


async def report_session(link: ChannelLink, data: dict[str, Any]) -> None:
    """What start-session (or status-session) answered: {status: CLOSED | INITIALIZING |
    QRCODE | CONNECTED, qrcode: PNG data URL, urlcode: the QR's text}."""
    status = str(data.get("status") or "").upper()
    if status in ("CONNECTED", "INCHAT", "ISLOGGED"):
        await link.state("connected")
    elif status == "QRCODE":
        code = qr_text(data.get("urlcode"), data.get("qrcode"))
        if code:
            await link.qr(code)
        else:
            await link.state("qr", "Scan the QR code shown by the WPPConnect server")
    else:
        await link.state("connecting", f"WPPConnect session {status.lower() or 'starting'}")


def _sent_id(data: dict[str, Any]) -> str:
    """The id of the message just sent: {"status": "success", "response": [message]},
    where the message's `id` is a string or {"_serialized": ...}."""
    response = data.get("response")
    first = response[0] if isinstance(response, list) and response else response
    found = serialized_id(first.get("id") if isinstance(first, dict) else first)
    if not found:
        # Retrying could deliver the message twice: fail it and let the operator resend.
        raise ProviderError(
            "WPPConnect answered without a message id (it may have been sent)", transient=False
        )
    return found


def serialized_id(value: Any) -> str | None:
    """WPPConnect ids come as "true_5511...@c.us_3EB0..." or as their parts with
    `_serialized`."""
    if isinstance(value, dict):
        value = value.get("_serialized")
    return value if isinstance(value, str) and value else None
