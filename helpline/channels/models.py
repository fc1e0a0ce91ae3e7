from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from helpline.audit.tracking import track
from helpline.channels.crypto import SealedJSON
from helpline.clock import utcnow
from helpline.db import Base, UTCDateTime


class ChannelState(enum.StrEnum):
    DISCONNECTED = "disconnected"
    QR = "qr"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    PAUSED = "paused"
    ERROR = "error"


class Channel(Base):
    """One business WhatsApp number and the provider that connects it."""

    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    provider: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=ChannelState.DISCONNECTED.value)
    status_detail: Mapped[str | None] = mapped_column(String(500))
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The QR code to scan (its text), while the state is `qr`.
    qr: Mapped[str | None] = mapped_column(String(2000))
    # Provider settings, secrets included: stored encrypted (see crypto.py).
    config: Mapped[dict[str, Any]] = mapped_column(SealedJSON, default=dict)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whether an admin wants the session running (start) or not (stop); the runtime
    # keeps long-lived sessions in line with it.
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Paused by an admin: messages keep arriving, but the bot and sends wait.
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # The server process holding a long-lived session (WhatsApp Web) and until when.
    owner_node: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An action for that process to carry out on the session ("logout").
    session_command: Mapped[str | None] = mapped_column(String(16))
    # Where new conversations on this number queue until a bot flow routes them.
    default_area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    # Known contacts only: messages from senders who are not in the contacts are not
    # stored (only counted per day, ChannelDrops); they get `unknown_reply` if set.
    known_contacts_only: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    unknown_reply: Mapped[str | None] = mapped_column(String(1000))
    # Numbers typed without a country code for this channel (the sending API) are read in
    # this region; NULL: the deployment's DEFAULT_PHONE_REGION.
    phone_region: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChannelEvent(Base):
    """A channel's history: state changes (kind "state") and its log (kind "log")."""

    __tablename__ = "channel_events"
    __table_args__ = (Index("ix_channel_events_channel_kind", "channel_id", "kind", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    # state: the new state; log: the level (info, warning, error).
    value: Mapped[str] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChannelDrops(Base):
    """How many messages a known-contacts-only channel did not keep on one (UTC) day."""

    __tablename__ = "channel_drops"

    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


track(
    Channel,
    "channel",
    hidden=("config",),
    # What the runtime writes as it works; a person's start/stop shows as session_command.
    ignored=("status", "status_detail", "status_changed_at", "qr", "owner_node", "lease_until"),
)
