"""The catalog: categories and products, their images and CSV import/export.

Everyone logged in reads it; the routers let only admins and supervisors call the writes.
Every change is announced to all logged-in consoles after the commit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from helpline.auth.models import Role
from helpline.catalog.models import Category, Product
from helpline.catalog.schemas import (
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    ProductIn,
    ProductOut,
    ProductPatch,
    ProductQuery,
)
from helpline.errors import Conflict, NotFound, Unprocessable, UnsupportedMedia
from helpline.media.service import Inspected, inspect, write_file
from helpline.realtime import queue_event, role_room

IMAGE_TYPES = "a JPEG, PNG, WebP or GIF picture"


class DuplicateSku(Conflict):
    code = "duplicate_sku"

    def __init__(self, sku: str, product_id: int) -> None:
        super().__init__(f"SKU {sku} is already used by product {product_id}")
        self.product_id = product_id


# --- realtime -------------------------------------------------------------------------


def _everyone() -> list[str]:
    """Every logged-in console joins its role's room: the catalog is for all of them."""
    return [role_room(role.value) for role in Role]


def announce_product(session: AsyncSession, product: Product) -> None:
    payload = ProductOut.model_validate(product).model_dump(mode="json", by_alias=True)
    queue_event(session, "product:updated", {"product": payload}, _everyone())


def announce_category(session: AsyncSession, category: Category, count: int) -> None:
    out = CategoryOut.model_validate(category).model_copy(update={"product_count": count})
    payload = out.model_dump(mode="json", by_alias=True)
    queue_event(session, "category:updated", {"category": payload}, _everyone())


# --- categories -----------------------------------------------------------------------


async def product_counts(session: AsyncSession) -> dict[int, int]:
    rows = await session.execute(
        select(Product.category_id, func.count()).group_by(Product.category_id)
    )
    return {cid: n for cid, n in rows if cid is not None}


async def list_categories(session: AsyncSession) -> list[CategoryOut]:
    counts = await product_counts(session)
    rows = await session.scalars(select(Category).order_by(Category.position, Category.name))
    return [category_out(c, counts.get(c.id, 0)) for c in rows]


def category_out(category: Category, count: int) -> CategoryOut:
    return CategoryOut.model_validate(category).model_copy(update={"product_count": count})


async def get_category(session: AsyncSession, category_id: int) -> Category:
    category = await session.get(Category, category_id)
    if category is None:
        raise NotFound(f"Category {category_id} not found")
    return category


async def category_by_name(session: AsyncSession, name: str) -> Category | None:
    """Names are unique whatever their case (MariaDB compares them so anyway)."""
    found = await session.scalars(
        select(Category).where(func.lower(Category.name) == name.strip().lower()).limit(1)
    )
    return found.first()


async def _ensure_category_name_free(
    session: AsyncSession, name: str, exclude: int | None = None
) -> None:
    found = await category_by_name(session, name)
    if found is not None and found.id != exclude:
        raise Conflict(f"There is already a category named {found.name}")


async def create_category(session: AsyncSession, data: CategoryIn) -> Category:
    await _ensure_category_name_free(session, data.name)
    category = Category(name=data.name, description=data.description, position=data.position)
    session.add(category)
    await session.flush()
    announce_category(session, category, 0)
    return category


async def update_category(
    session: AsyncSession, category_id: int, data: CategoryPatch
) -> tuple[Category, int]:
    category = await get_category(session, category_id)
    changes = data.model_dump(exclude_unset=True)
    if "name" in changes:
        await _ensure_category_name_free(session, changes["name"], category.id)
    for field, value in changes.items():
        setattr(category, field, value)
    await session.flush()
    count = (await product_counts(session)).get(category.id, 0)
    announce_category(session, category, count)
    return category, count


async def delete_category(session: AsyncSession, category_id: int) -> None:
    category = await get_category(session, category_id)
    count = (await product_counts(session)).get(category.id, 0)
    if count:
        things = "product" if count == 1 else "products"
        raise Conflict(
            f"Category {category.name} still has {count} {things}; "
            "move them to another category or delete them first"
        )
    await session.delete(category)
    queue_event(session, "category:deleted", {"categoryId": category_id}, _everyone())


# --- products -------------------------------------------------------------------------


def _like(text: str) -> str:
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _contains(column: InstrumentedAttribute[str], term: str, dialect: str) -> ColumnElement[bool]:
    """Case-insensitive `contains`. SQLite's and MariaDB's LIKE already ignore case (SQLite
    only for ASCII, as its lower() does): a lower() per row would triple the scan there."""
    if dialect == "postgresql":
        return column.ilike(term, escape="\\")
    return column.like(term, escape="\\")


