from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, field_validator

from helpline.auth.schemas import ApiModel
from helpline.db import RowId
from helpline.messages.schemas import UserRef
from helpline.orders.models import OrderStatus

CENT = Decimal("0.01")
MAX_QUANTITY = 100_000
MAX_LINES = 100
QUANTITY_HELP = f"a whole number from 1 to {MAX_QUANTITY:,}"


def _quantity(value: object) -> int:
    """Whole units only, said plainly: "2", 2 and 2.0 are two; -1, 0, 1.5 and "two" are not."""
    if isinstance(value, bool):
        raise ValueError(f"quantity must be {QUANTITY_HELP}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise ValueError(f"quantity must be {QUANTITY_HELP}, not {str(value)[:20]!r}")
    if value < 1:
        raise ValueError(f"quantity must be at least 1 (got {value})")
    if value > MAX_QUANTITY:
        raise ValueError(f"quantity must be at most {MAX_QUANTITY:,}")
    return value


def _cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT)


Quantity = Annotated[int, BeforeValidator(_quantity)]
# Always with two decimals on the wire ("7.50", never "7.5").
Amount = Annotated[Decimal, AfterValidator(_cents)]
Note = Annotated[str, Field(max_length=2000)]


def _strip(value: object) -> object:
    return value.strip() or None if isinstance(value, str) else value


class LineIn(ApiModel):
    product_id: RowId
    quantity: Quantity


class OrderIn(ApiModel):
    contact_id: RowId
    channel_id: RowId
    lines: list[LineIn] = Field(min_length=1, max_length=MAX_LINES)
    note: Note | None = None

    _clean = field_validator("note", mode="before")(_strip)


class OrderPatch(ApiModel):
    """Only the fields sent change. A new `status` must be the next step of the flow
    (or `cancelled` before shipping); see `nextStatuses` on the order."""

    status: OrderStatus | None = None
    note: Note | None = None

    _clean = field_validator("note", mode="before")(_strip)


class OrderQuery(ApiModel):
    status: OrderStatus | None = None
    contact_id: RowId | None = None
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=50, ge=1, le=200)


class OrderContact(ApiModel):
    id: int
    name: str | None
    phone: str | None


class LineOut(ApiModel):
    id: int
    product_id: int | None = Field(description="null once the product left the catalog")
    sku: str
    name: str
    quantity: int
    unit_price: Amount = Field(description='the price when ordered, a decimal string: "19.99"')
    line_total: Amount


class OrderOut(ApiModel):
    id: int
    number: int
    contact: OrderContact
    channel_id: int | None
    status: OrderStatus
    next_statuses: list[OrderStatus] = Field(description="where the order may go from here")
    currency: str
    total: Amount
    note: str | None
    lines: list[LineOut]
    created_by: UserRef | None
    created_at: datetime
    updated_at: datetime


class StatusChangeOut(ApiModel):
    id: int
    from_status: OrderStatus | None = Field(description="null: the order was created")
    to_status: OrderStatus
    user: UserRef | None
    message_id: int | None = Field(description="the message sent to the customer, if any")
    notice: str | None = Field(description="why no message went, when none did")
    at: datetime


class OrderDetail(OrderOut):
    history: list[StatusChangeOut] = Field(description="oldest first")


class StatusMessageOut(ApiModel):
    status: OrderStatus
    enabled: bool
    text: str
    default_text: str


class StatusMessageIn(ApiModel):
    status: OrderStatus
    enabled: bool
    text: str = Field(min_length=1, max_length=1000)

    _clean = field_validator("text", mode="before")(_strip)
