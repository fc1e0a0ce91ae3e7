"""The catalog as a CSV file (stdlib `csv`): export, and an all-or-nothing import that can
be previewed first. Rows are matched to products by SKU (case-insensitive): a known SKU
updates the product, a new one creates it; a column left out of the file is left alone.
Categories are named; a name not yet known creates the category."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.auth.models import Role
from helpline.catalog.models import Category, Product
from helpline.catalog.schemas import ImportRowOut, ProductImportReport, ProductIn
from helpline.errors import Unprocessable
from helpline.realtime import queue_event, role_room

COLUMNS = ("sku", "name", "description", "price", "currency", "category", "active", "stock")
REQUIRED = ("sku", "name", "price")
MAX_ROWS = 20_000
TRUE = {"true", "1", "yes", "y", "si", "sí", "s", "sim", "x"}
FALSE = {"false", "0", "no", "n", "não", "nao", ""}
# A spreadsheet runs a cell starting with one of these as a formula: exported with a
# leading apostrophe (what spreadsheets show as text), read back without it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SQL_CHUNK = 500


# --- export ---------------------------------------------------------------------------


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


async def export_csv(session: AsyncSession) -> str:
    names = dict((await session.execute(select(Category.id, Category.name))).all())
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for p in await session.scalars(select(Product).order_by(Product.name, Product.id)):
        category = names.get(p.category_id) if p.category_id is not None else None
        row = (p.sku, p.name, p.description, p.price, p.currency, category, p.active, p.stock)
        writer.writerow(
            [_cell(str(v).lower() if isinstance(v, bool) else v) for v in row],
        )
    return buffer.getvalue()


# --- reading the file -----------------------------------------------------------------


def read_rows(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """The header (lower-cased) and the rows; 422 for a file that is not a usable CSV."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unprocessable("The file is not UTF-8 text; save it as CSV UTF-8") from None
    first = text.split("\n", 1)[0]
    # Spreadsheets in Spanish or Portuguese save with ";" (the comma is their decimal mark).
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        lines = list(reader)
    except csv.Error as exc:
        raise Unprocessable(f"The file is not a valid CSV: {exc}") from None
    if not lines or not any(c.strip() for c in lines[0]):
        raise Unprocessable(f"The file is empty; the first line names the columns: {_cols()}")
    header = [c.strip().lower() for c in lines[0]]
    _check_header(header)
    rows = [dict(zip(header, (c.strip() for c in line), strict=False)) for line in lines[1:]]
    if len(rows) > MAX_ROWS:
        raise Unprocessable(f"The file has {len(rows)} rows; import at most {MAX_ROWS} at once")
    return header, rows


def _cols() -> str:
    return ", ".join(COLUMNS)


def _check_header(header: list[str]) -> None:
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise Unprocessable(f"Unknown column {unknown[0]!r}; the columns are {_cols()}")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise Unprocessable(f"Column {missing[0]!r} is missing; {', '.join(REQUIRED)} are needed")
    repeated = [c for c in header if header.count(c) > 1]
    if repeated:
        raise Unprocessable(f"Column {repeated[0]!r} appears twice")


def _text(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_START) else value


# --- planning -------------------------------------------------------------------------


@dataclass
class Planned:
    line: int
    values: dict[str, Any]  # the product's fields as ProductIn reads them, defaults filled
    given: set[str]  # the fields the file has columns for (an update changes only those)
    category: str | None  # the category's name as written
    existing: Product | None = None
    errors: list[str] = field(default_factory=list)

    def out(self) -> ImportRowOut:
        action = "error" if self.errors else ("update" if self.existing else "create")
        return ImportRowOut(
            row=self.line,
            sku=self.values.get("sku") or None,
            name=self.values.get("name") or None,
            price=self.values.get("price") if not self.errors else None,
            currency=self.values.get("currency"),
            category=self.category,
            action=action,
            errors=self.errors,
        )


def _bool(text: str, errors: list[str]) -> bool:
    word = text.strip().lower()
    if word in TRUE:
        return True
    if word not in FALSE:
        errors.append(f"active must be true or false, not {text[:20]!r}")
    return False


