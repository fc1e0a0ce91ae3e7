from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpline.clock import utcnow
from helpline.db import Base, UTCDateTime

KEY_LENGTH = 255


class IdempotencyKey(Base):
    """A send made with an `Idempotency-Key`: the same key with the same request answers
    the stored response again instead of sending twice. Keys belong to their caller (an API
    token, or a user's browser session), so two integrations never collide."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("owner", "key", name="uq_idempotency_keys_owner_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(32))  # "token:<id>" or "user:<id>"
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    request_hash: Mapped[str] = mapped_column(String(64))  # sha256 hex of the request
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
