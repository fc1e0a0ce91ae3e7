"""The common shape a provider reads a webhook body into. The shared webhook code
(`helpline/webhooks/`) finds the channel(s), hands the raw body to the provider's reader
and gives what it read to ingest; it knows nothing of any provider's payloads."""

from __future__ import annotations

from dataclasses import dataclass, field

from helpline.channels.providers.base import InboundMessage, StatusUpdate


@dataclass(frozen=True)
class SessionChange:
    """A change of the remote session: a state (disconnected, qr, connecting, connected,
    error) with its detail, a QR code to scan, and/or the number and name now linked."""

    state: str | None = None
    detail: str | None = None
    qr: str | None = None
    phone: str | None = None
    name: str | None = None


@dataclass
class WebhookReading:
    """One body, read: each message and status with the id of the channel it is for."""

    messages: list[tuple[int, InboundMessage]] = field(default_factory=list)
    statuses: list[tuple[int, StatusUpdate]] = field(default_factory=list)
    sessions: list[tuple[int, SessionChange]] = field(default_factory=list)
    ignored: int = 0  # items left out on purpose (or unreadable: see problems)
    # Why customers' messages in it could not be read or placed: the body is kept as a
    # dead letter for an admin to re-process.
    problems: list[str] = field(default_factory=list)
