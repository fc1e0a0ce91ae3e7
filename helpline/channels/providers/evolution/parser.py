"""What an Evolution API webhook says, read into a `Reading` (see bridge/events.py)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from helpline.channels.providers.base import InboundMessage, MediaRef, StatusUpdate
from helpline.channels.providers.bridge.client import decode_base64, digits, qr_text
from helpline.channels.providers.bridge.events import (
    TYPE_MAX,
    Content,
    NotAnEvent,
    Reading,
    SessionChange,
    _errors,
    _Lenient,
    _strings,
    contacts_text,
    epoch,
    is_person,
    location_text,
    media_text,
    parse_vcard,
    reaction_text,
    sender,
)

# --- Evolution API -----------------------------------------------------------------------

EVO_MEDIA = {
    "imageMessage": "image",
    "videoMessage": "video",
    "ptvMessage": "video",
    "audioMessage": "audio",
    "documentMessage": "document",
    "stickerMessage": "sticker",
}
# Wrappers around the real content.
EVO_WRAPPERS = (
    "ephemeralMessage",
    "viewOnceMessage",
    "viewOnceMessageV2",
    "viewOnceMessageV2Extension",
    "documentWithCaptionMessage",
)
# Keys beside the content that are not content.
EVO_META = frozenset({"messageContextInfo", "base64", "mediaUrl"})
# Content that is no customer's words.
EVO_IGNORED = frozenset({"protocolMessage", "senderKeyDistributionMessage", "pollUpdateMessage"})
# messages.update statuses (Baileys' WAMessageStatus, by name or number).
EVO_STATUS_CODES = {
    0: "ERROR",
    1: "PENDING",
    2: "SERVER_ACK",
    3: "DELIVERY_ACK",
    4: "READ",
    5: "PLAYED",
}
EVO_STATUS = {
    "SERVER_ACK": "sent",
    "DELIVERY_ACK": "delivered",
    "READ": "read",
    "PLAYED": "read",
    "ERROR": "failed",
}


class EvoKey(_Lenient):
    id: str | None = None
    remote_jid: str = ""
    from_me: bool = False
    participant: str | None = None
    # Newer builds address people by LID and put the phone JID here.
    remote_jid_alt: str | None = None
    sender_pn: str | None = None

    @property
    def phone_jid(self) -> str:
        if self.remote_jid.endswith("@lid"):
            return self.remote_jid_alt or self.sender_pn or self.remote_jid
        return self.remote_jid


class EvoMessage(_Lenient):
    key: EvoKey | None = None
    push_name: str | None = None
    message: dict[str, Any] | None = None
    message_type: str | None = None
    message_timestamp: Any = None
    context_info: dict[str, Any] | None = None


class EvoMedia(_Lenient):
    mimetype: str | None = None
    caption: str | None = None
    file_name: str | None = None
    title: str | None = None
    ptt: bool = False


class EvoLocation(_Lenient):
    degrees_latitude: float | None = None
    degrees_longitude: float | None = None
    name: str | None = None
    address: str | None = None


class EvoContact(_Lenient):
    display_name: str | None = None
    vcard: str | None = None


class EvoUpdate(_Lenient):
    key_id: str | None = None
    key: EvoKey | None = None
    id: Any = None
    remote_jid: str | None = None
    from_me: bool | None = None
    status: str | int | None = None


class EvoConnection(_Lenient):
    state: str | None = None
    status_reason: int | str | None = None
    wuid: str | None = None
    profile_name: str | None = None


def read_evolution(data: Any, instance: str) -> Reading:
    if not isinstance(data, dict):
        raise NotAnEvent("An Evolution API webhook body is a JSON object")
    reading = Reading()
    # v2 names events "messages.upsert"; per-event webhooks and v1 may say MESSAGES_UPSERT.
    event = str(data.get("event") or "").strip().lower().replace("_", ".")
    sent_for = data.get("instance")
    if isinstance(sent_for, str) and instance and sent_for != instance:
        reading.ignored.append(f"{event or 'event'} for instance {sent_for!r}, not {instance!r}")
        return reading
    body = data.get("data")
    items = [i for i in (body if isinstance(body, list) else [body]) if isinstance(i, dict)]
    if event == "messages.upsert":
        for item in items:
            _evo_message(item, reading)
    elif event == "messages.update":
        for item in items:
            _evo_update(item, reading)
    elif event == "connection.update" and items:
        _evo_connection(items[0], reading)
    elif event == "qrcode.updated" and items:
        _evo_qr(items[0], reading)
    else:
        reading.ignored.append(f"{event or 'unnamed'} event")
    return reading


def _evo_message(item: dict[str, Any], reading: Reading) -> None:
    try:
        msg = EvoMessage.model_validate(item)
    except ValidationError as exc:
        reading.unreadable.append(f"unreadable message: {_errors(exc)}")
        return
    key = msg.key
    if key is None or not key.id:
        reading.unreadable.append("message without a key id")
        return
    if key.from_me:
        reading.ignored.append(f"message {key.id} sent from this number")
        return
    jid = key.phone_jid
    if not is_person(jid):
        reading.ignored.append(f"message {key.id} in {jid or 'an unknown chat'}")
        return
    content = msg.message or {}
    kind, inner = _evo_kind(content, msg.message_type)
    if kind in EVO_IGNORED or kind is None:
        reading.ignored.append(f"{kind or 'empty'} message {key.id}")
        return
    try:
        text, type_, reply_id, media, payload = _evo_content(kind, inner, content, key.id)
    except ValidationError as exc:
        reading.unreadable.append(f"unreadable {kind} {key.id}: {_errors(exc)}")
        return
    context = msg.context_info or _dict(inner.get("contextInfo"))
    if context.get("isForwarded"):
        text = f"[forwarded] {text}"
    quoted = context.get("stanzaId")
    raw = {**item, "message": {k: v for k, v in content.items() if k != "base64"}}
    phone, user_id = sender(jid)
    reading.messages.append(
        InboundMessage(
            provider_message_id=key.id,
            from_phone=phone,
            from_user_id=user_id,
            text=text,
            contact_name=_strings(msg.push_name),
            type=type_[:TYPE_MAX],
            timestamp=epoch(msg.message_timestamp),
            raw=raw,
            reply_id=reply_id,
            media=media,
            payload=payload,
            quoted_id=quoted if isinstance(quoted, str) and quoted else None,
        )
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _evo_kind(content: dict[str, Any], declared: str | None) -> tuple[str | None, dict[str, Any]]:
    """The content's kind ("conversation", "imageMessage"...) and its fields, unwrapped."""
    for _ in range(3):  # wrappers nest at most a couple of levels
        kind = declared if declared in content else None
        if kind is None:
            kind = next((k for k in content if k not in EVO_META), None)
        if kind in EVO_WRAPPERS:
            content = _dict(_dict(content[kind]).get("message"))
            declared = None
            continue
        return kind, _dict(content.get(kind)) if kind else {}
    return None, {}


