from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from helpline.audit.tracking import track
from helpline.clock import utcnow
from helpline.db import Base, UTCDateTime

BODY_TYPE = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


class WebhookSubscription(Base):
    """Another system that wants to hear about some of the desk's events at its URL.

    The secret signs every delivery, so it is kept readable (not hashed); the API shows it
    only when it is made or replaced."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    events: Mapped[str] = mapped_column(String(1000))  # space-separated event names
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def event_list(self) -> list[str]:
        return self.events.split()


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # retried for the whole window without success


class WebhookDelivery(Base):
    """One event for one receiver: the durable queue. Written in the transaction that
    caused the event, so it exists exactly when its cause does; the worker leases rows by
    moving `next_attempt_at` ahead while it posts them."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_subscription", "subscription_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: a flow's webhook action, sent unsigned to `url`. No foreign key on purpose:
    # queueing must never fail the transaction it rides in (see queue.py).
    subscription_id: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str | None] = mapped_column(String(2000))
    event_id: Mapped[str] = mapped_column(String(36))  # uuid4, in the body: for de-duplication
    event: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(BODY_TYPE)  # the exact JSON that is signed and posted
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    give_up_at: Mapped[datetime] = mapped_column(UTCDateTime)  # end of the retry window
    response_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


track(WebhookSubscription, "webhook", hidden=("secret",))
