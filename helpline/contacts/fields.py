"""Checking what people write on a contact: phones in local or international form, custom
attribute values by their type. No database here."""

from __future__ import annotations

import re
from datetime import date

import phonenumbers

from helpline.contacts.models import ATTRIBUTE_VALUE_LENGTH, AttributeType, ContactAttribute
from helpline.errors import Unprocessable

_PHONE_CHARS = re.compile(r"^[\d\s+().\-/]+$")
EXAMPLE = "+5491155550001"


def parse_phone(raw: str, region: str, field: str = "phone") -> str:
    """E.164 for a phone as a person writes it: international (+54 9 11 5555-0001, or
    digits with the country code), or local to `region` (011 15-5555-0001 in AR)."""
    text = raw.strip()
    number = None
    if text and _PHONE_CHARS.match(text):
        candidates: list[tuple[str, str | None]] = [(text, None)] if text.startswith("+") else []
        if not text.startswith("+"):
            if region:
                candidates.append((text, region))
            candidates.append(("+" + text, None))
        for candidate, where in candidates:
            try:
                parsed = phonenumbers.parse(candidate, where)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_possible_number(parsed):
                number = parsed
                break
    if number is None:
        local = f", or a local number of {region}" if region else ""
        raise Unprocessable(
            f"{field}: '{raw[:40]}' is not a phone number; expected international format "
            f"such as {EXAMPLE}{local}"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_search_terms(q: str, region: str) -> tuple[str, str | None] | None:
    """For a search that looks like a phone: its digits (a part of a stored number) and
    its E.164 form when it parses (a whole number typed locally)."""
    if not _PHONE_CHARS.match(q):
        return None
    digits = re.sub(r"\D", "", q)
    if len(digits) < 4:
        return None
    try:
        full: str | None = parse_phone(q, region)
    except Unprocessable:
        full = None
    return digits, full


def attribute_value(attr: ContactAttribute, value: object) -> str:
    """The stored text of `value` for this attribute, or 422 naming it and its type."""
    wrong = Unprocessable(
        f"attributes.{attr.key}: expected {_expected(attr)}, got {str(value)[:40]!r}"
    )
    if isinstance(value, bool):
        raise wrong
    kind = attr.type
    if kind == AttributeType.NUMBER:
        return _number(value, wrong)
    if not isinstance(value, str):
        if kind == AttributeType.TEXT and isinstance(value, int | float):
            return str(value)
        raise wrong
    text = value.strip()
    if kind == AttributeType.DATE:
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise wrong from None
    if kind == AttributeType.CHOICE and text not in attr.options:
        raise wrong
    if len(text) > ATTRIBUTE_VALUE_LENGTH:
        raise Unprocessable(f"attributes.{attr.key}: at most {ATTRIBUTE_VALUE_LENGTH} characters")
    return text


def wire_value(attr_type: str, stored: str) -> str | int | float:
    """A stored value as the API gives it: numbers as numbers, the rest as text."""
    if attr_type == AttributeType.NUMBER:
        number = float(stored)
        return int(number) if number.is_integer() else number
    return stored


def _number(value: object, wrong: Unprocessable) -> str:
    try:
        number = float(value.strip().replace(",", ".")) if isinstance(value, str) else value
    except ValueError:
        raise wrong from None
    if not isinstance(number, int | float) or number != number or abs(number) == float("inf"):
        raise wrong
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def _expected(attr: ContactAttribute) -> str:
    if attr.type == AttributeType.CHOICE:
        return "one of " + ", ".join(attr.options)
    return {
        AttributeType.NUMBER: "a number",
        AttributeType.DATE: "a date as YYYY-MM-DD",
    }.get(AttributeType(attr.type), "text")
