"""WhatsApp Cloud API webhook payloads, parsed leniently.

Meta adds fields all the time (`user_id`, `username`, group recipients...) and older payloads
lack the newer ones: every model ignores what it does not know and defaults what is missing.
Messages keep their raw dict beside the parsed model (it goes to `InboundMessage.raw`).

Where the meaning is clear the type is not: a timestamp or an id that arrives as a JSON
number is read as its string (Meta's own samples send interactive replies' `timestamp` as a
number). A sender WhatsApp identifies only by a business-scoped user id (a username, no
phone) has `from_user_id` and no `from`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from helpline.channels.providers.base import MEDIA_KINDS, MediaRef


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, coerce_numbers_to_str=True)


class Metadata(_Lenient):
    phone_number_id: str = ""
    display_phone_number: str | None = None


class Profile(_Lenient):
    name: str | None = None
    username: str | None = None


class Contact(_Lenient):
    wa_id: str | None = None
    user_id: str | None = None  # the business-scoped user id (BSUID)
    profile: Profile | None = None


class GraphError(_Lenient):
    code: int | None = None
    title: str | None = None
    message: str | None = None
    error_data: dict[str, Any] | None = None

    def describe(self) -> str:
        parts = [p for p in (self.title, self.message) if p]
        text = parts[0] if parts else "Error"
        if len(parts) == 2 and parts[1] != parts[0]:
            text = f"{parts[0]}: {parts[1]}"
        details = (self.error_data or {}).get("details")
        if isinstance(details, str) and details and details not in text:
            text = f"{text} ({details})"
        return f"{text} [{self.code}]" if self.code is not None else text


class Status(_Lenient):
    id: str
    status: str
    recipient_id: str | None = None
    errors: list[GraphError] = Field(default_factory=list)


class Text(_Lenient):
    body: str = ""


class Media(_Lenient):
    id: str | None = None
    url: str | None = None  # newer payloads: where to download it (with the access token)
    mime_type: str | None = None
    caption: str | None = None
    filename: str | None = None
    voice: bool = False
    animated: bool = False


class Location(_Lenient):
    latitude: float | None = None
    longitude: float | None = None
    name: str | None = None
    address: str | None = None


class Reaction(_Lenient):
    message_id: str | None = None
    emoji: str | None = None


class Button(_Lenient):
    payload: str | None = None
    text: str | None = None


class Reply(_Lenient):
    id: str | None = None
    title: str | None = None
    description: str | None = None


class FlowReply(_Lenient):
    body: str | None = None
    name: str | None = None
    response_json: str | None = None


class Interactive(_Lenient):
    type: str | None = None
    button_reply: Reply | None = None
    list_reply: Reply | None = None
    nfm_reply: FlowReply | None = None


class Order(_Lenient):
    catalog_id: str | None = None
    text: str | None = None
    product_items: list[dict[str, Any]] = Field(default_factory=list)


class Context(_Lenient):
    id: str | None = None
    forwarded: bool = False
    frequently_forwarded: bool = False


class Referral(_Lenient):
    headline: str | None = None
    source_url: str | None = None


class Unsupported(_Lenient):
    type: str | None = None


class SharedName(_Lenient):
    formatted_name: str | None = None
    first_name: str | None = None


class SharedPhone(_Lenient):
    phone: str | None = None
    wa_id: str | None = None


class SharedContact(_Lenient):
    name: SharedName | None = None
    phones: list[SharedPhone] = Field(default_factory=list)


class Edit(_Lenient):
    original_message_id: str | None = None
    message: dict[str, Any] = Field(default_factory=dict)


class Message(_Lenient):
    id: str
    # The sender's phone (wa_id); WhatsApp withholds it from a user with a username, who is
    # then known only by `from_user_id`.
    from_: str | None = Field(default=None, alias="from")
    from_user_id: str | None = None
    type: str = "unknown"
    timestamp: str | None = None
    context: Context | None = None
    referral: Referral | None = None
    errors: list[GraphError] = Field(default_factory=list)
    text: Text | None = None
    image: Media | None = None
    audio: Media | None = None
    video: Media | None = None
    document: Media | None = None
    sticker: Media | None = None
    location: Location | None = None
    contacts: list[SharedContact] = Field(default_factory=list)
    interactive: Interactive | None = None
    button: Button | None = None
    reaction: Reaction | None = None
    order: Order | None = None
    unsupported: Unsupported | None = None
    edit: Edit | None = None

    @property
    def sent_at(self) -> datetime | None:
        try:
            return datetime.fromtimestamp(int(float(self.timestamp or "")), tz=UTC)
        except (ValueError, OverflowError, OSError):
            return None

    @property
    def sender(self) -> str:
        """The customer's id on WhatsApp: the phone when given, else the user id."""
        return self.from_ or self.from_user_id or ""


