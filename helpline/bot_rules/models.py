from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpline.audit.tracking import track
from helpline.clock import utcnow
from helpline.db import Base, UTCDateTime


class BotSettings(Base):
    """One channel's simple bot: a welcome message, keyword rules and an out-of-hours
    message. A channel without a row has none of them (only its flow, if any).

    The rules are a JSON list, in priority order: a channel has a few dozen at most, they
    are always read and replaced together, and one row is one read on the hot path (each
    inbound message). Each rule is validated by `schemas.RuleIn` before it is stored."""

    __tablename__ = "bot_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), unique=True
    )
    welcome_message: Mapped[str | None] = mapped_column(Text)
    out_of_hours_message: Mapped[str | None] = mapped_column(Text)
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


track(BotSettings, "bot_settings")
