from __future__ import annotations

import phonenumbers
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.contacts.models import Contact
from helpline.errors import Unprocessable


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


async def upsert_contacts(
    session: AsyncSession, names: dict[str, str | None]
) -> dict[str, Contact]:
    """The contacts for these E.164 phones (phone -> name as the customer's app sent it),
    created when new; a newly known name is kept. Two statements for any number of phones.

    A phone created concurrently by another transaction surfaces as an IntegrityError at the
    caller's flush; the caller retries its transaction."""
    found = {
        c.phone: c for c in await session.scalars(select(Contact).where(Contact.phone.in_(names)))
    }
    for phone, name in names.items():
        contact = found.get(phone)
        if contact is None:
            found[phone] = contact = Contact(phone=phone, name=name)
            session.add(contact)
        elif name and contact.name != name:
            contact.name = name
    await session.flush()
    return found
