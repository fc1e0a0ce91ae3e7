"""What a WPPConnect Server webhook says, read into a `Reading` (see bridge/events.py)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationError

from helpline.channels.providers.base import InboundMessage, MediaRef, StatusUpdate
from helpline.channels.providers.bridge.client import decode_base64, qr_text
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

# --- WPPConnect --------------------------------------------------------------------------

WPP_MEDIA = {
    "image": "image",
    "video": "video",
    "sticker": "sticker",
    "document": "document",
    "audio": "audio",
    "ptt": "audio",
}
# Message types that are no customer's words: logged, not stored.
WPP_IGNORED_TYPES = frozenset(
    {
        "notification",
        "notification_template",
        "group_notification",
        "gp2",
        "broadcast_notification",
        "e2e_notification",
        "call_log",
        "protocol",
        "ciphertext",
        "revoked",
    }
)
# AckType of WA-JS: negatives are failures.
WPP_ACK_ERRORS = {
    -7: "Not delivered: the recipient's WhatsApp is outdated (MD_DOWNGRADE)",
    -6: "Not delivered: the recipient is inactive (INACTIVE)",
    -5: "Not delivered: the file could not be uploaded (CONTENT_UNUPLOADABLE)",
    -4: "Not delivered: the file is too big (CONTENT_TOO_BIG)",
    -3: "Not delivered: the file is gone (CONTENT_GONE)",
    -2: "Not delivered: the message expired (EXPIRED)",
    -1: "Not delivered (FAILED)",
}
WPP_ACK_STATUS = {1: "sent", 2: "delivered", 3: "read", 4: "read", 5: "read"}
# status-find values of WPPConnect's StatusFind.
WPP_STATUS_FIND: dict[str, tuple[str, str | None]] = {
    "inchat": ("connected", None),
    "islogged": ("connecting", "Logged in; loading the chats"),
    "qrreadsuccess": ("connecting", "QR code scanned"),
    "notlogged": ("connecting", "Not logged in: waiting for a QR code"),
    "phonenotconnected": ("connecting", "The phone is not connected"),
    "browserclose": ("disconnected", "The WPPConnect browser was closed"),
    "serverclose": ("disconnected", "WPPConnect lost its connection to WhatsApp"),
    "autoclosecalled": ("disconnected", "The QR code was not scanned in time"),
    "desconnectedmobile": ("error", "Logged out from the phone"),
    "deletetoken": ("error", "Logged out (the session was removed)"),
    "qrreaderror": ("error", "The QR code scan failed"),
    "qrreadfail": ("error", "The QR code scan failed"),
}
# onstatechange values (WA-JS SocketState / SocketStream).
WPP_SOCKET_STATE: dict[str, tuple[str, str | None]] = {
    "CONNECTED": ("connected", None),
    "OPENING": ("connecting", "Opening"),
    "PAIRING": ("connecting", "Pairing"),
    "RESUMING": ("connecting", "Resuming"),
    "SYNCING": ("connecting", "Syncing"),
    "CONFLICT": ("connecting", "Open in another WhatsApp Web; taking it back"),
    "TIMEOUT": ("connecting", "The phone did not answer in time"),
    "UNPAIRED": ("error", "Logged out from the phone"),
    "UNPAIRED_IDLE": ("error", "Logged out from the phone"),
    "TOS_BLOCK": ("error", "Blocked by WhatsApp"),
    "SMB_TOS_BLOCK": ("error", "Blocked by WhatsApp"),
    "PROXYBLOCK": ("error", "The proxy was blocked"),
    "DEPRECATED_VERSION": ("error", "This WhatsApp Web version is no longer supported"),
    "UNLAUNCHED": ("disconnected", "Not launched"),
    "DISCONNECTED": ("disconnected", None),
}


class WppKey(_Lenient):
    """A WA-JS id in parts: {fromMe, remote, id, _serialized}."""

    serialized: str | None = Field(default=None, alias="_serialized")
    from_me: bool | None = None


class WppContact(_Lenient):
    pushname: str | None = None
    verified_name: str | None = None
    name: str | None = None


class WppVcard(_Lenient):
    display_name: str | None = None
    vcard: str | None = None


class WppListResponse(_Lenient):
    title: str | None = None
    single_select_reply: dict[str, Any] | None = None


class WppMessage(_Lenient):
    id: str | WppKey | None = None
    body: str | None = None
    type: str = "unknown"
    t: int | None = None
    timestamp: int | None = None
    from_: str = Field(default="", alias="from")
    from_me: bool = False
    is_group_msg: bool = False
    notify_name: str | None = None
    sender: WppContact | None = None
    caption: str | None = None
    filename: str | None = None
    mimetype: str | None = None
    size: int | None = None
    lat: float | None = None
    lng: float | None = None
    loc: str | None = None
    vcard_formatted_name: str | None = None
    vcard_list: list[WppVcard] = Field(default_factory=list)
    quoted_msg_id: str | WppKey | None = None
    quoted_stanza_id: str | None = Field(default=None, alias="quotedStanzaID")
    quoted_participant: str | WppKey | None = None
    is_forwarded: bool = False
    selected_button_id: str | None = None
    selected_id: str | None = None
    list_response: WppListResponse | None = None

    @property
    def key(self) -> str | None:
        return _wpp_id(self.id)

    @property
    def contact_name(self) -> str | None:
        sender = self.sender or WppContact()
        return _strings(self.notify_name, sender.pushname, sender.verified_name)


class WppAck(_Lenient):
    id: str | WppKey | None = None
    ack: int | None = None
    from_me: bool | None = None


class WppReaction(_Lenient):
    id: str | WppKey | None = None
    msg_id: str | WppKey | None = None
    reaction_text: str = ""
    timestamp: int | None = None


def _wpp_id(value: str | WppKey | None) -> str | None:
    if isinstance(value, WppKey):
        return value.serialized
    return value or None


def _id_parts(serialized: str) -> tuple[bool, str, str] | None:
    """ "false_5511...@c.us_3EB0..." -> (from me, chat, id)."""
    parts = serialized.split("_", 2)
    if len(parts) != 3 or parts[0] not in ("true", "false"):
        return None
    return parts[0] == "true", parts[1], parts[2]


def read_wppconnect(data: Any, session: str) -> Reading:
    if not isinstance(data, dict):
        raise NotAnEvent("A WPPConnect webhook body is a JSON object")
    reading = Reading()
    event = str(data.get("event") or "").strip().lower()
    sent_for = data.get("session")
    if isinstance(sent_for, str) and session and sent_for != session:
        reading.ignored.append(f"{event or 'event'} for session {sent_for!r}, not {session!r}")
        return reading
    if event in ("onmessage", "onanymessage", "unreadmessages"):
        _wpp_message(data, reading)
    elif event == "onack":
        _wpp_ack(data, reading)
    elif event == "onreactionmessage":
        _wpp_reaction(data, reading)
    elif event == "status-find":
        status = str(data.get("status") or "")
        _session_from(WPP_STATUS_FIND.get(status.lower()), f"status-find {status!r}", reading)
    elif event == "onstatechange":
        state = str(data.get("state") or data.get("status") or "").upper()
        _session_from(WPP_SOCKET_STATE.get(state), f"state {state!r}", reading)
    elif event == "qrcode":
        code = qr_text(data.get("urlcode"), data.get("qrcode"))
        reading.sessions.append(
            SessionChange(qr=code)
            if code
            else SessionChange(state="qr", detail="Scan the QR code shown by the WPPConnect server")
        )
    elif event in ("closesession", "logoutsession"):
        detail = "Logged out" if event == "logoutsession" else "Session closed"
        reading.sessions.append(SessionChange(state="disconnected", detail=detail))
    else:
        reading.ignored.append(f"{event or 'unnamed'} event")
    return reading


def _session_from(known: tuple[str, str | None] | None, what: str, reading: Reading) -> None:
    if known is None:
        reading.ignored.append(f"unknown {what}")
    else:
        reading.sessions.append(SessionChange(state=known[0], detail=known[1]))


def _wpp_message(data: dict[str, Any], reading: Reading) -> None:
    try:
        msg = WppMessage.model_validate(data)
    except ValidationError as exc:
        reading.unreadable.append(f"unreadable message: {_errors(exc)}")
        return
    key = msg.key
    if key is None:
        reading.unreadable.append("message without an id")
    elif msg.from_me:
        reading.ignored.append(f"message {key} sent from this number")
    elif msg.is_group_msg or not is_person(msg.from_):
        reading.ignored.append(f"message {key} in {msg.from_ or 'an unknown chat'}")
    elif msg.type in WPP_IGNORED_TYPES:
        reading.ignored.append(f"{msg.type} message {key}")
    else:
        reading.messages.append(_wpp_inbound(msg, key, data))


def _wpp_inbound(msg: WppMessage, key: str, data: dict[str, Any]) -> InboundMessage:
    text, kind, reply_id, media, payload = _wpp_content(msg, key)
    if msg.is_forwarded:
        text = f"[forwarded] {text}"
    raw = {k: v for k, v in data.items() if not (media is not None and k == "body")}
    phone, user_id = sender(msg.from_)
    return InboundMessage(
        provider_message_id=key,
        from_phone=phone,
        from_user_id=user_id,
        text=text,
        contact_name=msg.contact_name,
        type=kind[:TYPE_MAX],
        timestamp=epoch(msg.t or msg.timestamp),
        raw=raw,
        reply_id=reply_id,
        media=media,
        payload=payload,
        quoted_id=_wpp_quoted(msg),
    )


def _wpp_content(msg: WppMessage, key: str) -> Content:
    """(text, type, reply id, media, payload)."""
    kind = msg.type
    if kind == "chat":
        return msg.body or "", "text", None, None, None
    if kind in WPP_MEDIA:
        voice = kind == "ptt"
        media = MediaRef(
            kind=WPP_MEDIA[kind],
            mime_type=msg.mimetype,
            filename=msg.filename,
            caption=msg.caption,
            voice=voice,
            media_id=key,
            data=_wpp_media_bytes(msg),
        )
        label = "voice" if voice else media.kind
        return media_text(label, msg.filename, msg.caption), media.kind, None, media, None
    if kind == "location":
        name, _, address = (msg.loc or "").partition("\n")
        location = {
            "latitude": msg.lat,
            "longitude": msg.lng,
            "name": name.strip() or None,
            "address": address.strip() or None,
        }
        return location_text(location), "location", None, None, {"location": location}
    if kind in ("vcard", "multi_vcard"):
        cards = msg.vcard_list or [WppVcard(display_name=msg.vcard_formatted_name, vcard=msg.body)]
        contacts = [parse_vcard(c.vcard, c.display_name) for c in cards]
        return contacts_text(contacts), "contacts", None, None, {"contacts": contacts}
    if kind == "list_response" and msg.list_response is not None:
        reply = msg.list_response.single_select_reply or {}
        row = reply.get("selectedRowId")
        title = msg.list_response.title or msg.body or ""
        return title, "interactive", row if isinstance(row, str) else None, None, None
    if kind in ("buttons_response", "template_button_reply"):
        return msg.body or "", "button", msg.selected_button_id or msg.selected_id, None, None
    return f"[unsupported: {kind}]", "unsupported", None, None, None


def _wpp_media_bytes(msg: WppMessage) -> bytes | None:
    """With the server's `webhook.autoDownload` the body holds the whole file in base64;
    without it, a thumbnail. Only bytes of the announced size are the file."""
    content = decode_base64(msg.body)
    if content is None or msg.size is None or len(content) != msg.size:
        return None
    return content


def _wpp_quoted(msg: WppMessage) -> str | None:
    quoted = _wpp_id(msg.quoted_msg_id)
    if quoted:
        return quoted
    if not msg.quoted_stanza_id:
        return None
    # Rebuild the serialized id: in a one-to-one chat the quoted message is the customer's
    # when its participant is the customer, else ours.
    participant = _wpp_id(msg.quoted_participant)
    from_me = bool(participant) and participant != msg.from_
    return f"{'true' if from_me else 'false'}_{msg.from_}_{msg.quoted_stanza_id}"


def _wpp_ack(data: dict[str, Any], reading: Reading) -> None:
    try:
        ack = WppAck.model_validate(data)
    except ValidationError:
        reading.ignored.append("unreadable ack")
        return
    key = _wpp_id(ack.id)
    from_me = ack.id.from_me if isinstance(ack.id, WppKey) else None
    if from_me is None:
        from_me = ack.from_me if ack.from_me is not None else (key or "").startswith("true_")
    if key is None or ack.ack is None:
        reading.ignored.append("ack without an id or value")
    elif not from_me:
        reading.ignored.append(f"ack {ack.ack} of received message {key}")
    elif ack.ack in WPP_ACK_ERRORS:
        reading.statuses.append(StatusUpdate(key, "failed", WPP_ACK_ERRORS[ack.ack]))
    elif ack.ack in WPP_ACK_STATUS:
        reading.statuses.append(StatusUpdate(key, WPP_ACK_STATUS[ack.ack]))
    else:
        reading.ignored.append(f"ack {ack.ack} of {key}")


def _wpp_reaction(data: dict[str, Any], reading: Reading) -> None:
    try:
        reaction = WppReaction.model_validate(data)
    except ValidationError as exc:
        reading.unreadable.append(f"unreadable reaction: {_errors(exc)}")
        return
    key, target = _wpp_id(reaction.id), _wpp_id(reaction.msg_id)
    parts = _id_parts(key) if key else None
    if key is None or parts is None:
        reading.unreadable.append("reaction without a readable id")
        return
    from_me, chat, _ = parts
    if from_me or not is_person(chat):
        reading.ignored.append(f"reaction {key} from this number or a group")
        return
    emoji = reaction.reaction_text
    # A changed or removed reaction keeps the reaction's id: tell each apart by its time.
    event_id = f"{key}:{reaction.timestamp}" if reaction.timestamp else key
    phone, user_id = sender(chat)
    reading.messages.append(
        InboundMessage(
            provider_message_id=event_id,
            from_phone=phone,
            from_user_id=user_id,
            text=reaction_text(emoji, target),
            type="reaction",
            timestamp=epoch(reaction.timestamp),
            raw=data,
            payload={"reaction": {"emoji": emoji, "messageId": target}},
        )
    )
