from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from helpline.db import Base, UTCDateTime


class ConsoleSocket(Base):
    """A connected console socket. A user is online while one of theirs is fresh; each
    server process refreshes its own sockets, so a crashed process's rows go stale."""

    __tablename__ = "console_sockets"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    node: Mapped[str] = mapped_column(String(32), index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
