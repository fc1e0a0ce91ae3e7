from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from helpline.audit.tracking import track
from helpline.clock import utcnow
from helpline.db import Base, UTCDateTime


class AreaTargets(Base):
    """An area's service targets: a person answers within `first_response_minutes` and the
    conversation is closed within `resolution_minutes` of the customer's first message,
    counted in open hours when the area has working hours, else in clock time. NULL (or
    no row): no such target."""

    __tablename__ = "area_targets"

    area_id: Mapped[int] = mapped_column(
        ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True
    )
    first_response_minutes: Mapped[int | None] = mapped_column(Integer)
    resolution_minutes: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class TargetBreach(Base):
    """A target a conversation missed, recorded once (the alert, and the reports' count)."""

    __tablename__ = "target_breaches"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # first_response|resolution
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


track(AreaTargets, "area_targets")
