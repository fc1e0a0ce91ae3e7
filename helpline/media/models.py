from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpline.clock import utcnow
from helpline.db import Base, UTCDateTime


class MediaStatus(enum.StrEnum):
    PENDING = "pending"  # named by the provider; the fetcher downloads it
    READY = "ready"  # stored under UPLOAD_DIR
    FAILED = "failed"  # gave up (see `error`); POST /api/media/{id}/retry queues it again


class MediaFile(Base):
    """The file of one message (an image, a voice note, a PDF...): what it is, where it is
    stored, and, while it is still to be downloaded, where it comes from."""

    __tablename__ = "media_files"
    __table_args__ = (Index("ix_media_files_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), unique=True
    )
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    kind: Mapped[str] = mapped_column(String(16))  # image | audio | video | document | sticker
    # The type found in the content (not the one claimed); the claimed one until then.
    mime_type: Mapped[str | None] = mapped_column(String(127))
    size: Mapped[int | None] = mapped_column(Integer)
    # The name to show and offer on download (the sender's, without any path).
    filename: Mapped[str | None] = mapped_column(String(255))
    # Relative to UPLOAD_DIR: "YYYY-MM/<uuid hex>.<ext>", the extension from the content.
    stored_path: Mapped[str | None] = mapped_column(String(255))
    voice: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=MediaStatus.PENDING.value)
    error: Mapped[str | None] = mapped_column(String(500))
    # Where a pending file comes from: the provider's media id or URL.
    source_media_id: Mapped[str | None] = mapped_column(String(255))
    source_url: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def url(self) -> str:
        return f"/api/media/{self.id}"
