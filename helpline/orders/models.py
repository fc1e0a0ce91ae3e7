from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpline.audit.tracking import track
from helpline.auth.models import User
from helpline.clock import utcnow
from helpline.contacts.models import Contact
from helpline.db import Base, UTCDateTime

# Exact money (Numeric, never a float): a total adds many lines and cents must not drift.
UNIT_PRICE = Numeric(12, 2, asdecimal=True)  # as the catalog's prices
AMOUNT = Numeric(14, 2, asdecimal=True)
# Human order numbers start here, so "#1001" never looks like a row id of 1.
FIRST_NUMBER = 1000


class OrderStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    PREPARING = "preparing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class Order(Base):
    """What a customer bought over a channel: lines at the prices of the day, a total."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Shown to the customer ("#1001"); set from the id right after the insert.
    number: Mapped[int | None] = mapped_column(Integer, unique=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    # The number it was ordered on, and where status messages go; kept if the channel goes.
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("channels.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=OrderStatus.PENDING.value, index=True)
    currency: Mapped[str] = mapped_column(String(3))  # ISO 4217, every line's
    total: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0.00"))
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    contact: Mapped[Contact] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(lazy="joined")
    lines: Mapped[list[OrderLine]] = relationship(
        lazy="selectin", order_by="OrderLine.position", cascade="all, delete-orphan"
    )


class OrderLine(Base):
    """One product of an order. Name, SKU and price are copied: the catalog may change or
    lose the product, the order stays as it was agreed."""

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(UNIT_PRICE)
    line_total: Mapped[Decimal] = mapped_column(AMOUNT)
    # Whether confirming took this line's units from the product's stock (untracked
    # products have none to take): cancelling gives back exactly what was taken.
    stock_taken: Mapped[bool] = mapped_column(Boolean, default=False)


class OrderStatusChange(Base):
    """An order went from one status to another: who, when, from, to. The first row has no
    `from` (it was created). `notice` says what became of the customer's message."""

    __tablename__ = "order_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    notice: Mapped[str | None] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship(lazy="joined")


class OrderStatusMessage(Base):
    """Settings: what the customer is told when an order reaches a status, and whether they
    are told at all. A status without a row uses the built-in text, switched off."""

    __tablename__ = "order_status_messages"

    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


track(Order, "order")
track(OrderStatusMessage, "order_status_message")