def _filters(query: ProductQuery, dialect: str) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if query.q and query.q.strip():
        term = _like(query.q)
        found.append(
            or_(_contains(Product.name, term, dialect), _contains(Product.sku, term, dialect))
        )
    if query.category_id is not None:
        found.append(Product.category_id == query.category_id)
    if query.active is not None:
        found.append(Product.active == query.active)
    return found


async def list_products(session: AsyncSession, query: ProductQuery) -> tuple[list[Product], int]:
    where = _filters(query, session.get_bind().dialect.name)
    offset = (query.page - 1) * query.page_size
    rows = list(
        await session.scalars(
            select(Product)
            .where(*where)
            .order_by(Product.name, Product.id)
            .offset(offset)
            .limit(query.page_size)
        )
    )
    if len(rows) < query.page_size and (rows or offset == 0):
        return rows, offset + len(rows)  # the last page: no second scan to count
    total = await session.scalar(select(func.count()).select_from(Product).where(*where))
    return rows, total or 0


async def get_product(session: AsyncSession, product_id: int) -> Product:
    product = await session.get(Product, product_id)
    if product is None:
        raise NotFound(f"Product {product_id} not found")
    return product


async def product_by_sku(session: AsyncSession, sku: str) -> Product | None:
    """SKUs are unique whatever their case, on every database."""
    found = await session.scalars(
        select(Product).where(func.lower(Product.sku) == sku.strip().lower()).limit(1)
    )
    return found.first()


async def _ensure_sku_free(session: AsyncSession, sku: str, exclude: int | None = None) -> None:
    found = await product_by_sku(session, sku)
    if found is not None and found.id != exclude:
        raise DuplicateSku(found.sku, found.id)


async def _ensure_category(session: AsyncSession, category_id: int | None) -> None:
    if category_id is not None and await session.get(Category, category_id) is None:
        raise Unprocessable(f"Category {category_id} does not exist")


async def create_product(session: AsyncSession, data: ProductIn) -> Product:
    await _ensure_sku_free(session, data.sku)
    await _ensure_category(session, data.category_id)
    product = Product(**data.model_dump())
    session.add(product)
    await session.flush()
    announce_product(session, product)
    return product


async def update_product(session: AsyncSession, product_id: int, data: ProductPatch) -> Product:
    product = await get_product(session, product_id)
    changes = data.model_dump(exclude_unset=True)
    if "sku" in changes:
        await _ensure_sku_free(session, changes["sku"], product.id)
    if "category_id" in changes:
        await _ensure_category(session, changes["category_id"])
    for field, value in changes.items():
        setattr(product, field, value)
    await session.flush()
    announce_product(session, product)
    return product


async def delete_product(session: AsyncSession, product_id: int) -> str | None:
    """Returns the image to remove once the deletion is committed."""
    product = await get_product(session, product_id)
    image = product.image_path
    await session.delete(product)
    queue_event(session, "product:deleted", {"productId": product_id}, _everyone())
    return image


# --- images ---------------------------------------------------------------------------


def inspect_image(data: bytes, max_upload_mb: int) -> Inspected:
    """A picture, as its content says (a text file named .png is refused)."""
    try:
        inspected = inspect(data, max_upload_mb)
    except UnsupportedMedia:
        raise Unprocessable(f"This file is not an image; send {IMAGE_TYPES}") from None
    if inspected.kind != "image":
        raise Unprocessable(f"This file is {inspected.mime_type}, not an image; send {IMAGE_TYPES}")
    return inspected


@dataclass(frozen=True)
class ImageChange:
    product: Product
    written: str | None  # remove if the commit fails
    replaced: str | None  # remove once the commit succeeds


async def set_image(
    session: AsyncSession, product_id: int, inspected: Inspected | None, upload_dir: Path
) -> ImageChange:
    """Store a new image (or none) for the product; the caller commits, then removes the
    file that lost (see ImageChange)."""
    product = await get_product(session, product_id)
    old = product.image_path
    written = await write_file(upload_dir, inspected) if inspected else None
    product.image_path = written
    product.image_type = inspected.mime_type if inspected else None
    await session.flush()
    announce_product(session, product)
    return ImageChange(product, written, old)


def image_file(upload_dir: Path, product: Product) -> tuple[Path, str]:
    if not product.image_path or not product.image_type:
        raise NotFound(f"Product {product.id} has no image")
    path = upload_dir / product.image_path
    if not path.is_file():
        raise NotFound("This image is missing from storage")
    return path, product.image_type