def _evo_content(kind: str, inner: dict[str, Any], content: dict[str, Any], key_id: str) -> Content:
    """(text, type, reply id, media, payload)."""
    if kind == "conversation":
        return str(content.get("conversation") or ""), "text", None, None, None
    if kind == "extendedTextMessage":
        return str(inner.get("text") or ""), "text", None, None, None
    if kind in EVO_MEDIA:
        fields = EvoMedia.model_validate(inner)
        media_kind = EVO_MEDIA[kind]
        filename = fields.file_name or (fields.title if media_kind == "document" else None)
        url = content.get("mediaUrl")
        media = MediaRef(
            kind=media_kind,
            mime_type=fields.mimetype,
            filename=filename,
            caption=fields.caption,
            voice=fields.ptt,
            media_id=key_id,
            url=url if isinstance(url, str) and url else None,
            # Present when the webhook's base64 option is on; a truncated one is not used.
            data=decode_base64(content.get("base64")),
        )
        label = "voice" if fields.ptt else media_kind
        return media_text(label, filename, fields.caption), media_kind, None, media, None
    if kind in ("locationMessage", "liveLocationMessage"):
        loc = EvoLocation.model_validate(inner)
        location = {
            "latitude": loc.degrees_latitude,
            "longitude": loc.degrees_longitude,
            "name": loc.name,
            "address": loc.address,
        }
        return location_text(location), "location", None, None, {"location": location}
    if kind in ("contactMessage", "contactsArrayMessage"):
        cards = inner.get("contacts") if kind == "contactsArrayMessage" else [inner]
        parsed = [EvoContact.model_validate(c) for c in cards or [] if isinstance(c, dict)]
        contacts = [parse_vcard(c.vcard, c.display_name) for c in parsed]
        return contacts_text(contacts), "contacts", None, None, {"contacts": contacts}
    if kind == "reactionMessage":
        emoji = str(inner.get("text") or "")
        target = _dict(inner.get("key")).get("id")
        target = target if isinstance(target, str) else None
        payload = {"reaction": {"emoji": emoji, "messageId": target}}
        return reaction_text(emoji, target), "reaction", None, None, payload
    if kind in ("buttonsResponseMessage", "templateButtonReplyMessage"):
        reply = _strings(inner.get("selectedButtonId"), inner.get("selectedId"))
        title = _strings(inner.get("selectedDisplayText")) or reply or ""
        return title, "button", reply, None, None
    if kind == "listResponseMessage":
        reply = _strings(_dict(inner.get("singleSelectReply")).get("selectedRowId"))
        return _strings(inner.get("title")) or reply or "", "interactive", reply, None, None
    return f"[unsupported: {kind}]", "unsupported", None, None, None