class Value(_Lenient):
    metadata: Metadata = Field(default_factory=Metadata)
    contacts: list[Contact] = Field(default_factory=list)
    messages: list[dict[str, Any]] = Field(default_factory=list)
    statuses: list[dict[str, Any]] = Field(default_factory=list)
    errors: list[GraphError] = Field(default_factory=list)

    def contact_name(self, msg: Message) -> str | None:
        named = [c for c in self.contacts if c.profile and c.profile.name]
        for contact in named:
            if (msg.from_ and contact.wa_id == msg.from_) or (
                msg.from_user_id and contact.user_id == msg.from_user_id
            ):
                return contact.profile.name if contact.profile else None
        # Older payloads and some message kinds do not repeat the wa_id.
        return named[0].profile.name if len(named) == 1 and named[0].profile else None

    def user_id(self, msg: Message) -> str | None:
        """The sender's business-scoped user id: on the message, or on its contact."""
        if msg.from_user_id:
            return msg.from_user_id
        for contact in self.contacts:
            if msg.from_ and contact.wa_id == msg.from_ and contact.user_id:
                return contact.user_id
        return None


class Change(_Lenient):
    field: str = ""
    value: dict[str, Any] = Field(default_factory=dict)


class Entry(_Lenient):
    id: str | None = None
    changes: list[Change] = Field(default_factory=list)


class Notification(_Lenient):
    object: str | None = None
    entry: list[Entry] = Field(default_factory=list)


def parse_notification(data: Any) -> Notification:
    """Raises ValidationError when the body is not a webhook notification at all."""
    return Notification.model_validate(data)


def parse_value(data: dict[str, Any]) -> Value | None:
    try:
        return Value.model_validate(data)
    except ValidationError:
        return None


def parse_message(data: dict[str, Any]) -> Message | None:
    try:
        return Message.model_validate(data)
    except ValidationError:
        return None


def parse_status(data: dict[str, Any]) -> Status | None:
    try:
        return Status.model_validate(data)
    except ValidationError:
        return None


# --- what the console shows for each kind of message -----------------------------------


def _media_text(label: str, media: Media | None) -> str:
    parts = [f"[{label}]"]
    if media is not None:
        if media.filename:
            parts.append(media.filename)
        if media.caption:
            parts.append(media.caption)
    return " ".join(parts)


def _number(value: float | None) -> str:
    return "?" if value is None else str(value)


def _contacts_text(contacts: list[SharedContact]) -> str:
    shared = []
    for contact in contacts:
        name = contact.name.formatted_name or contact.name.first_name if contact.name else None
        phones = [p.phone or p.wa_id for p in contact.phones if p.phone or p.wa_id]
        shared.append(" ".join(str(p) for p in [name, *phones] if p))
    return "[contacts] " + ", ".join(s for s in shared if s) if shared else "[contacts]"


def _errors_text(errors: list[GraphError]) -> str:
    return "; ".join(e.describe() for e in errors)


def readable(msg: Message, value_errors: list[GraphError] | None = None) -> tuple[str, str | None]:
    """(text, reply_id): what the console shows for the message, and the id of the option a
    button or list tap chose."""
    text, reply_id = _content(msg, value_errors or [])
    if msg.referral is not None and (msg.referral.headline or msg.referral.source_url):
        text = f"{text}\n[from ad: {msg.referral.headline or msg.referral.source_url}]"
    if msg.context is not None and (msg.context.forwarded or msg.context.frequently_forwarded):
        text = f"[forwarded] {text}"
    return text, reply_id


