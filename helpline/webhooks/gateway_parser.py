"""What the WPPConnect Server and Evolution API webhooks say, parsed leniently.

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

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from helpline.channels.providers.base import InboundMessage, MediaRef, StatusUpdate
from helpline.channels.providers.bridge import decode_base64, digits
from helpline.channels.providers.wppconnect import qr_text

TYPE_MAX = 16  # messages.type


class NotAnEvent(ValueError):
    """The body is not a webhook event at all (400)."""


@dataclass(frozen=True)
class SessionChange:
    """A change of the remote session: a state (disconnected, qr, connecting, connected,
    error) with its detail, a QR code to scan, and/or the number and name now linked."""

    state: str | None = None
    detail: str | None = None
    qr: str | None = None
    phone: str | None = None
    name: str | None = None


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


Content = tuple[str, str, str | None, MediaRef | None, dict[str, Any] | None]


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
