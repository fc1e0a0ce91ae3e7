"""The provider protocol and the normalized events every provider produces.

A provider turns what its network gives it into `InboundMessage` / `StatusUpdate` and hands
them to ingest; it sends what the delivery worker gives it. Nothing else knows its details.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


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


@dataclass(frozen=True)
class StatusUpdate:
    provider_message_id: str
    status: str  # sent | delivered | read | failed
    error: str | None = None


@dataclass(frozen=True)
class OutboundText:
    message_id: int
    to_phone: str
    body: str
    # A bot menu ({"kind": "menu", "style": "buttons" | "list" | None, "text", "options":
    # [{"id", "number", "label"}]}): providers that support interactive messages send it as
    # buttons or a list (reply ids come back in `InboundMessage.reply_id`); others send `body`.
    payload: dict[str, Any] | None = None


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str
    # The furthest state known when the call returns: "sent" for networks that report
    # delivery later, "delivered" when the provider already knows the phone has it.
    status: str = "sent"


class ProviderError(Exception):
    """A send failed. Transient errors are retried with backoff; others fail the message."""

    def __init__(self, reason: str, *, transient: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


class Provider(Protocol):
    name: str

    async def send_text(self, message: OutboundText) -> SendResult: ...


def supports_interactive(provider: Provider) -> bool:
    """An optional capability: a provider with `supports_interactive = True` sends bot menus
    as WhatsApp buttons or lists; others get them as numbered text."""
    return bool(getattr(provider, "supports_interactive", False))
