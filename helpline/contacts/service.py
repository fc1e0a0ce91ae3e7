from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.contacts.models import EXTERNAL_ID_LENGTH, Contact
from helpline.errors import Unprocessable

# How one inbound message names its customer: ("phone", E.164) or ("external", user id).
CustomerKey = tuple[str, str]


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
    for sighting in sightings:
        contact = _match(session, sighting, by_phone, by_id)
        if sighting.name and contact.name != sighting.name:
            contact.name = sighting.name
        _remember(contact, by_phone, by_id)
        found[sighting.key] = contact
    await session.flush()
    return found


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
