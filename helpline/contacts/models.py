from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from helpline.clock import utcnow
from helpline.db import Base, UTCDateTime

# A Cloud API business-scoped user id is a country code, a dot and up to 128 characters
# ("US.ENT.1181..." for a parent id).
EXTERNAL_ID_LENGTH = 160


class Contact(Base):
    """A customer, known by their phone number in E.164, or, when WhatsApp withholds the
    phone (a user with a username), by the id WhatsApp gives instead (`external_id`: a
    business-scoped user id). A contact may have both: the id is kept beside the phone when
    a message carries both, so a later message with only the id finds the same person."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(EXTERNAL_ID_LENGTH), unique=True)
    name: Mapped[str | None] = mapped_column(String(120), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def address(self) -> str:
        """Where the business writes to this customer: the phone, else the external id."""
        return self.phone or self.external_id or ""