def _evo_update(item: dict[str, Any], reading: Reading) -> None:
    try:
        update = EvoUpdate.model_validate(item)
    except ValidationError:
        reading.ignored.append("unreadable message update")
        return
    key = update.key or EvoKey()
    message_id = update.key_id or key.id or (update.id if isinstance(update.id, str) else None)
    from_me = update.from_me if update.from_me is not None else key.from_me
    status = update.status
    name = EVO_STATUS_CODES.get(status, "") if isinstance(status, int) else str(status or "")
    if not message_id:
        reading.ignored.append("message update without an id")
    elif not from_me:
        reading.ignored.append(f"{name or 'update'} of received message {message_id}")
    elif name.upper() not in EVO_STATUS:
        reading.ignored.append(f"{name or 'update'} of {message_id}")
    else:
        status_ = EVO_STATUS[name.upper()]
        error = "WhatsApp reported an error sending it" if status_ == "failed" else None
        reading.statuses.append(StatusUpdate(message_id, status_, error))


def _evo_connection(item: dict[str, Any], reading: Reading) -> None:
    try:
        conn = EvoConnection.model_validate(item)
    except ValidationError:
        reading.ignored.append("unreadable connection update")
        return
    state = (conn.state or "").lower()
    reason = str(conn.status_reason) if conn.status_reason is not None else ""
    if state == "open":
        phone = digits(conn.wuid) if conn.wuid else None
        name = _strings(conn.profile_name)
        reading.sessions.append(SessionChange(state="connected", phone=phone or None, name=name))
    elif state == "connecting":
        reading.sessions.append(SessionChange(state="connecting"))
    elif state == "close":
        reading.sessions.append(_evo_closed(reason))
    else:
        reading.ignored.append(f"connection state {conn.state!r}")


def _evo_closed(reason: str) -> SessionChange:
    """Baileys' DisconnectReason: 401 logged out, 403 forbidden (banned), 402/406 refused;
    others (408 timeout, 428 closed, 440 replaced, 500, 503, 515 restart) are reconnected
    by Evolution itself."""
    if reason == "401":
        return SessionChange(state="error", detail="Logged out from the phone (401)")
    if reason == "403":
        return SessionChange(state="error", detail="Forbidden by WhatsApp (403)")
    if reason in ("402", "406"):
        return SessionChange(state="error", detail=f"Refused by WhatsApp ({reason})")
    detail = f"Connection closed ({reason})" if reason else "Connection closed"
    return SessionChange(state="disconnected", detail=detail)


def _evo_qr(item: dict[str, Any], reading: Reading) -> None:
    qr = _dict(item.get("qrcode")) or item
    code = qr_text(qr.get("code"), qr.get("base64"))
    if code:
        reading.sessions.append(SessionChange(qr=code))
    else:
        reading.ignored.append("QR code update without a code")
