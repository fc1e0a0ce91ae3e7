from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from helpline.audit.tracking import track
from helpline.clock import utcnow
from helpline.db import Base, UTCDateTime


class ApiToken(Base):
    """A named key another system uses instead of a browser session. It acts as the admin
    who made it, limited to its scopes. Only the secret's hash is stored: the secret itself
    is shown once, when the token is made."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    # The secret's first characters, so people can tell their tokens apart in lists.
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex
    scopes: Mapped[str] = mapped_column(String(64))  # space-separated, e.g. "read send"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Updated at most once a minute, like a session's last seen.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


track(ApiToken, "token", hidden=("secret_hash",), ignored=("last_used_at",))
