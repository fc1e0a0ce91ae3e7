from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpline.audit.tracking import track
from helpline.clock import utcnow
from helpline.db import Base, UTCDateTime

# A Cloud API business-scoped user id is a country code, a dot and up to 128 characters
# ("US.ENT.1181..." for a parent id).
EXTERNAL_ID_LENGTH = 160
TAG_LENGTH = 60
ATTRIBUTE_VALUE_LENGTH = 500


class NameSource(enum.StrEnum):
    """Who wrote the contact's name: WhatsApp's profile name is only a fallback, replaced on
    every message until a person or the bot sets a name, which it then never overwrites."""

    WHATSAPP = "whatsapp"
    PERSON = "person"
    BOT = "bot"


class AttributeType(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"


class ContactStatus(Base):
    """A customer state from the admin's list (lead, customer, inactive...)."""

    __tablename__ = "contact_statuses"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    color: Mapped[str] = mapped_column(String(16), default="#64748b")
    position: Mapped[int] = mapped_column(Integer, default=0)


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
    name_source: Mapped[str | None] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    document: Mapped[str | None] = mapped_column(String(64), index=True)
    company: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    status_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact_statuses.id", ondelete="SET NULL"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    preferred_area_id: Mapped[int | None] = mapped_column(
        ForeignKey("areas.id", ondelete="SET NULL")
    )
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def address(self) -> str:
        """Where the business writes to this customer: the phone, else the external id."""
        return self.phone or self.external_id or ""


class ContactTag(Base):
    """One tag of a contact: a row per tag keeps tags searchable on every database."""

    __tablename__ = "contact_tags"
    __table_args__ = (Index("ix_contact_tags_tag", "tag"),)

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(TAG_LENGTH), primary_key=True)


class ContactAttribute(Base):
    """An admin-defined custom field of every contact."""

    __tablename__ = "contact_attributes"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    type: Mapped[str] = mapped_column(String(16), default=AttributeType.TEXT.value)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ContactAttributeValue(Base):
    """A contact's value of a custom attribute, kept as canonical text (numbers as written by
    Python, dates as ISO) so one column filters the same on every database."""

    __tablename__ = "contact_attribute_values"
    __table_args__ = (Index("ix_contact_attribute_values_value", "attribute_id", "value"),)

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    attribute_id: Mapped[int] = mapped_column(
        ForeignKey("contact_attributes.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[str] = mapped_column(String(ATTRIBUTE_VALUE_LENGTH))


class ContactEvent(Base):
    """What changed on a contact, by whom, when: `changes` maps a field to [before, after]."""

    __tablename__ = "contact_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(32))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


track(ContactStatus, "contact_status")
track(Contact, "contact", ignored=("last_seen_at",))
track(ContactAttribute, "contact_attribute")
