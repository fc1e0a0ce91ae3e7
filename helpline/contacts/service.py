from __future__ import annotations

import phonenumbers
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
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


async def upsert_contact(session: AsyncSession, phone: str, name: str | None) -> Contact:
    """The contact for this E.164 phone, created if new; a newly known name is kept."""
    contact = await session.scalar(select(Contact).where(Contact.phone == phone))
    if contact is None:
        try:
            async with session.begin_nested():
                contact = Contact(phone=phone, name=name)
                session.add(contact)
        except IntegrityError:  # another request created it a moment ago
            contact = await session.scalar(select(Contact).where(Contact.phone == phone))
            assert contact is not None
    if name and contact.name != name:
        contact.name = name
    return contact
