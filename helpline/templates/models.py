from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpline.clock import utcnow
from helpline.db import Base, UTCDateTime


class MessageTemplate(Base):
    """A WhatsApp message template of a channel, as last synced from its provider."""

    __tablename__ = "message_templates"
    __table_args__ = (
        UniqueConstraint("channel_id", "name", "language", name="uq_message_templates_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(512))
    language: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32))
    category: Mapped[str | None] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text, default="")
    param_count: Mapped[int] = mapped_column(default=0)
    components: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
