from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import phonenumbers
from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.clock import utcnow
from helpline.contacts.hooks import CONTACTS_CREATED
from helpline.contacts.models import (
    EXTERNAL_ID_LENGTH,
    AttributeType,
    Contact,
    ContactAttribute,
    ContactAttributeValue,
    ContactStatus,
    NameSource,
)
from helpline.contacts.schemas import ContactAttributeIn, ContactStatusIn
from helpline.errors import Conflict, NotFound, Unprocessable

# How one inbound message names its customer: ("phone", E.164) or ("external", user id).
CustomerKey = tuple[str, str]
LAST_SEEN_GRANULARITY = timedelta(minutes=1)


def normalize_phone(raw: str) -> str:
    """E.164 for any way a phone arrives: "+54 9 11 5555-0001", "5491155550001", "549...@c.us"."""
    candidate = raw.split("@", 1)[0].strip()
    if candidate and not candidate.startswith("+"):
        candidate = "+" + candidate
    try:
        number = phonenumbers.parse(candidate, None)
    except phonenumbers.NumberParseException:
        raise Unprocessable(f"'{raw}' is not a phone number") from None
    if not phonenumbers.is_possible_number(number):
        raise Unprocessable(f"'{raw}' is not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_external_id(raw: str) -> str:
    """A WhatsApp user id as the desk keeps it (trimmed; refused when it cannot be one)."""
    value = raw.strip()
    if not value or len(value) > EXTERNAL_ID_LENGTH:
        raise Unprocessable(f"'{raw[:40]}' is not a WhatsApp user id")
    return value


def customer_key(phone: str | None, external_id: str | None) -> CustomerKey:
    if phone:
        return ("phone", phone)
    if external_id:
        return ("external", external_id)
    raise Unprocessable("A customer needs a phone number or a WhatsApp user id")


@dataclass(frozen=True)
class Sighting:
    """A customer as one inbound message names them."""

    phone: str | None
    external_id: str | None
    name: str | None

    @property
    def key(self) -> CustomerKey:
        return customer_key(self.phone, self.external_id)


async def upsert_contacts(
    session: AsyncSession, sightings: list[Sighting]
) -> dict[CustomerKey, Contact]:
    """The contacts these messages come from, created when new; a newly known name is kept.
    A customer is found by phone first, then by external id; an id seen with a phone is
    kept on that contact (and a contact known only by the id learns its phone). Two
    statements for any number of customers.

    A contact created concurrently by another transaction surfaces as an IntegrityError at
    the caller's flush; the caller retries its transaction."""
    phones = {s.phone for s in sightings if s.phone}
    ids = {s.external_id for s in sightings if s.external_id}
    by_phone: dict[str, Contact] = {}
    by_id: dict[str, Contact] = {}
    if phones or ids:
        rows = await session.scalars(
            select(Contact).where(or_(Contact.phone.in_(phones), Contact.external_id.in_(ids)))
        )
        for row in rows:
            _remember(row, by_phone, by_id)
    found: dict[CustomerKey, Contact] = {}
    now = utcnow()
    for sighting in sightings:
        contact = _match(session, sighting, by_phone, by_id)
        # The profile name is a fallback: a name a person or the bot wrote is kept.
        writable = contact.name_source in (None, NameSource.WHATSAPP.value)
        if sighting.name and writable and contact.name != sighting.name:
            contact.name = sighting.name
            contact.name_source = NameSource.WHATSAPP.value
        # At most one write a minute per customer for this: a burst of messages costs none.
        if contact.last_seen_at is None or now - contact.last_seen_at >= LAST_SEEN_GRANULARITY:
            contact.last_seen_at = now
        _remember(contact, by_phone, by_id)
        found[sighting.key] = contact
    created = {id(c): c for c in found.values() if c.id is None}
    await session.flush()
    if created:
        await CONTACTS_CREATED.run(session, list(created.values()))
    return found


async def known_customers(session: AsyncSession, sightings: list[Sighting]) -> set[CustomerKey]:
    """Which of these customers are already contacts (as `upsert_contacts` would find
    them: by phone, else by WhatsApp user id). One statement."""
    phones = {s.phone for s in sightings if s.phone}
    ids = {s.external_id for s in sightings if s.external_id}
    rows = await session.execute(
        select(Contact.phone, Contact.external_id).where(
            or_(Contact.phone.in_(phones), Contact.external_id.in_(ids))
        )
    )
    known_phones, known_ids = set(), set()
    for phone, external_id in rows:
        known_phones.add(phone)
        known_ids.add(external_id)
    return {
        s.key
        for s in sightings
        if (s.phone and s.phone in known_phones) or (s.external_id and s.external_id in known_ids)
    }


def _match(
    session: AsyncSession,
    sighting: Sighting,
    by_phone: dict[str, Contact],
    by_id: dict[str, Contact],
) -> Contact:
    phone, external_id = sighting.phone, sighting.external_id
    contact = by_phone.get(phone) if phone else None
    known_by_id = by_id.get(external_id) if external_id else None
    if contact is None and known_by_id is not None and (not phone or known_by_id.phone is None):
        contact = known_by_id
        if phone:
            contact.phone = phone
    if contact is None:
        # An id already on another contact stays there: ids are unique.
        contact = Contact(phone=phone, external_id=None if known_by_id else external_id)
        session.add(contact)
    elif external_id and contact.external_id is None and known_by_id is None:
        contact.external_id = external_id
    return contact


def _remember(contact: Contact, by_phone: dict[str, Contact], by_id: dict[str, Contact]) -> None:
    if contact.phone:
        by_phone[contact.phone] = contact
    if contact.external_id:
        by_id[contact.external_id] = contact


# --- the admin's lists: contact statuses and custom attribute definitions ----------------


async def list_statuses(session: AsyncSession) -> list[ContactStatus]:
    rows = await session.scalars(
        select(ContactStatus).order_by(ContactStatus.position, ContactStatus.id)
    )
    return list(rows)


async def save_status(
    session: AsyncSession, data: ContactStatusIn, status_id: int | None = None
) -> ContactStatus:
    row = ContactStatus() if status_id is None else await session.get(ContactStatus, status_id)
    if row is None:
        raise NotFound(f"Contact status {status_id} not found")
    taken = await session.scalar(
        select(ContactStatus.id).where(
            ContactStatus.name == data.name.strip(), ContactStatus.id != (status_id or -1)
        )
    )
    if taken is not None:
        raise Conflict(f"name: a contact status named '{data.name.strip()}' exists")
    row.name, row.color, row.position = data.name.strip(), data.color, data.position
    session.add(row)
    await session.flush()
    return row


async def delete_status(session: AsyncSession, status_id: int) -> None:
    row = await session.get(ContactStatus, status_id)
    if row is None:
        raise NotFound(f"Contact status {status_id} not found")
    # Contacts in this state keep no state (the foreign key sets NULL on every database;
    # done here too so the session's loaded contacts agree).
    await session.execute(
        update(Contact).where(Contact.status_id == status_id).values(status_id=None)
    )
    await session.delete(row)
    await session.flush()


async def list_attributes(session: AsyncSession) -> list[ContactAttribute]:
    rows = await session.scalars(
        select(ContactAttribute).order_by(ContactAttribute.position, ContactAttribute.id)
    )
    return list(rows)


async def save_attribute(
    session: AsyncSession, data: ContactAttributeIn, attribute_id: int | None = None
) -> ContactAttribute:
    row = (
        ContactAttribute()
        if attribute_id is None
        else await session.get(ContactAttribute, attribute_id)
    )
    if row is None:
        raise NotFound(f"Contact attribute {attribute_id} not found")
    taken = await session.scalar(
        select(ContactAttribute.id).where(
            ContactAttribute.key == data.key, ContactAttribute.id != (attribute_id or -1)
        )
    )
    if taken is not None:
        raise Conflict(f"key: a contact attribute '{data.key}' exists")
    options = list(dict.fromkeys(o.strip() for o in data.options if o.strip()))
    if data.type == AttributeType.CHOICE and not options:
        raise Unprocessable("options: a choice attribute needs at least one option")
    if attribute_id is not None and row.type != data.type.value:
        raise Unprocessable("type: the type of an attribute with values cannot change")
    row.key, row.label, row.type = data.key, data.label.strip(), data.type.value
    row.options = options if data.type == AttributeType.CHOICE else []
    row.position = data.position
    session.add(row)
    await session.flush()
    return row


async def delete_attribute(session: AsyncSession, attribute_id: int) -> None:
    row = await session.get(ContactAttribute, attribute_id)
    if row is None:
        raise NotFound(f"Contact attribute {attribute_id} not found")
    await session.execute(
        delete(ContactAttributeValue).where(ContactAttributeValue.attribute_id == attribute_id)
    )
    await session.delete(row)
    await session.flush()