def _content(msg: Message, value_errors: list[GraphError]) -> tuple[str, str | None]:
    kind = msg.type
    if kind == "text":
        return (msg.text.body if msg.text else ""), None
    if kind == "audio":
        return _media_text("voice" if msg.audio and msg.audio.voice else "audio", msg.audio), None
    if kind in ("image", "video", "document", "sticker"):
        media: Media | None = getattr(msg, kind)
        return _media_text(kind, media), None
    if kind == "location" and msg.location is not None:
        loc = msg.location
        place = " ".join(p for p in (loc.name, loc.address) if p)
        coords = f"📍 {_number(loc.latitude)},{_number(loc.longitude)}"
        return (f"{coords} {place}" if place else coords), None
    if kind == "contacts":
        return _contacts_text(msg.contacts), None
    if kind == "interactive" and msg.interactive is not None:
        choice = msg.interactive.button_reply or msg.interactive.list_reply
        if choice is not None:
            return (choice.title or choice.id or ""), choice.id
        if msg.interactive.nfm_reply is not None:
            return f"[form] {msg.interactive.nfm_reply.body or 'sent'}", None
    if kind == "button" and msg.button is not None:
        return (msg.button.text or msg.button.payload or ""), msg.button.payload
    if kind == "reaction" and msg.reaction is not None:
        target = msg.reaction.message_id or "?"
        if msg.reaction.emoji:
            return f"reaction {msg.reaction.emoji} to {target}", None
        return f"reaction removed from {target}", None
    if kind == "order" and msg.order is not None:
        count = len(msg.order.product_items)
        text = f"[order] {count} item{'s' if count != 1 else ''}"
        return (f"{text}: {msg.order.text}" if msg.order.text else text), None
    if kind == "edit" and msg.edit is not None:
        inner = parse_message({"id": msg.id, **msg.edit.message})
        inner_text = _content(inner, [])[0] if inner is not None else ""
        return f"[edited] {inner_text}".rstrip(), None
    errors = msg.errors or value_errors
    label = "[unsupported]"
    if kind == "unsupported" and msg.unsupported and msg.unsupported.type:
        label = f"[unsupported: {msg.unsupported.type}]"
    elif kind not in ("unsupported", "unknown"):
        label = f"[{kind}]"
    return (f"{label} {_errors_text(errors)}" if errors else label), None


# --- what the desk keeps beside the text -------------------------------------------------

UNSUPPORTED = "unsupported"


def kind(msg: Message) -> str:
    """The type the desk stores: the message's own when the desk can show it, else
    `unsupported` (Meta's own unsupported messages, kinds newer than this parser, an
    interactive message without a reply the desk knows). Its raw body is kept with it."""
    t = msg.type
    known = {
        "text": msg.text,
        "location": msg.location,
        "contacts": msg.contacts or None,
        "button": msg.button,
        "reaction": msg.reaction,
        "order": msg.order,
        "edit": msg.edit,
    }
    if t in MEDIA_KINDS:
        return t if getattr(msg, t) is not None else UNSUPPORTED
    if t == "interactive" and msg.interactive is not None:
        choice = msg.interactive
        replied = choice.button_reply or choice.list_reply or choice.nfm_reply
        return t if replied is not None else UNSUPPORTED
    return t if known.get(t) is not None else UNSUPPORTED


def media_ref(msg: Message) -> MediaRef | None:
    """The file of an image, audio (voice), video, document or sticker message: named by
    its media id, downloaded later through the Graph API."""
    if msg.type not in MEDIA_KINDS:
        return None
    media: Media | None = getattr(msg, msg.type)
    if media is None:
        return None
    return MediaRef(
        kind=msg.type,
        mime_type=media.mime_type,
        filename=media.filename,
        caption=media.caption,
        voice=media.voice,
        media_id=media.id,
        url=media.url,
    )


def structured(msg: Message) -> dict[str, Any] | None:
    """A location, shared contacts or a reaction (`InboundMessage.payload`); for a message
    the desk cannot show, the type WhatsApp gave it."""
    if kind(msg) == UNSUPPORTED:
        original = msg.unsupported.type if msg.unsupported and msg.unsupported.type else msg.type
        return {UNSUPPORTED: {"type": original}}
    if msg.type == "location" and msg.location is not None:
        return {"location": msg.location.model_dump()}
    if msg.type == "contacts" and msg.contacts:
        return {"contacts": [_contact(c) for c in msg.contacts]}
    if msg.type == "reaction" and msg.reaction is not None and msg.reaction.message_id:
        # No emoji (or an empty one) takes the reaction back.
        return {
            "reaction": {"emoji": msg.reaction.emoji or "", "messageId": msg.reaction.message_id}
        }
    return None


def _contact(contact: SharedContact) -> dict[str, Any]:
    name = contact.name.formatted_name or contact.name.first_name if contact.name else None
    phones = [p.phone or p.wa_id for p in contact.phones if p.phone or p.wa_id]
    return {"name": name or (phones[0] if phones else ""), "phones": phones}


def quoted_id(msg: Message) -> str | None:
    """The wamid of the message this one replies to (a forward has no id)."""
    return msg.context.id if msg.context is not None and msg.context.id else None
