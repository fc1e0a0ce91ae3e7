from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpline.auth.models import User
from helpline.clock import utcnow
from helpline.contacts.models import Contact
from helpline.conversations.labels import Label
from helpline.db import Base, UTCDateTime


class ConversationStatus(enum.StrEnum):
    BOT = "bot"
    PENDING = "pending"
    ACTIVE = "active"
    CLOSED = "closed"


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_status_last", "status", "last_message_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    assigned_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ConversationStatus.PENDING.value)
    # "<channel_id>:<contact_id>" while open, NULL once closed: the unique index makes
    # "one open conversation per contact and number" hold even under concurrent ingest.
    open_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    unread_count: Mapped[int] = mapped_column(Integer, default=0)
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_message_preview: Mapped[str | None] = mapped_column(String(200))
    # Since when the customer has been waiting for an answer (NULL: nobody is waiting).
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # When the customer last wrote: WhatsApp's 24-hour reply window counts from here.
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The area's local date on which the out-of-hours courtesy text was last sent.
    courtesy_sent_on: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # dashboard
    # When a person first answered (not the bot): the first-response target is then met.
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The area's service targets for it (helpline.targets computes them; NULL: none).
    first_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contact: Mapped[Contact] = relationship(lazy="joined")
    assigned_user: Mapped[User | None] = relationship(lazy="joined")
    # Read-only here: labels change through `helpline.labels.service`, which reloads them.
    labels: Mapped[list[Label]] = relationship(
        secondary="conversation_labels", lazy="selectin", viewonly=True, order_by=Label.name
    )

    @property
    def assigned_to(self) -> User | None:
        return self.assigned_user


class ConversationEvent(Base):
    """What happened to a conversation, by whom, from what to what."""

    __tablename__ = "conversation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(32))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    old_value: Mapped[str | None] = mapped_column(String(120))
    new_value: Mapped[str | None] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
