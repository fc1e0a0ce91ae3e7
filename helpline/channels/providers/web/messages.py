"""WhatsApp Web (neonize) messages <-> Helpline events: pure functions, no I/O.

Inbound: a neonize `Message` event (whatsmeow's `events.Message` as protobuf) becomes an
`InboundMessage`; a `Receipt` event becomes `StatusUpdate`s. Outbound: the protobuf
`Message` to send for an `OutboundText`, once its media (if any) is uploaded.

neonize is an optional extra: its protobuf classes are imported inside the functions that
build protobufs; the functions that only read them take `Any`.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from helpline.channels.providers.base import InboundMessage, MediaRef, StatusUpdate

USER_SERVERS = ("s.whatsapp.net", "c.us")
LID_SERVER = "lid"
# Fields that ride along with real content and say nothing by themselves.
_CARRIER_FIELDS = frozenset(
    {
        "messageContextInfo",
        "senderKeyDistributionMessage",
        "fastRatchetKeySenderKeyDistributionMessage",
    }
)
# Wrappers whatsmeow usually unwraps already (`Message.Message`); unwrapped again to be sure.
_WRAPPERS = (
    "ephemeralMessage",
    "viewOnceMessage",
    "viewOnceMessageV2",
    "viewOnceMessageV2Extension",
    "documentWithCaptionMessage",
    "editedMessage",
)
# neonize field -> our media kind
MEDIA_FIELDS = {
    "imageMessage": "image",
    "videoMessage": "video",
    "ptvMessage": "video",  # a round video note
    "audioMessage": "audio",
    "documentMessage": "document",
    "stickerMessage": "sticker",
}
# Media to download later is named by a token: "whatsapp-web:" and the base64 of a slim
# protobuf (300-600 characters, longer than a media id column: it travels as `MediaRef.url`).
MEDIA_TOKEN_PREFIX = "whatsapp-web:"
# Parts of a media message not needed to download it again (and large).
_NOT_FOR_DOWNLOAD = (
    "URL",
    "caption",
    "contextInfo",
    "JPEGThumbnail",
    "streamingSidecar",
    "waveform",
    "scansSidecar",
    "firstFrameSidecar",
    "pngThumbnail",
    "interactiveAnnotations",
    "annotations",
)
# Receipt.ReceiptType name -> our status. SENDER, *_SELF, RETRY, INACTIVE, PEER_MSG and
# HISTORY_SYNC concern our own devices or the protocol, not the customer's phone.
RECEIPT_STATUS = {
    "DELIVERED": "delivered",
    "READ": "read",
    "PLAYED": "read",  # a voice note or video played: it was read
    "SERVER_ERROR": "failed",
}
# Outbound media kind -> (neonize MediaType name, Message field).
OUTBOUND_MEDIA = {
    "image": ("MediaImage", "imageMessage"),
    "sticker": ("MediaImage", "stickerMessage"),
    "video": ("MediaVideo", "videoMessage"),
    "audio": ("MediaAudio", "audioMessage"),
    "document": ("MediaDocument", "documentMessage"),
}


# --- addresses ----------------------------------------------------------------------


def jid_string(jid: Any) -> str:
    """ "user@server" without the device part (how WhatsApp names a chat)."""
    return f"{jid.User}@{jid.Server}" if jid.User else str(jid.Server or "")


def phone_of(*jids: Any) -> str | None:
    """The E.164-ish phone ("+" and digits) of the first phone-number JID given; LIDs
    (WhatsApp's hidden ids) are not phones."""
    for jid in jids:
        if jid is not None and jid.Server in USER_SERVERS and jid.User.isdigit():
            return f"+{jid.User}"
    return None


def sender_phone(source: Any) -> str | None:
    """The customer's phone in a 1:1 chat: the sender, or its phone alias when WhatsApp
    addressed it by LID, or the chat itself."""
    return phone_of(source.Sender, source.SenderAlt, source.Chat)


def sender_lid(source: Any) -> str | None:
    """The customer's LID ("...@lid") when WhatsApp names them only by it (a user whose
    number it hides): the contact is then known by it."""
    for jid in (source.Sender, source.Chat):
        if jid is not None and jid.Server == LID_SERVER and jid.User:
            return f"{jid.User}@{LID_SERVER}"
    return None


def ignore_reason(source: Any) -> str | None:
    """Why a message is not a customer writing to us, or None when it is."""
    if source.IsFromMe:
        return "sent by this account"
    server = source.Chat.Server
    if source.IsGroup or server == "g.us":
        return "group chat"
    if server == "broadcast":
        return "status update" if source.Chat.User == "status" else "broadcast list"
    if server == "newsletter":
        return "channel (newsletter)"
    return None


def timestamp_of(value: int) -> datetime | None:
    """neonize sends seconds or, in newer builds, milliseconds since the epoch."""
    if value <= 0:
        return None
    seconds = value / 1000 if value > 100_000_000_000 else value
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


# --- inbound ------------------------------------------------------------------------


@dataclass(frozen=True)
class Content:
    """What one WhatsApp message says, in Helpline's terms."""

    type: str
    text: str
    payload: dict[str, Any] | None = None
    quoted_id: str | None = None
    media: MediaRef | None = None  # without its bytes: the caller downloads them


def unwrap(message: Any) -> Any:
    """The message inside ephemeral / view-once / document-with-caption / edit wrappers."""
    for _ in range(4):  # wrappers nest at most a few deep
        for name in _WRAPPERS:
            if message.HasField(name):
                message = getattr(message, name).message
                break
        else:
            return message
    return message


def message_field(message: Any) -> str | None:
    """The name of the field that carries the content (`conversation`, `imageMessage`...)."""
    for descriptor, _value in message.ListFields():
        if descriptor.name not in _CARRIER_FIELDS:
            return str(descriptor.name)
    return None


def read_content(message: Any) -> Content | None:
    """Content of an (unwrapped) E2E message; None for protocol-only messages (deletes,
    key exchanges, settings) that carry nothing to show."""
    field = message_field(message)
    if field is None:
        return None
    part = getattr(message, field)
    quoted = _quoted_id(part)
    if field == "conversation":
        return Content("text", str(part))
    if field == "extendedTextMessage":
        return Content("text", part.text, quoted_id=quoted)
    if field in MEDIA_FIELDS:
        media = media_ref(field, part)
        return Content(media.kind, media_text(media), quoted_id=quoted, media=media)
    if field in ("locationMessage", "liveLocationMessage"):
        return _location(part, quoted, live=field == "liveLocationMessage")
    if field == "contactMessage":
        return _contacts([part], quoted)
    if field == "contactsArrayMessage":
        return _contacts(list(part.contacts), quoted)
    if field == "reactionMessage":
        return reaction_content(part.key.ID, part.text)
    if field == "protocolMessage":
        return _protocol(part)
    return Content("unsupported", f"[unsupported: {field}]", quoted_id=quoted)


def _quoted_id(part: Any) -> str | None:
    return (part.contextInfo.stanzaID or None) if _has(part, "contextInfo") else None


def _has(part: Any, name: str) -> bool:
    """Whether a protobuf part has this field set (False for plain `conversation` text and
    for message types without such a field)."""
    try:
        return bool(part.HasField(name))
    except (AttributeError, ValueError):
        return False


def media_ref(field: str, part: Any) -> MediaRef:
    kind = MEDIA_FIELDS[field]
    filename = (part.fileName or part.title or None) if kind == "document" else None
    caption = getattr(part, "caption", "") or None
    slim = downloadable(field, part, slim=True)
    return MediaRef(
        kind=kind,
        mime_type=part.mimetype or None,
        filename=filename,
        caption=caption,
        voice=kind == "audio" and bool(part.PTT),
        url=MEDIA_TOKEN_PREFIX + base64.urlsafe_b64encode(slim.SerializeToString()).decode(),
    )


def downloadable(field: str, part: Any, *, slim: bool = False) -> Any:
    """A `Message` holding just this media, as neonize's `download_any` takes it (a video
    note goes as a video). `slim` drops what a later download does not need (caption,
    thumbnails, URL: the direct path and keys suffice), to keep it as a short token."""
    from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message

    target_field = "videoMessage" if field == "ptvMessage" else field
    message = Message()
    target = getattr(message, target_field)
    target.CopyFrom(part)
    if slim:
        for name in _NOT_FOR_DOWNLOAD:
            if _has(target, name):
                target.ClearField(name)
    return message


def decode_media_token(token: str) -> Any:
    """The `Message` a token made by `media_ref` (its `url`) names, for `download_any`;
    ValueError when it is not one."""
    from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message

    if not token.startswith(MEDIA_TOKEN_PREFIX):
        raise ValueError("not a WhatsApp Web media token")
    try:
        raw = base64.urlsafe_b64decode(token[len(MEDIA_TOKEN_PREFIX) :])
        return Message.FromString(raw)
    except Exception as exc:  # bad base64, or protobuf's DecodeError
        raise ValueError(f"unreadable WhatsApp Web media token: {exc}") from None


def media_text(media: MediaRef) -> str:
    """What the console lists for a media message (the Cloud API parser's wording)."""
    label = "voice" if media.voice else media.kind
    return " ".join(p for p in (f"[{label}]", media.filename, media.caption) if p)


def _location(part: Any, quoted: str | None, live: bool) -> Content:
    lat, lng = part.degreesLatitude, part.degreesLongitude
    name = (getattr(part, "name", "") or getattr(part, "caption", "")) or None
    address = getattr(part, "address", "") or None
    place = " ".join(p for p in (name, address) if p)
    coords = f"📍 {lat},{lng}"
    text = f"{coords} {place}" if place else coords
    if live:
        text = f"{text} (live)"
    payload = {"location": {"latitude": lat, "longitude": lng, "name": name, "address": address}}
    return Content("location", text, payload=payload, quoted_id=quoted)


def _contacts(cards: list[Any], quoted: str | None) -> Content:
    contacts: list[dict[str, Any]] = []
    for card in cards:
        name, phones = parse_vcard(card.vcard)
        contacts.append({"name": name or card.displayName or None, "phones": phones})
    shared = [" ".join(p for p in [c["name"], *c["phones"]] if p) for c in contacts]
    text = "[contacts] " + ", ".join(s for s in shared if s) if any(shared) else "[contacts]"
    return Content("contacts", text, payload={"contacts": contacts}, quoted_id=quoted)


_VCARD_LINE = re.compile(r"^(?:item\d+\.)?(FN|TEL)([;:].*)$", re.IGNORECASE)


def parse_vcard(vcard: str) -> tuple[str | None, list[str]]:
    """(full name, phones) of a vCard. A phone is the WhatsApp id when the card has one
    (`waid=5491155550001`, always digits), else the number as written."""
    name: str | None = None
    phones: list[str] = []
    for line in vcard.replace("\r\n", "\n").split("\n"):
        match = _VCARD_LINE.match(line.strip())
        if not match:
            continue
        params, _, value = match.group(2).lstrip(";").partition(":")
        if match.group(1).upper() == "FN":
            name = value.strip() or name
            continue
        waid = re.search(r"waid=(\d+)", params, re.IGNORECASE)
        phone = "+" + waid.group(1) if waid else value.strip()
        if phone and phone not in phones:
            phones.append(phone)
    return name, phones


def reaction_content(target_id: str, emoji: str) -> Content:
    text = f"reaction {emoji} to {target_id}" if emoji else f"reaction removed from {target_id}"
    payload = {"reaction": {"emoji": emoji, "messageId": target_id}}
    return Content("reaction", text, payload=payload)


def _protocol(part: Any) -> Content | None:
    # An edit arrives as a protocol message holding the new content.
    if _has(part, "editedMessage"):
        inner = read_content(unwrap(part.editedMessage))
        inner_text = inner.text if inner is not None else ""
        return Content(
            "edit", f"[edited] {inner_text}".rstrip(), payload={"edit": {"messageId": part.key.ID}}
        )
    return None  # revokes, ephemeral settings, history sync, key shares...


def to_inbound(event: Any, phone: str, lid: str | None = None) -> InboundMessage | None:
    """The InboundMessage for a neonize `Message` event from `phone` (already resolved:
    see `sender_phone`; "" for a customer known only by their `lid`); None when it carries
    nothing to show. Media comes without its bytes: the caller downloads them and fills
    `media.data`."""
    content = read_content(unwrap(event.Message))
    if content is None:
        return None
    info = event.Info
    return InboundMessage(
        provider_message_id=info.ID,
        from_phone=phone,
        from_user_id=lid,
        text=content.text,
        contact_name=info.Pushname or None,
        type=content.type,
        timestamp=timestamp_of(info.Timestamp),
        raw=raw_summary(event),
        media=content.media,
        payload=content.payload,
        quoted_id=content.quoted_id,
    )


def raw_summary(event: Any) -> dict[str, Any]:
    """What we keep of the event as `raw`: addressing and kind, not the (large) protobuf."""
    info, source = event.Info, event.Info.MessageSource
    return {
        "id": info.ID,
        "chat": jid_string(source.Chat),
        "sender": jid_string(source.Sender),
        "senderAlt": jid_string(source.SenderAlt) if source.SenderAlt.User else None,
        "pushname": info.Pushname or None,
        "type": info.Type or None,
        "mediaType": info.MediaType or None,
        "field": message_field(unwrap(event.Message)),
        "timestamp": info.Timestamp,
        "edit": info.Edit or None,
    }


def dead_letter_body(event: Any) -> str:
    """A message event the desk could not store, kept whole: its protobuf (base64) beside
    what can be read of it, so that an admin sees what it was and a later version re-reads
    it (`event_from_dead_letter`)."""
    data: dict[str, Any] = {
        "event": "message",
        "protobuf": base64.b64encode(event.SerializeToString()).decode(),
    }
    try:
        data["summary"] = raw_summary(event)
    except Exception as exc:  # what could not be read is what the letter is about
        data["summary"] = {"error": f"{type(exc).__name__}: {exc}"}
    return json.dumps(data, ensure_ascii=False)


def event_from_dead_letter(body: str) -> Any:
    """The neonize `Message` event kept by `dead_letter_body`. Raises ImportError without
    neonize, ValueError (or protobuf's DecodeError) for a body that is not one."""
    from neonize.aioze import events as ev

    data = json.loads(body)
    if not isinstance(data, dict) or data.get("event") != "message":
        raise ValueError("not a WhatsApp Web message event")
    event = ev.MessageEv.FromString(base64.b64decode(str(data.get("protobuf")), validate=True))
    if not event.Info.ID:
        raise ValueError("the kept event has no message id")
    return event


def enum_name(message: Any, field: str) -> str:
    """The name of an enum field's value ("LOGGED_OUT"), or its number when unknown."""
    value = getattr(message, field)
    known = message.DESCRIPTOR.fields_by_name[field].enum_type.values_by_number.get(value)
    return str(known.name) if known is not None else str(value)


def receipt_updates(event: Any) -> list[StatusUpdate]:
    """Delivery reports in a neonize `Receipt` event (several ids may share one)."""
    if event.MessageSource.IsGroup:
        return []
    status = RECEIPT_STATUS.get(enum_name(event, "Type"))
    if status is None:
        return []
    error = "WhatsApp reported a server error for this message" if status == "failed" else None
    return [StatusUpdate(message_id, status, error) for message_id in event.MessageIDs]


# --- outbound -----------------------------------------------------------------------


def quote_context(quoted_id: str, participant: str, quoted_message: Any) -> Any:
    """The ContextInfo that makes a message a reply to `quoted_id`, written by
    `participant` ("user@s.whatsapp.net"); the quoted content is what the phone shows."""
    from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import ContextInfo, Message

    quoted = Message()
    quoted.CopyFrom(quoted_message)
    field = message_field(quoted)
    if field is not None and _has(getattr(quoted, field), "contextInfo"):
        getattr(quoted, field).ClearField("contextInfo")  # no quotes inside quotes
    return ContextInfo(stanzaID=quoted_id, participant=participant, quotedMessage=quoted)


def text_message(body: str, context: Any | None = None) -> Any:
    from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import ExtendedTextMessage, Message

    if context is None:
        return Message(conversation=body)
    return Message(extendedTextMessage=ExtendedTextMessage(text=body, contextInfo=context))


def media_message(
    kind: str,
    upload: Any,
    *,
    mime_type: str,
    filename: str,
    caption: str,
    context: Any | None = None,
    thumbnail: bytes | None = None,
) -> Any:
    """The message for uploaded media (`upload`: neonize's UploadResponse). Built here
    rather than with neonize's `build_*_message` helpers: those need ffmpeg for audio and
    video and sniff the type again; ours was already checked by content."""
    from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message

    _media_type, field = OUTBOUND_MEDIA[kind]
    message = Message()
    part = getattr(message, field)
    part.URL = upload.url
    part.directPath = upload.DirectPath
    part.mediaKey = upload.MediaKey
    part.fileEncSHA256 = upload.FileEncSHA256
    part.fileSHA256 = upload.FileSHA256
    part.fileLength = upload.FileLength
    part.mimetype = mime_type
    if kind in ("image", "video", "document") and caption:
        part.caption = caption
    if kind == "document":
        part.fileName = filename
        part.title = filename
    if kind == "image" and thumbnail:
        part.JPEGThumbnail = thumbnail
    if context is not None:
        part.contextInfo.CopyFrom(context)
    return message


def outbound_kind(kind: str, mime_type: str) -> str:
    """WhatsApp only takes WebP stickers; any other sticker goes as an image."""
    if kind == "sticker" and mime_type != "image/webp":
        return "image"
    return kind
