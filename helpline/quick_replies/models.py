from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpline.audit.tracking import track
from helpline.clock import utcnow
from helpline.db import Base, UTCDateTime


class Scope(enum.StrEnum):
    GLOBAL = "global"
    AREA = "area"
    PERSONAL = "personal"


class QuickReply(Base):
    """A canned answer an operator inserts by typing `/shortcut` in the composer."""

    __tablename__ = "quick_replies"
    __table_args__ = (
        UniqueConstraint("scope_key", "shortcut", name="uq_quick_replies_scope_shortcut"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shortcut: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(String(16))
    area_id: Mapped[int | None] = mapped_column(
        ForeignKey("areas.id", ondelete="CASCADE"), index=True
    )
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # "global", "area:<id>" or "user:<id>": shortcuts are unique within one of these.
    scope_key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


track(QuickReply, "quick_reply")
