from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from helpline.clock import utcnow
from helpline.db import Base, UTCDateTime

# MariaDB's TEXT holds 64 KB; a webhook body may be bigger.
BODY_TYPE = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


class DeadLetterStatus(enum.StrEnum):
    PENDING = "pending"  # kept, not (yet) understood
    DONE = "done"  # re-processed: its messages are stored


class DeadLetter(Base):
    """A webhook body or provider event the desk could not understand, kept raw so that an
    admin can see it and re-process it after an upgrade: a customer's message is never
    acknowledged and then lost."""

    __tablename__ = "dead_letters"
    __table_args__ = (
        Index("ix_dead_letters_status", "status", "id"),
        Index("ix_dead_letters_digest", "provider", "digest"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    # NULL when the body did not say which channel it was for (or the channel was deleted).
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(BODY_TYPE)
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of the body: redeliveries
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default=DeadLetterStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    stored_messages: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
