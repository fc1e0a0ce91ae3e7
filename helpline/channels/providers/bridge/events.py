"""What the WPPConnect Server and Evolution API webhooks say, parsed leniently: the shared
parts (the `Reading`, session changes, lenient models, wording); each bridge's own events
are read in `wppconnect/parser.py` and `evolution/parser.py`.

Each body is read into a `Reading`: the customers' messages (as `InboundMessage`), delivery
reports (as `StatusUpdate`), session changes (state, QR code, identity), and what was left
out and why (own messages, groups, events the desk does not use), which the caller logs.

WPPConnect posts WA-JS message objects with `event` and `session` prepended
(`Object.assign({event, session}, data)` in the server's `callWebHook`). Evolution posts
`{event, instance, data, ...}` where `data` carries a Baileys `WebMessageInfo`. Both add
fields over time: every model ignores what it does not know and defaults what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from helpline.channels.providers.base import InboundMessage, MediaRef, StatusUpdate
from helpline.channels.providers.webhook import SessionChange as SessionChange

TYPE_MAX = 16  # messages.type


class NotAnEvent(ValueError):
    """The body is not a webhook event at all (400)."""


@dataclass
class Reading:
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    sessions: list[SessionChange] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # why each item was left out on purpose
    # Customers' messages (or reactions) that could not be read: the body is kept as a
    # dead letter for an admin to re-process.
    unreadable: list[str] = field(default_factory=list)


class _Lenient(BaseModel):
    # A number where a string is expected (an id, a phone) is read as its string.
    model_config = ConfigDict(
        extra="ignore",
        populate_by_name=True,
        alias_generator=to_camel,
        coerce_numbers_to_str=True,
    )


# --- what the console shows (the same wording as the Cloud API parser) -----------------


def media_text(label: str, filename: str | None, caption: str | None) -> str:
    return " ".join([f"[{label}]", *(p for p in (filename, caption) if p)])


def location_text(location: dict[str, Any]) -> str:
    def number(value: Any) -> str:
        return "?" if value is None else str(value)

    coords = f"📍 {number(location.get('latitude'))},{number(location.get('longitude'))}"
    place = " ".join(p for p in (location.get("name"), location.get("address")) if p)
    return f"{coords} {place}" if place else coords


def contacts_text(contacts: list[dict[str, Any]]) -> str:
    shared = [" ".join(p for p in [c.get("name"), *c.get("phones", [])] if p) for c in contacts]
    return "[contacts] " + ", ".join(s for s in shared if s) if any(shared) else "[contacts]"


def reaction_text(emoji: str, target: str | None) -> str:
    if emoji:
        return f"reaction {emoji} to {target or '?'}"
    return f"reaction removed from {target or '?'}"


def parse_vcard(vcard: str | None, name: str | None = None) -> dict[str, Any]:
    """{name, phones} from a vCard: its FN and TEL lines ("item1.TEL;waid=55...:+55 ...")."""
    phones: list[str] = []
    for line in (vcard or "").splitlines():
        head, _, value = line.partition(":")
        tag = head.split(";", 1)[0].rsplit(".", 1)[-1].strip().upper()
        if tag == "FN" and not name and value.strip():
            name = value.strip()
        elif tag == "TEL" and value.strip():
            phones.append(value.strip())
    return {"name": name, "phones": phones}


def epoch(value: Any) -> datetime | None:
    """A Unix timestamp as sent: a number, a numeric string, or protobuf's {low, high}."""
    if isinstance(value, dict):
        value = value.get("low")
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def sender(jid: str) -> tuple[str, str | None]:
    """(from_phone, from_user_id) of a chat: a LID ("...@lid", WhatsApp's id for a user whose
    number it hides) is no phone; the customer is then known by it."""
    return ("", jid) if jid.endswith("@lid") else (jid, None)


def is_person(jid: str) -> bool:
    """A one-to-one chat: not a group, a broadcast list, a status or a channel."""
    return bool(jid) and not jid.endswith(("@g.us", "@broadcast", "@newsletter"))


def _errors(exc: ValidationError) -> str:
    """Where a model failed, briefly ("t: Input should be a valid integer")."""
    parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:3]]
    return "; ".join(parts)[:300]


def _strings(*values: Any) -> str | None:
    for value in values:
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


# (text, type, reply id, media, payload) of one message.
Content = tuple[str, str, str | None, MediaRef | None, dict[str, Any] | None]
