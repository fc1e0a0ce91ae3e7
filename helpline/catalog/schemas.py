from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from helpline.auth.schemas import ApiModel
from helpline.errors import ErrorOut

CENT = Decimal("0.01")
PRICE_LIMIT = Decimal("10000000000")  # Numeric(12, 2): ten digits before the point
PRICE_HELP = 'a number with up to 2 decimals and a point, e.g. "19.99"'
CURRENCY_PATTERN = re.compile(r"^[A-Z]{3}$")
MAX_STOCK = 2_147_483_647  # a 32-bit INTEGER on every database


def parse_price(value: object) -> Decimal:
    """A price as exact cents. JSON numbers are read through their shortest text (what
    the sender wrote), so 19.99 stays 19.99; the console sends strings anyway."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError(f"price must be {PRICE_HELP}")
    text = repr(value) if isinstance(value, float) else str(value).strip()
    try:
        price = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"price must be {PRICE_HELP}, not {text[:40]!r}") from None
    if not price.is_finite():
        raise ValueError(f"price must be {PRICE_HELP}")
    if price < 0:
        raise ValueError("price cannot be negative")
    if price >= PRICE_LIMIT:
        raise ValueError("price must be below 10,000,000,000")
    if price != price.quantize(CENT):
        raise ValueError(f"price has more than 2 decimals ({text[:40]})")
    return price.quantize(CENT)


def parse_currency(value: object) -> str:
    text = str(value).strip().upper() if isinstance(value, str) else ""
    if not CURRENCY_PATTERN.match(text):
        raise ValueError("currency must be an ISO 4217 code of 3 letters, e.g. USD, EUR, ARS")
    return text


Price = Annotated[Decimal, BeforeValidator(parse_price)]
Currency = Annotated[str, BeforeValidator(parse_currency)]
Stock = Annotated[int, Field(ge=0, le=MAX_STOCK)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Sku = Annotated[str, Field(min_length=1, max_length=64)]


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


# --- categories -----------------------------------------------------------------------


class CategoryOut(ApiModel):
    id: int
    name: str
    description: str | None
    position: int
    product_count: int = 0
    updated_at: datetime


class CategoryIn(ApiModel):
    name: str = Field(min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=2000)
    position: int = Field(default=0, ge=0, le=1_000_000)

    _clean = field_validator("name", "description", mode="before")(_strip)


class CategoryPatch(ApiModel):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=2000)
    position: int | None = Field(default=None, ge=0, le=1_000_000)

    _clean = field_validator("name", "description", mode="before")(_strip)

    @model_validator(mode="after")
    def _no_null_name(self) -> CategoryPatch:
        for name in ("name", "position"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


# --- products -------------------------------------------------------------------------


class ProductOut(ApiModel):
    id: int
    sku: str
    name: str
    description: str | None
    price: Decimal = Field(description='exact, as a decimal string: "19.99"')
    currency: str
    category_id: int | None
    active: bool
    stock: int | None = Field(description="null: stock is not tracked")
    image_url: str | None
    created_at: datetime
    updated_at: datetime


class ProductIn(ApiModel):
    sku: Sku
    name: Name
    description: str | None = Field(default=None, max_length=4000)
    price: Price = Field(description=f"send {PRICE_HELP}")
    currency: Currency = "USD"
    category_id: int | None = None
    active: bool = True
    stock: Stock | None = None

    _clean = field_validator("sku", "name", "description", mode="before")(_strip)


class ProductPatch(ApiModel):
    """Only the fields sent change; `description`, `categoryId` and `stock` may be null."""

    sku: Sku | None = None
    name: Name | None = None
    description: str | None = Field(default=None, max_length=4000)
    price: Price | None = None
    currency: Currency | None = None
    category_id: int | None = None
    active: bool | None = None
    stock: Stock | None = None

    _clean = field_validator("sku", "name", "description", mode="before")(_strip)

    @model_validator(mode="after")
    def _required_not_null(self) -> ProductPatch:
        for name in ("sku", "name", "price", "currency", "active"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class ProductQuery(ApiModel):
    q: str | None = Field(default=None, max_length=100, description="name or SKU contains")
    category_id: int | None = None
    active: bool | None = None
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=50, ge=1, le=200)


# --- CSV import -----------------------------------------------------------------------


class ImportRowOut(ApiModel):
    row: int = Field(description="line number in the file (the header is line 1)")
    sku: str | None
    name: str | None
    price: Decimal | None
    currency: str | None
    category: str | None
    action: Literal["create", "update", "error"]
    errors: list[str]


class ProductImportReport(ApiModel):
    dry_run: bool
    applied: bool
    created: int
    updated: int
    new_categories: list[str]
    error_count: int
    rows: list[ImportRowOut]


class ImportRefused(ErrorOut):
    """The error body, plus the per-row report when rows had errors (an unreadable file
    has none)."""

    report: ProductImportReport | None = None
