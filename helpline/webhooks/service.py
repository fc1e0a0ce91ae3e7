"""The Cloud API webhook: signature check, routing by phone_number_id, and hand-off to ingest.

Every entry and every change of a notification is handled. Messages go through the ingest
writer (idempotent on the wamid, so Meta's redeliveries store nothing new); delivery reports
through `ingest_status` (forward-only, so they are idempotent too). What the desk does not
keep on purpose (business echoes, system notices, preferences) is logged and counted; a
customer's message it cannot read or place (an unreadable item, a sender without a phone or
user id, a number with no channel) keeps the whole body in the dead-letter store, where an
admin can re-process it after an upgrade: nothing acknowledged is lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from helpline.channels.models import Channel
from helpline.channels.providers.base import InboundMessage, StatusUpdate
from helpline.channels.providers.cloud import parser
from helpline.db import Database
from helpline.dead_letters import service as dead_letters
from helpline.dead_letters.models import DeadLetter
from helpline.errors import DomainError
from helpline.messages.ingest import Inbound, IngestWriter, ingest_status

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


@dataclass
class Summary:
    messages: int = 0
    statuses: int = 0
    ignored: int = 0
    dead_letters: int = 0  # 1 when the body was kept for an admin
    # Why customer messages of this body could not be stored (the dead letter's reason).
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "messages": self.messages,
            "statuses": self.statuses,
            "ignored": self.ignored,
            "deadLetters": self.dead_letters,
        }


async def cloud_channels(db: Database) -> list[Channel]:
    async with db.sessionmaker() as session:
        return list(await session.scalars(select(Channel).where(Channel.provider == PROVIDER)))


async def receive(
    db: Database, writer: IngestWriter, channels: list[Channel], secrets: set[str], body: bytes
) -> Summary:
    """A signed body: its messages stored, its statuses applied; what cannot be understood
    is kept whole as a dead letter (also a body that is no notification at all)."""
    try:
        notification = parser.parse_notification(json.loads(body))
    except (ValueError, ValidationError) as exc:  # signed, yet not a notification
        summary = Summary(problems=[f"not a webhook notification: {_first_line(exc)}"])
    else:
        summary = await handle_notification(db, writer, channels, secrets, notification)
    if summary.problems:
        await dead_letters.record(db, PROVIDER, body, summary.problems)
        summary.dead_letters = 1
    return summary


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


async def reprocess(letter: DeadLetter, db: Database, writer: IngestWriter) -> dead_letters.Reading:
    """A kept body read again by this version (it was signed when it arrived)."""
    channels = await cloud_channels(db)
    secrets = {str(c.config.get("app_secret") or "") for c in channels}
    try:
        notification = parser.parse_notification(json.loads(letter.body))
    except (ValueError, ValidationError) as exc:
        return dead_letters.Reading(problems=[f"not a webhook notification: {_first_line(exc)}"])
    summary = await handle_notification(db, writer, channels, secrets, notification)
    return dead_letters.Reading(messages=summary.messages, problems=summary.problems)


dead_letters.register(PROVIDER, reprocess)


async def handle_notification(
    db: Database,
    writer: IngestWriter,
    channels: list[Channel],
    secrets: set[str],
    notification: parser.Notification,
) -> Summary:
    by_number = {
        str(c.config.get("phone_number_id")): c
        for c in channels
        if str(c.config.get("app_secret") or "") in secrets
    }
    summary = Summary()
    inbound: list[Inbound] = []
    statuses: list[tuple[int, StatusUpdate]] = []
    for entry in notification.entry:
        for change in entry.changes:
            _collect(entry, change, by_number, summary, inbound, statuses)
    refused = await _submit(writer, inbound)
    summary.messages = len(inbound) - len(refused)
    summary.ignored += len(refused)
    summary.problems += refused
    # In order, one at a time: a POST may carry sent, delivered and read of one message.
    for channel_id, update in statuses:
        await ingest_status(db, channel_id, update)
    summary.statuses = len(statuses)
    return summary


def _collect(
    entry: parser.Entry,
    change: parser.Change,
    by_number: dict[str, Channel],
    summary: Summary,
    inbound: list[Inbound],
    statuses: list[tuple[int, StatusUpdate]],
) -> None:
    value = parser.parse_value(change.value)
    items = _count_items(change.value)
    if change.field != "messages":
        log.info("cloud webhook: ignoring %r change of entry %s", change.field, entry.id)
        summary.ignored += max(items, 1)
        return
    if value is None:
        summary.problems.append(f"entry {entry.id}: unreadable messages change")
        summary.ignored += max(items, 1)
        return
    number_id = value.metadata.phone_number_id
    channel = by_number.get(number_id)
    if channel is None:
        log.warning("cloud webhook: no cloud channel for phone_number_id %r; skipped", number_id)
        if value.messages:  # kept until the channel exists; statuses are for no one here
            summary.problems.append(f"no cloud channel for phone_number_id {number_id!r}")
        summary.ignored += max(items, 1)
        return
    if value.errors:
        log.warning("cloud webhook: errors on channel %s: %s", channel.id, value.errors)
    for raw in value.messages:
        item = _inbound(channel, value, raw)
        if isinstance(item, Inbound):
            inbound.append(item)
        else:
            summary.ignored += 1
            if item is not None:
                summary.problems.append(item)
    for raw in value.statuses:
        update = _status(channel, raw)
        if update is None:
            summary.ignored += 1
        else:
            statuses.append((channel.id, update))
    for key in ("message_echoes", "user_preferences"):
        if value_items := change.value.get(key):
            log.info("cloud webhook: ignoring %s %s", len(value_items), key)
            summary.ignored += len(value_items)


def _count_items(value: dict[str, Any]) -> int:
    return sum(len(v) for k in ITEM_KEYS if isinstance(v := value.get(k), list))


def _inbound(channel: Channel, value: parser.Value, raw: dict[str, Any]) -> Inbound | str | None:
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
    event = InboundMessage(
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
    try:
        return Inbound.parse(channel.id, event, provider=PROVIDER)
    except DomainError as exc:
        return f"message {msg.id}: {exc.detail}"


def _status(channel: Channel, raw: dict[str, Any]) -> StatusUpdate | None:
    status = parser.parse_status(raw)
    if status is None or status.status not in STATUS_MAP:
        log.info("cloud webhook: ignoring status %s on channel %s", raw, channel.id)
        return None
    error = "; ".join(e.describe() for e in status.errors) if status.errors else None
    if status.status == "failed" and not error:
        error = "Failed (no reason given by WhatsApp)"
    return StatusUpdate(status.id, STATUS_MAP[status.status], error[:500] if error else None)


async def _submit(writer: IngestWriter, batch: list[Inbound]) -> list[str]:
    """Submit every message at once (one group commit); returns why any were refused.
    Anything but a domain refusal is raised, so Meta delivers the notification again."""
    outcomes = await asyncio.gather(*(writer.submit(i) for i in batch), return_exceptions=True)
    refused = []
    for item, outcome in zip(batch, outcomes, strict=True):
        if isinstance(outcome, DomainError):
            refused.append(f"message {item.event.provider_message_id}: {outcome.detail}")
        elif isinstance(outcome, BaseException):
            raise outcome
    return refused
