"""Contacts in and out as CSV (the stdlib `csv` module). An import is read whole and checked
row by row first; the preview writes nothing, the import writes the good rows in the
caller's one transaction (a failure rolls all of them back)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.auth.models import User
from helpline.clock import utcnow
from helpline.contacts.fields import attribute_value, parse_phone
from helpline.contacts.models import (
    Contact,
    ContactAttribute,
    ContactAttributeValue,
    ContactStatus,
    ContactTag,
    NameSource,
)
from helpline.contacts.schemas import ContactImportReport, ContactIn, ImportRowError
from helpline.customers.directory import log_event, views
from helpline.errors import Unprocessable

COLUMNS = ("phone", "name", "email", "document", "company", "notes", "tags", "status", "owner")
TAG_SEPARATOR = ";"
MAX_REPORTED_ERRORS = 1000


@dataclass
class Row:
    number: int
    values: dict[str, Any]
    tags: list[str] | None
    attributes: dict[int, str] = field(default_factory=dict)


@dataclass
class Checked:
    rows: list[Row]
    errors: list[ImportRowError]
    total: int


async def check(session: AsyncSession, text: str, region: str) -> Checked:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    headers = [h.strip().lower() for h in next(reader, [])]
    attrs = {a.key: a for a in await session.scalars(select(ContactAttribute)) if a.key in headers}
    unknown = [h for h in headers if h and h not in COLUMNS and h not in attrs]
    if "phone" not in headers and "name" not in headers:
        raise Unprocessable("file: the first line must name the columns, with phone or name")
    if unknown:
        raise Unprocessable(f"file: unknown column(s) {', '.join(unknown)[:200]}")
    statuses = {s.name.lower(): s.id for s in await session.scalars(select(ContactStatus))}
    owners = {u.username.lower(): u.id for u in await session.scalars(select(User))}
    rows: list[Row] = []
    errors: list[ImportRowError] = []
    seen: dict[str, int] = {}
    total = 0
    for number, raw in _records(reader, headers):
        total += 1
        try:
            row = _row(number, raw, region, attrs, statuses, owners)
        except _RowError as exc:
            errors.append(ImportRowError(row=number, field=exc.field, message=exc.message))
            continue
        phone = row.values.get("phone")
        if phone and phone in seen:
            errors.append(
                ImportRowError(
                    row=number, field="phone", message=f"same phone as row {seen[phone]}"
                )
            )
            continue
        if phone:
            seen[phone] = number
        rows.append(row)
    return Checked(rows, errors, total)


def _records(
    reader: Iterator[list[str]], headers: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    for number, record in enumerate(reader, start=1):
        values = {h: v.strip() for h, v in zip(headers, record, strict=False) if h}
        if any(values.values()):
            yield number, values


class _RowError(Exception):
    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _row(
    number: int,
    raw: dict[str, str],
    region: str,
    attrs: dict[str, ContactAttribute],
    statuses: dict[str, int],
    owners: dict[str, int],
) -> Row:
    values: dict[str, Any] = {}
    if raw.get("phone"):
        try:
            values["phone"] = parse_phone(raw["phone"], region)
        except Unprocessable as exc:
            raise _RowError("phone", exc.detail) from None
    try:
        checked = ContactIn.model_validate(
            {
                k: raw[k] or None
                for k in ("name", "email", "document", "company", "notes")
                if k in raw
            }
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        raise _RowError(str(err["loc"][0]), err["msg"]) from None
    values.update(
        {
            k: getattr(checked, k)
            for k in ("name", "email", "document", "company", "notes")
            if k in raw
        }
    )
    if not values.get("phone") and not values.get("name"):
        raise _RowError("phone", "a row needs a phone or a name")
    if raw.get("status"):
        if raw["status"].lower() not in statuses:
            raise _RowError("status", f"no contact status named {raw['status'][:40]!r}")
        values["status_id"] = statuses[raw["status"].lower()]
    if raw.get("owner"):
        if raw["owner"].lower() not in owners:
            raise _RowError("owner", f"no user named {raw['owner'][:40]!r}")
        values["owner_id"] = owners[raw["owner"].lower()]
    tags = None
    if "tags" in raw:
        try:
            tags = ContactIn(tags=raw["tags"].split(TAG_SEPARATOR)).tags
        except ValidationError as exc:
            raise _RowError("tags", exc.errors()[0]["msg"]) from None
    row = Row(number, values, tags)
    for key, attr in attrs.items():
        if raw.get(key):
            try:
                row.attributes[attr.id] = attribute_value(attr, raw[key])
            except Unprocessable as exc:
                raise _RowError(key, exc.detail) from None
    return row


async def report(session: AsyncSession, checked: Checked, written: bool) -> ContactImportReport:
    phones = [r.values["phone"] for r in checked.rows if r.values.get("phone")]
    existing = await _existing(session, phones)
    updated = sum(1 for p in phones if p in existing)
    return ContactImportReport(
        total=checked.total,
        valid=len(checked.rows),
        invalid=len(checked.errors),
        errors=checked.errors[:MAX_REPORTED_ERRORS],
        created=len(checked.rows) - updated,
        updated=updated,
        written=written,
    )


async def _existing(session: AsyncSession, phones: list[str]) -> dict[str, Contact]:
    found: dict[str, Contact] = {}
    for start in range(0, len(phones), 1000):
        chunk = phones[start : start + 1000]
        for contact in await session.scalars(select(Contact).where(Contact.phone.in_(chunk))):
            if contact.phone:
                found[contact.phone] = contact
    return found


async def write(session: AsyncSession, user: User, checked: Checked) -> None:
    """Create or update (matched by phone) every good row; no realtime event per contact."""
    phones = [r.values["phone"] for r in checked.rows if r.values.get("phone")]
    existing = await _existing(session, phones)
    now = utcnow()
    pairs: list[tuple[Row, Contact, bool]] = []
    for row in checked.rows:
        contact = existing.get(row.values.get("phone") or "")
        is_new = contact is None
        if contact is None:
            contact = Contact(created_at=now)
            session.add(contact)
        for key, value in row.values.items():
            if value is not None:
                setattr(contact, key, value)
        if row.values.get("name"):
            contact.name_source = NameSource.PERSON.value
        pairs.append((row, contact, is_new))
    await session.flush()
    for row, contact, is_new in pairs:
        if row.tags is not None:
            old = (
                set()
                if is_new
                else set(
                    await session.scalars(
                        select(ContactTag.tag).where(ContactTag.contact_id == contact.id)
                    )
                )
            )
            session.add_all(ContactTag(contact_id=contact.id, tag=t) for t in set(row.tags) - old)
        for attr_id, value in row.attributes.items():
            current = (
                None if is_new else await session.get(ContactAttributeValue, (contact.id, attr_id))
            )
            if current is None:
                session.add(
                    ContactAttributeValue(contact_id=contact.id, attribute_id=attr_id, value=value)
                )
            else:
                current.value = value
        changes = {k: [None, v] for k, v in row.values.items() if v is not None}
        log_event(session, contact.id, "imported", user, changes)
    await session.flush()


async def export(session: AsyncSession, contacts: list[Contact]) -> str:
    attrs = list(
        await session.scalars(
            select(ContactAttribute).order_by(ContactAttribute.position, ContactAttribute.id)
        )
    )
    statuses = {s.id: s.name for s in await session.scalars(select(ContactStatus))}
    owners = {u.id: u.username for u in await session.scalars(select(User))}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*COLUMNS, *(a.key for a in attrs)])
    for view in await views(session, contacts):
        writer.writerow(
            [
                view.phone or "",
                _cell(view.name),
                _cell(view.email),
                _cell(view.document),
                _cell(view.company),
                _cell(view.notes),
                _cell(TAG_SEPARATOR.join(view.tags)),
                statuses.get(view.status_id or 0, ""),
                owners.get(view.owner_id or 0, ""),
                *(_cell(view.attributes.get(a.key)) for a in attrs),
            ]
        )
    return out.getvalue()


# A spreadsheet runs a cell that starts with one of these as a formula: such text is
# exported with a leading apostrophe (the phone column, always E.164 with "+", is exempt).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