def _row_values(raw: dict[str, str], errors: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column in ("sku", "name", "description", "price", "currency"):
        if column in raw:
            values[column] = _text(raw[column])
    if values.get("description") == "":
        values["description"] = None
    if values.get("currency") == "":
        del values["currency"]
    if "active" in raw:
        values["active"] = _bool(raw["active"], errors) if raw["active"] else True
    if "stock" in raw:
        values["stock"] = raw["stock"] or None
    return values


def _validate(values: dict[str, Any], errors: list[str]) -> dict[str, Any]:
    """The row's fields checked as the API checks them; messages name the column."""
    try:
        checked = ProductIn.model_validate({**values, "category_id": None})
    except ValidationError as exc:
        for err in exc.errors():
            column = str(err["loc"][0]) if err["loc"] else "row"
            message = str(err["msg"]).removeprefix("Value error, ")
            errors.append(f"{column}: {message}")
        return values
    full: dict[str, Any] = checked.model_dump(exclude={"category_id"})
    return full


async def _existing(session: AsyncSession, skus: Iterable[str]) -> dict[str, Product]:
    keys = sorted({s.lower() for s in skus if s})
    found: dict[str, Product] = {}
    for start in range(0, len(keys), SQL_CHUNK):
        chunk = keys[start : start + SQL_CHUNK]
        rows = await session.scalars(select(Product).where(func.lower(Product.sku).in_(chunk)))
        found.update({p.sku.lower(): p for p in rows})
    return found


async def plan(session: AsyncSession, rows: list[dict[str, str]]) -> list[Planned]:
    planned: list[Planned] = []
    for number, raw in enumerate(rows, start=2):
        if not any(raw.values()):
            continue  # a blank line
        errors: list[str] = []
        given = _row_values(raw, errors)
        values = _validate(given, errors)
        category = _text(raw.get("category", "")).strip() or None
        if category and len(category) > 120:
            errors.append("category: the name is longer than 120 characters")
        planned.append(Planned(number, values, set(given), category, errors=errors))
    existing = await _existing(session, (str(p.values.get("sku", "")) for p in planned))
    seen: dict[str, int] = {}
    for p in planned:
        key = str(p.values.get("sku", "")).lower()
        if key in seen:
            p.errors.append(f"sku: {p.values['sku']} is already on line {seen[key]}")
        seen.setdefault(key, p.line)
        p.existing = existing.get(key)
    return planned


# --- applying -------------------------------------------------------------------------


async def _categories(session: AsyncSession, names: set[str]) -> tuple[dict[str, int], list[str]]:
    """Ids by lower-cased name, creating those that do not exist yet."""
    known = {
        name.lower(): cid
        for cid, name in (await session.execute(select(Category.id, Category.name)))
    }
    created: list[str] = []
    for name in sorted(names, key=str.lower):
        if name.lower() not in known:
            category = Category(name=name, position=0)
            session.add(category)
            await session.flush()
            known[name.lower()] = category.id
            created.append(name)
    return known, created


def _new_categories(planned: list[Planned], known: set[str]) -> list[str]:
    names: dict[str, str] = {}
    for p in planned:
        if p.category and p.category.lower() not in known:
            names.setdefault(p.category.lower(), p.category)
    return sorted(names.values(), key=str.lower)


async def import_csv(session: AsyncSession, data: bytes, dry_run: bool) -> ProductImportReport:
    """Check every row; unless it is a dry run and when no row has an error, write them
    all (the caller commits). A report with errors is never applied."""
    header, rows = read_rows(data)
    planned = await plan(session, rows)
    known = {n.lower() for n in await session.scalars(select(Category.name))}
    new_categories = _new_categories(planned, known)
    failed = sum(1 for p in planned if p.errors)
    applied = not dry_run and failed == 0 and bool(planned)
    if applied:
        await _apply(session, planned, "category" in header)
    return ProductImportReport(
        dry_run=dry_run,
        applied=applied,
        created=sum(1 for p in planned if not p.errors and p.existing is None),
        updated=sum(1 for p in planned if not p.errors and p.existing is not None),
        new_categories=new_categories,
        error_count=failed,
        rows=[p.out() for p in planned],
    )


async def _apply(session: AsyncSession, planned: list[Planned], has_category: bool) -> None:
    # A category written in several spellings is created with the first row's.
    first_spelling: dict[str, str] = {}
    for p in planned:
        if p.category:
            first_spelling.setdefault(p.category.lower(), p.category)
    ids, _ = await _categories(session, set(first_spelling.values()))
    for p in planned:
        category_id = ids[p.category.lower()] if p.category else None
        if p.existing is None:
            session.add(Product(**p.values, category_id=category_id))
            continue
        # Only the columns in the file change; the SKU the row matched keeps its spelling.
        for name in p.given - {"sku"}:
            setattr(p.existing, name, p.values[name])
        if has_category:
            p.existing.category_id = category_id
    await session.flush()
    # One event instead of one per row: consoles reload what they show.
    counts = {"rows": len(planned)}
    queue_event(session, "catalog:imported", counts, [role_room(r.value) for r in Role])
