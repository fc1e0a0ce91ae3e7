from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpline.audit.tracking import track
from helpline.clock import utcnow
from helpline.db import Base, UTCDateTime

# Exact money: 10 digits before the point, 2 after. Never a float anywhere on the way.
PRICE_TYPE = Numeric(12, 2, asdecimal=True)


class Category(Base):
    """A group of products (the seed ERP's categories), shown in this order."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Product(Base):
    """Something the business sells; customers find it by name or SKU."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    price: Mapped[Decimal] = mapped_column(PRICE_TYPE)
    currency: Mapped[str] = mapped_column(String(3))  # ISO 4217
    # A category with products cannot be deleted (409), so no ON DELETE rule here.
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    stock: Mapped[int | None] = mapped_column(Integer)  # None: not tracked
    # Relative to UPLOAD_DIR, like message media: "YYYY-MM/<uuid hex>.<ext>".
    image_path: Mapped[str | None] = mapped_column(String(255))
    image_type: Mapped[str | None] = mapped_column(String(127))  # found in the content
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def image_url(self) -> str | None:
        """Changes with the file, so browsers may cache each version for long."""
        if not self.image_path:
            return None
        version = self.image_path.rsplit("/", 1)[-1].split(".", 1)[0][:12]
        return f"/api/products/{self.id}/image?v={version}"


track(Category, "category")
track(Product, "product")
