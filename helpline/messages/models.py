from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpline.auth.models import User
from helpline.clock import utcnow
from helpline.db import Base, UTCDateTime
from helpline.media.models import MediaFile


class Direction(enum.StrEnum):
    IN = "in"
    OUT = "out"


class Sender(enum.StrEnum):
    CONTACT = "contact"
    OPERATOR = "operator"
    BOT = "bot"
    SYSTEM = "system"


class MessageStatus(enum.StrEnum):
    RECEIVED = "received"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    INTERNAL = "internal"  # a private note: never leaves the desk


NOTE_TYPE = "note"
# An inbound message of a kind the desk cannot show yet: its provider's raw body is kept
# in its payload under RAW_KEY, shown to admins only (`GET /api/messages/{id}/raw`).
UNSUPPORTED = "unsupported"
RAW_KEY = "raw"


# Delivery reports only move a message forward; a late "delivered" never undoes "read".
STATUS_RANK = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.SENT: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.READ: 4,
}


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel_id", "provider_message_id", name="uq_messages_provider_id"),
        Index("ix_messages_outbox", "status", "next_attempt_at"),
        Index("ix_messages_conversation", "conversation_id", "id"),
    )

    # Not columns: what MessageOut shows beside the row, attached per batch by
    # `helpline.messages.views.load_views` (or set where the message is made).
    __allow_unmapped__ = True
    media: MediaFile | None = None
    quoted: Message | None = None

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    direction: Mapped[str] = mapped_column(String(3))
    sender: Mapped[str] = mapped_column(String(16))
    sender_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    type: Mapped[str] = mapped_column(String(16), default="text")
    body: Mapped[str] = mapped_column(Text, default="")
    # Structured content beside the text: a bot menu's options (for interactive buttons or
    # lists), a tapped option's id, a location, shared contacts, a reaction. NULL for text.
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(String(500))
    provider_message_id: Mapped[str | None] = mapped_column(String(128))
    # The customer's phone, or the WhatsApp user id of a customer who has no phone to us.
    to_phone: Mapped[str | None] = mapped_column(String(160))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Indexed for the dashboard's "today" figures.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The message this one replies to. No foreign key: a soft link (the quoted message may
    # belong to another conversation, deleted with it), and SQLite would rebuild the table.
    quoted_id: Mapped[int | None] = mapped_column(Integer)
    # The latest reaction of each side to this message: {"in": "😮", "out": "👍"}.
    reactions: Mapped[dict[str, str] | None] = mapped_column(JSON)

    sender_user: Mapped[User | None] = relationship(lazy="joined")
