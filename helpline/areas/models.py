from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from helpline.audit.tracking import track
from helpline.clock import utcnow
from helpline.db import Base, UTCDateTime

DEFAULT_COURTESY = (
    "¡Gracias por escribirnos! En este momento estamos fuera de nuestro horario de atención. "
    "Te responderemos apenas volvamos."
)


class Area(Base):
    """A department customers are routed to (ventas, soporte, ...)."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Automatic assignment of its queue, and how many active conversations each operator
    # of the area may hold before the queue waits.
    auto_assign: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    capacity: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    # Working hours are read in this IANA zone; outside them customers get the courtesy text.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    courtesy_message: Mapped[str | None] = mapped_column(Text, default=DEFAULT_COURTESY)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UserArea(Base):
    __tablename__ = "user_areas"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    area_id: Mapped[int] = mapped_column(
        ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)


track(Area, "area")
track(UserArea, "membership")
