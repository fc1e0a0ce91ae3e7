"""A Cloud API webhook body read into the common shape (`providers/webhook.py`).

Every entry and every change of a notification is read; a message goes to the channel
whose `phone_number_id` it names, among the cloud channels whose app secret signed the
body. What the desk does not keep on purpose (business echoes, system notices,
preferences) is logged and counted; a customer's message it cannot read or place (an
unreadable item, a number with no channel) is a problem: the body is kept as a dead letter.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from pydantic import ValidationError

from helpline.channels.models import Channel
from helpline.channels.providers.base import InboundMessage, StatusUpdate
from helpline.channels.providers.cloud import parser
from helpline.channels.providers.webhook import WebhookReading

log = logging.getLogger(__name__)

PROVIDER = "cloud"
# Statuses the desk records; WhatsApp's "played" (a voice note listened to) counts as read.
STATUS_MAP = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "played": "read",
    "failed": "failed",
}
ITEM_KEYS = ("messages", "statuses", "message_echoes", "user_preferences")
# Kinds of message that are no customer's words: logged, not stored.
IGNORED_TYPES = frozenset({"system", "revoke", "ephemeral"})


def read(channels: list[Channel], secrets: set[str], body: bytes | str) -> WebhookReading:
    """The body read for the channels whose app secret is in `secrets` (those that signed
    it); a body that is no notification at all is one problem."""
    try:
        notification = parser.parse_notification(json.loads(body))
    except (ValueError, ValidationError) as exc:  # signed, yet not a notification
        return WebhookReading(problems=[f"not a webhook notification: {_first_line(exc)}"])
    by_number = {
        str(c.config.get("phone_number_id")): c
        for c in channels
        if str(c.config.get("app_secret") or "") in secrets
    }
    reading = WebhookReading()
    for entry in notification.entry:
        for change in entry.changes:
            _collect(entry, change, by_number, reading)
    return reading


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def _collect(
    entry: parser.Entry,
    change: parser.Change,
    by_number: dict[str, Channel],
    reading: WebhookReading,
) -> None:
    value = parser.parse_value(change.value)
    items = _count_items(change.value)
    if change.field != "messages":
        log.info("cloud webhook: ignoring %r change of entry %s", change.field, entry.id)
        reading.ignored += max(items, 1)
        return
    if value is None:
        reading.problems.append(f"entry {entry.id}: unreadable messages change")
        reading.ignored += max(items, 1)
        return
    number_id = value.metadata.phone_number_id
    channel = by_number.get(number_id)
    if channel is None:
        log.warning("cloud webhook: no cloud channel for phone_number_id %r; skipped", number_id)
        if value.messages:  # kept until the channel exists; statuses are for no one here
            reading.problems.append(f"no cloud channel for phone_number_id {number_id!r}")
        reading.ignored += max(items, 1)
        return
    if value.errors:
        log.warning("cloud webhook: errors on channel %s: %s", channel.id, value.errors)
    for raw in value.messages:
        item = _inbound(channel, value, raw)
        if isinstance(item, InboundMessage):
            reading.messages.append((channel.id, item))
        else:
            reading.ignored += 1
            if item is not None:
                reading.problems.append(item)
    for raw in value.statuses:
        update = _status(channel, raw)
        if update is None:
            reading.ignored += 1
        else:
            reading.statuses.append((channel.id, update))
    for key in ("message_echoes", "user_preferences"):
        if value_items := change.value.get(key):
            log.info("cloud webhook: ignoring %s %s", len(value_items), key)
            reading.ignored += len(value_items)


def _count_items(value: dict[str, Any]) -> int:
    return sum(len(v) for k in ITEM_KEYS if isinstance(v := value.get(k), list))


def _inbound(
    channel: Channel, value: parser.Value, raw: dict[str, Any]
) -> InboundMessage | str | None:
    """The message to store; or why it cannot be (a problem: the body is kept); or None
    for a kind that is no customer's words."""
    msg = parser.parse_message(raw)
    if msg is None:
        return f"unreadable message {str(raw.get('id'))[:80]!r} on channel {channel.id}"
    if msg.type in IGNORED_TYPES:
        log.info(
            "cloud webhook: ignoring %s message %s on channel %s", msg.type, msg.id, channel.id
        )
        return None
    text, reply_id = parser.readable(msg, value.errors)
    return InboundMessage(
        provider_message_id=msg.id,
        from_phone=msg.from_ or "",
        from_user_id=value.user_id(msg),
        text=text,
        contact_name=value.contact_name(msg),
        type=parser.kind(msg),
        timestamp=msg.sent_at,
        raw=raw,
        reply_id=reply_id,
        media=parser.media_ref(msg),
        payload=parser.structured(msg),
        quoted_id=parser.quoted_id(msg),
    )


def _status(channel: Channel, raw: dict[str, Any]) -> StatusUpdate | None:
    status = parser.parse_status(raw)
    if status is None or status.status not in STATUS_MAP:
        log.info("cloud webhook: ignoring status %s on channel %s", raw, channel.id)
        return None
    error = "; ".join(e.describe() for e in status.errors) if status.errors else None
    if status.status == "failed" and not error:
        error = "Failed (no reason given by WhatsApp)"
    return StatusUpdate(status.id, STATUS_MAP[status.status], error[:500] if error else None)
