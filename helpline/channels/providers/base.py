"""The provider protocol and the normalized events every provider produces.

A provider turns what its network gives it into `InboundMessage` / `StatusUpdate` and hands
them to ingest; it sends what the delivery worker gives it. Nothing else knows its details.

Besides sending, a provider may offer optional capabilities, each found by duck typing:

- `supports_interactive = True`: bot menus go out as buttons or lists.
- `reply_window = True`: WhatsApp's 24-hour customer-service window applies (Cloud API):
  outside it only approved templates may be sent.
- `async fetch_media(ref) -> FetchedMedia`: download inbound media the provider only named.
- `async fetch_templates() -> list[Template]`: the approved message templates.
- `async connect(link)` / `async disconnect(link, logout=...)`: act on the remote session
  (start a WPPConnect session, check Cloud API credentials); states, QR codes and logs go
  through the `ChannelLink`.
- `has_session = True`: `connect` starts a remote session (a QR to scan): a new channel
  starts with it. Without it, `connect` is only a check that `start` runs (Cloud API).
- `long_lived = True` with `async run(link)`: the provider holds a connection itself
  (WhatsApp Web). The channel runtime runs it in exactly one server process, which then
  also sends that channel's messages through the same object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

MEDIA_KINDS = ("image", "audio", "video", "document", "sticker")


@dataclass(frozen=True)
class ConfigField:
    """One key of a provider's channel configuration, as the console's form shows it."""

    key: str
    required: bool = False
    secret: bool = False  # encrypted at rest like all config; never returned whole
    default: str | None = None
    # Filled with a random value when left empty (a webhook secret the desk hands over).
    generated: bool = False


@dataclass(frozen=True)
class MediaRef:
    """Media that came with an inbound message: its bytes, or how to fetch them."""

    kind: str  # one of MEDIA_KINDS
    mime_type: str | None = None
    filename: str | None = None
    caption: str | None = None
    voice: bool = False  # a voice note (audio recorded in the chat)
    media_id: str | None = None  # the provider's id to download it by (Cloud API)
    url: str | None = None  # or a URL the provider can download it from
    data: bytes | None = None  # or the bytes themselves (sandbox, base64 webhooks, neonize)


@dataclass(frozen=True)
class FetchedMedia:
    data: bytes
    mime_type: str | None = None


@dataclass(frozen=True)
class InboundMessage:
    provider_message_id: str
    from_phone: str
    text: str
    contact_name: str | None = None
    type: str = "text"
    timestamp: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    # A tap on an interactive button or list row: the id of the option we sent with it
    # (`text` then holds its title).
    reply_id: str | None = None
    media: MediaRef | None = None
    # Structured content, by type: {"location": {"latitude", "longitude", "name",
    # "address"}}, {"contacts": [{"name", "phones": [...]}]}, {"reaction": {"emoji",
    # "messageId"}} (the provider id of the message reacted to; emoji "" removes it).
    payload: dict[str, Any] | None = None
    # The provider id of the message this one quotes (a reply in WhatsApp).
    quoted_id: str | None = None
    # How WhatsApp names the sender besides (or, for a user with a username, instead of)
    # the phone: a Cloud API business-scoped user id ("US.1349..."). `from_phone` is then
    # "" when the phone is withheld.
    from_user_id: str | None = None


@dataclass(frozen=True)
class StatusUpdate:
    provider_message_id: str
    status: str  # sent | delivered | read | failed
    error: str | None = None


@dataclass(frozen=True)
class OutboundMedia:
    """A stored file to send: providers read it from `path`."""

    kind: str  # one of MEDIA_KINDS
    mime_type: str
    filename: str
    path: Path
    size: int


@dataclass(frozen=True)
class OutboundText:
    """One outbound message. Plain text has only `body`; the rest are optional kinds."""

    message_id: int
    to_phone: str
    body: str
    # A bot menu ({"kind": "menu", "style": "buttons" | "list" | None, "text", "options":
    # [{"id", "number", "label"}]}): providers that support interactive messages send it as
    # buttons or a list (reply ids come back in `InboundMessage.reply_id`); others send `body`.
    # A template ({"kind": "template", "name", "language", "params": [str]}): only
    # providers with a reply window send these; `body` holds the rendered text.
    payload: dict[str, Any] | None = None
    # A file; `body` is then its caption.
    media: OutboundMedia | None = None
    # The provider id of the message this one quotes, if any.
    quoted_id: str | None = None


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str
    # The furthest state known when the call returns: "sent" for networks that report
    # delivery later, "delivered" when the provider already knows the phone has it.
    status: str = "sent"


@dataclass(frozen=True)
class Template:
    name: str
    language: str
    status: str  # APPROVED, PENDING, REJECTED...
    category: str | None
    body: str  # the body text with its {{1}} placeholders
    components: list[dict[str, Any]] = field(default_factory=list)


class ProviderError(Exception):
    """A send failed. Transient errors are retried with backoff; others fail the message."""

    def __init__(self, reason: str, *, transient: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


class Provider(Protocol):
    name: str
    # Class attributes every provider declares: the keys of its config.
    config_fields: tuple[ConfigField, ...]

    async def send_text(self, message: OutboundText) -> SendResult: ...


class ChannelLink(Protocol):
    """What the channel runtime gives a provider to report on its session. Every call
    is recorded (state history, log) and announced to admins in real time."""

    channel_id: int

    async def state(self, state: str, detail: str | None = None) -> None:
        """One of: disconnected, qr, connecting, connected, paused, error."""

    async def qr(self, code: str) -> None:
        """A new QR code to scan (its text); sets the state to `qr`."""

    async def loading(self, percent: int, message: str | None = None) -> None: ...

    async def log(self, level: str, message: str) -> None:
        """level: info, warning, error."""

    async def identity(self, phone: str | None, name: str | None) -> None:
        """The number (E.164 or digits) and profile name now linked to the channel."""

    async def inbound(self, message: InboundMessage) -> None:
        """Store a received message (idempotent on its provider id)."""

    async def status(self, update: StatusUpdate) -> None:
        """Record a delivery report."""


def supports_interactive(provider: Provider) -> bool:
    """An optional capability: a provider with `supports_interactive = True` sends bot menus
    as WhatsApp buttons or lists; others get them as numbered text."""
    return bool(getattr(provider, "supports_interactive", False))


def has_reply_window(provider: Provider | type[Provider]) -> bool:
    return bool(getattr(provider, "reply_window", False))


def is_long_lived(provider: Provider | type[Provider]) -> bool:
    return bool(getattr(provider, "long_lived", False))
