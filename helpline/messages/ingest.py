"""The one way in: every provider hands its normalized inbound messages and delivery
reports to these functions. Ingest is idempotent on the provider's message id.

Inbound messages are stored in batches: `store_inbound` writes any number of them with a
handful of statements, and `IngestWriter` groups the messages that arrive together into
one transaction (group commit), so a burst costs little more than a single message."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from helpline import metrics
from helpline.channels.models import Channel
from helpline.channels.providers.base import MEDIA_KINDS, InboundMessage, StatusUpdate
from helpline.channels.service import count_drops
from helpline.clock import utcnow
from helpline.contacts.models import Contact
from helpline.contacts.service import (
    CustomerKey,
    Sighting,
    customer_key,
    known_customers,
    normalize_external_id,
    normalize_phone,
    upsert_contacts,
)
from helpline.conversations.events import (
    announce_conversation,
    announce_message,
    announce_message_update,
)
from helpline.conversations.models import Conversation, ConversationStatus
from helpline.conversations.routing import customer_waiting
from helpline.conversations.service import find_or_open, open_key
from helpline.db import Database, HelplineSession
from helpline.errors import DomainError, NotFound
from helpline.media import fetcher
from helpline.media.service import (
    MediaStorage,
    failed,
    inbound_media,
    inspect,
    ready,
    remove_files,
    write_file,
)
from helpline.messages.delivery import queue_reply
from helpline.messages.hooks import ANSWERS_CLOSED, BOT_TURN, MESSAGES_RECEIVED
from helpline.messages.models import (
    RAW_KEY,
    UNSUPPORTED,
    Direction,
    Message,
    MessageStatus,
    Sender,
)
from helpline.messages.service import apply_status, touch_conversation
from helpline.messages.views import load_views

log = logging.getLogger(__name__)

MAX_BATCH = 64
REACTION = "reaction"
DEFAULT_STORAGE = MediaStorage()

Key = tuple[int, str]  # (channel id, provider message id)
Reacted = dict[int, Message]  # reacted-to messages by id


@dataclass(frozen=True)
class Inbound:
    """One inbound message for a channel, its sender's phone already in E.164 (None for a
    sender WhatsApp names only by a user id)."""

    channel_id: int
    phone: str | None
    event: InboundMessage
    provider: str | None = None  # when set, the channel must be of this provider
    external_id: str | None = None  # the sender's WhatsApp user id, when given

    @classmethod
    def parse(cls, channel_id: int, event: InboundMessage, provider: str | None = None) -> Inbound:
        """Raises `Unprocessable` when the sender has neither a phone number nor a user id."""
        external_id = normalize_external_id(event.from_user_id) if event.from_user_id else None
        phone = None
        if event.from_phone.strip() or external_id is None:
            phone = normalize_phone(event.from_phone)
        return cls(channel_id, phone, event, provider, external_id)

    @property
    def customer(self) -> CustomerKey:
        return customer_key(self.phone, self.external_id)

    @property
    def key(self) -> tuple[int, str]:
        return self.channel_id, self.event.provider_message_id


class NotKept(Exception):
    """Not stored: the channel keeps messages from known contacts only (counted, and the
    sender may get the channel's reply). Not a refusal: the sender need not retry."""


@dataclass
class IngestResult:
    message: Message
    conversation: Conversation
    duplicate: bool = False
    opened: bool = False


Outcome = IngestResult | NotFound | NotKept


async def store_inbound(
    session: HelplineSession,
    batch: list[Inbound],
    look_for_duplicates: bool = True,
    storage: MediaStorage = DEFAULT_STORAGE,
) -> list[Outcome]:
    """Store the batch in the session's transaction, in order, and commit; realtime events
    leave after the commit. A message already stored (same channel and provider id) is
    answered with the original; one for an unknown channel with NotFound; one a
    known-contacts-only channel does not keep with NotKept.

    Files that came with the messages are stored, or queued for the media fetcher; the
    messages they quote or react to are found with the duplicates, in one statement.

    Raises IntegrityError when a concurrent transaction created the same contact,
    conversation or message first, or, without `look_for_duplicates`, when the message was
    stored before: the caller retries, looking."""
    channels = await _channels(session, batch)
    valid = [i for i in batch if i.channel_id in channels]
    valid, not_kept = await _keep_known_only(session, channels, valid)
    # Stored messages by (channel, provider id): redelivered ones, those quoted or reacted
    # to; then this batch's own as they are made.
    known = await _lookup(session, valid, look_for_duplicates)
    # A reaction to a message we have joins that message's conversation (even a closed
    # one): it is shown there, and opens nothing.
    on_target = {
        i.key: target
        for i in valid
        if (to := _reacted_key(i)) and (target := known.get(to)) is not None
    }
    contacts = await upsert_contacts(
        session, [Sighting(i.phone, i.external_id, i.event.contact_name) for i in valid]
    )
    placed = {i.key for i in valid if i.key in known} | on_target.keys()  # need no conversation
    on_closed = await _answers_to_closed(
        session, [i for i in valid if i.key not in placed], contacts
    )
    placed |= on_closed.keys()
    convs = await find_or_open(
        session, [(i.channel_id, contacts[i.customer]) for i in valid if i.key not in placed]
    )
    target_convs = await _conversations(session, {t.conversation_id for t in on_target.values()})
    outcomes: list[Outcome] = []
    fresh: list[tuple[Inbound, IngestResult]] = []
    announced: set[str] = set()  # a conversation opened now is announced with its first message
    for item in batch:
        channel = channels.get(item.channel_id)
        if channel is None:
            outcomes.append(NotFound(f"Channel {item.channel_id} not found"))
            continue
        if item.key in not_kept:
            outcomes.append(NotKept(f"Channel {item.channel_id} keeps known contacts only"))
            continue
        if item.key in known:
            outcomes.append(await _duplicate(session, known[item.key]))
            continue
        if item.key in on_target:
            key, opened = "", False
            conv = target_convs[on_target[item.key].conversation_id]
        elif item.key in on_closed:
            key, opened, conv = "", False, on_closed[item.key]
        else:
            key = open_key(item.channel_id, contacts[item.customer].id)
            conv, opened = convs[key]
        msg = _message(item, conv, known)
        session.add(msg)
        known[item.key] = msg
        if opened and channel.default_area_id is not None:
            conv.area_id = channel.default_area_id
        result = IngestResult(msg, conv, opened=opened and key not in announced)
        outcomes.append(result)
        fresh.append((item, result))
        announced.add(key)
    written: list[str] = []  # files to remove if the transaction fails
    try:
        await session.flush()
        reacted = _link(fresh, known)
        pending = await _store_media(session, fresh, storage, written)
        await session.flush()
        duplicates = [o.message for o in outcomes if isinstance(o, IngestResult) and o.duplicate]
        await load_views(session, duplicates + list(reacted.values()))
        await _after_stored(session, [o for o in outcomes if isinstance(o, IngestResult)], reacted)
        await session.commit()
    except BaseException:
        remove_files(storage.upload_dir, written)
        raise
    if pending:
        fetcher.notify()
    for channel_id, address in not_kept.values():
        reply = channels[channel_id].unknown_reply
        if reply and address:
            queue_reply(channel_id, address, reply)
    return outcomes


async def _keep_known_only(
    session: HelplineSession, channels: dict[int, Channel], batch: list[Inbound]
) -> tuple[list[Inbound], dict[Key, tuple[int, str | None]]]:
    """Known-contacts-only channels keep messages from senders already in the contacts;
    the others are only counted (per channel and day). No query unless such a channel is
    in the batch. Returns what to keep and, by key, what was not kept (channel, address)."""
    guarded = [i for i in batch if channels[i.channel_id].known_contacts_only]
    if not guarded:
        return batch, {}
    known = await known_customers(
        session, [Sighting(i.phone, i.external_id, None) for i in guarded]
    )
    not_kept = {
        i.key: (i.channel_id, i.phone or i.external_id) for i in guarded if i.customer not in known
    }
    if not_kept:
        await count_drops(session, Counter(channel_id for channel_id, _ in not_kept.values()))
    return [i for i in batch if i.key not in not_kept], not_kept


async def _channels(session: HelplineSession, batch: list[Inbound]) -> dict[int, Channel]:
    found = await session.scalars(
        select(Channel).where(Channel.id.in_({i.channel_id for i in batch}))
    )
    wanted = {(i.channel_id, i.provider) for i in batch}
    return {c.id: c for c in found if (c.id, None) in wanted or (c.id, c.provider) in wanted}


async def _lookup(
    session: HelplineSession, batch: list[Inbound], look_for_duplicates: bool
) -> dict[Key, Message]:
    """The stored messages the batch needs: those an earlier delivery already stored
    (when looking for duplicates), and those it quotes or reacts to."""
    keys = {i.key for i in batch} if look_for_duplicates else set()
    for item in batch:
        keys |= {k for k in (_quoted_key(item), _reacted_key(item)) if k is not None}
    if not keys:
        return {}
    rows = await session.scalars(
        select(Message).where(
            Message.channel_id.in_({k[0] for k in keys}),
            Message.provider_message_id.in_({k[1] for k in keys}),
        )
    )
    return {
        k: m for m in rows.unique() if (k := (m.channel_id, m.provider_message_id or "")) in keys
    }


async def _answers_to_closed(
    session: HelplineSession, items: list[Inbound], contacts: dict[CustomerKey, Contact]
) -> dict[Key, Conversation]:
    """The messages that answer a closed conversation (a survey), with that conversation."""
    if not items:
        return {}
    asked = [(i.channel_id, contacts[i.customer].id, i.event) for i in items]
    answers = await ANSWERS_CLOSED.ask(session, asked)
    return {items[index].key: conv for index, conv in answers.items()}


def _quoted_key(item: Inbound) -> Key | None:
    quoted = item.event.quoted_id
    return (item.channel_id, quoted) if quoted else None


def _reacted_key(item: Inbound) -> Key | None:
    reaction = (item.event.payload or {}).get("reaction")
    target = reaction.get("messageId") if isinstance(reaction, dict) else None
    return (item.channel_id, str(target)) if target else None


async def _conversations(session: HelplineSession, ids: set[int]) -> dict[int, Conversation]:
    if not ids:
        return {}
    rows = await session.scalars(select(Conversation).where(Conversation.id.in_(ids)))
    return {c.id: c for c in rows.unique()}


def _message(item: Inbound, conv: Conversation, by_key: dict[Key, Message]) -> Message:
    event = item.event
    quoted_key, reacted_key = _quoted_key(item), _reacted_key(item)
    quoted = by_key.get(quoted_key) if quoted_key else None
    msg = Message(
        conversation_id=conv.id,
        channel_id=item.channel_id,
        direction=Direction.IN.value,
        sender=Sender.CONTACT.value,
        # A file's message has its kind as type: that is how its file is found again.
        type=event.media.kind if event.media and event.type not in MEDIA_KINDS else event.type,
        body=event.text,
        status=MessageStatus.RECEIVED.value,
        provider_message_id=event.provider_message_id,
        payload=_payload(event, by_key.get(reacted_key) if reacted_key else None),
        quoted_id=quoted.id if quoted else None,  # one of this batch has no id yet: `_link`
        created_at=utcnow(),
    )
    msg.sender_user = None
    msg.quoted = quoted
    conv.last_inbound_at = msg.created_at
    if event.type == REACTION:  # shown on the message it points to, not as news
        return msg
    touch_conversation(conv, msg)
    conv.unread_count += 1
    if conv.waiting_since is None:
        conv.waiting_since = msg.created_at
    return msg


def _payload(event: InboundMessage, target: Message | None) -> dict[str, Any] | None:
    """The event's structured content; a reaction names its target by our id, and is
    recorded on the target (the latest of each side counts; "" takes it back)."""
    payload = dict(event.payload or {})
    if event.reply_id:
        payload["replyId"] = event.reply_id
    if event.type == UNSUPPORTED and event.raw:
        # What the desk cannot show yet is kept whole: an admin can read it, and a later
        # version can make sense of it.
        payload[RAW_KEY] = event.raw
    reaction = payload.get("reaction")
    if isinstance(reaction, dict):
        emoji = str(reaction.get("emoji") or "")
        payload["reaction"] = {"emoji": emoji, "targetId": target.id if target else None}
        if target is not None:
            target.reactions = {**(target.reactions or {}), Direction.IN.value: emoji}
    return payload or None


def _link(fresh: list[tuple[Inbound, IngestResult]], by_key: dict[Key, Message]) -> Reacted:
    """After the flush: quotes and reactions that point at a message of this same batch
    get its id now. Returns the messages reacted to, by id."""
    reacted: Reacted = {}
    for item, result in fresh:
        msg = result.message
        if msg.quoted is not None and msg.quoted_id is None:
            msg.quoted_id = msg.quoted.id
        reacted_key = _reacted_key(item)
        target = by_key.get(reacted_key) if reacted_key else None
        if target is None or msg.payload is None:
            continue
        reacted[target.id] = target
        reaction = msg.payload.get("reaction") or {}
        if reaction.get("targetId") is None:
            msg.payload = {**msg.payload, "reaction": {**reaction, "targetId": target.id}}
    return reacted


async def _store_media(
    session: HelplineSession,
    fresh: list[tuple[Inbound, IngestResult]],
    storage: MediaStorage,
    written: list[str],
) -> bool:
    """A media row for each message that brought a file: its bytes stored now (or the
    reason they were refused), or queued for the fetcher. True when any was queued."""
    pending = False
    for item, result in fresh:
        ref = item.event.media
        if ref is None:
            continue
        media = inbound_media(item.channel_id, ref)
        media.message_id = result.message.id
        if ref.data is not None:
            try:
                inspected = inspect(ref.data, storage.max_upload_mb)
            except DomainError as exc:
                failed(media, exc.detail)
            else:
                path = await write_file(storage.upload_dir, inspected)
                written.append(path)
                ready(media, inspected, path, claimed=ref.kind)
        elif not (ref.media_id or ref.url):
            failed(media, "The provider sent no file to download")
        else:
            pending = True
        session.add(media)
        result.message.media = media
    return pending


async def _duplicate(session: HelplineSession, msg: Message) -> IngestResult:
    conv = await session.get(Conversation, msg.conversation_id)
    assert conv is not None
    return IngestResult(msg, conv, duplicate=True)


async def _after_stored(
    session: HelplineSession, results: list[IngestResult], reacted: Reacted
) -> None:
    """The bot answers each message in turn; the conversations it did not keep go to their
    queue (once each); then the console is told. Reactions are no turn of the
    conversation: their targets are announced changed instead."""
    fresh = [r for r in results if not r.duplicate and r.message.type != REACTION]
    with_bot = {
        id(r.conversation)
        for r in fresh
        if await BOT_TURN.ask(session, r.conversation, r.message, r.opened)
    }
    for conv in {id(r.conversation): r.conversation for r in fresh}.values():
        if id(conv) in with_bot:
            continue
        if conv.area_id is not None and conv.status == ConversationStatus.PENDING:
            await customer_waiting(session, conv)
    for result in fresh:
        if result.opened:
            announce_conversation(session, "conversation:incoming", result.conversation)
        announce_message(session, result.message, result.conversation)
    if fresh:  # one call for the batch: its listeners add their rows to this transaction
        await MESSAGES_RECEIVED.run(session, [(r.message, r.conversation) for r in fresh])
    for target in reacted.values():
        where = await session.get(Conversation, target.conversation_id)  # in the session
        if where is not None:
            announce_message_update(session, target, where)


async def ingest_message(
    session: HelplineSession, channel: Channel, event: InboundMessage
) -> IngestResult:
    """One message in the caller's session (committed), for scripts and tests; the server
    goes through `IngestWriter`."""
    outcome = (await store_inbound(session, [Inbound.parse(channel.id, event)]))[0]
    if isinstance(outcome, NotFound | NotKept):
        raise outcome
    return outcome


async def ingest_batch(
    db: Database, batch: list[Inbound], storage: MediaStorage = DEFAULT_STORAGE
) -> list[Outcome]:
    """Store a batch in one transaction. Duplicates are rare, so the first attempt lets the
    unique constraints find them; if anything was there first, once more, looking."""
    for attempt in range(3):
        async with db.sessionmaker() as session:
            try:
                return await store_inbound(session, batch, attempt > 0, storage)
            except IntegrityError:
                if attempt == 2:
                    raise
                await session.rollback()
    raise AssertionError("unreachable")


class IngestWriter:
    """Group commit: messages submitted while a batch is being written wait for the next
    batch, so under load each transaction carries many messages and at rest just one."""

    def __init__(self, db: Database, storage: MediaStorage = DEFAULT_STORAGE) -> None:
        self.db = db
        self.storage = storage
        self._waiting: list[tuple[Inbound, asyncio.Future[IngestResult]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: Inbound) -> IngestResult:
        future: asyncio.Future[IngestResult] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._writer is None or self._writer.done():
            # A fresh context: the writer serves every caller, so it must not carry the
            # request that happened to start it (e.g. its user, read by the audit log).
            self._writer = asyncio.create_task(self._write(), context=contextvars.Context())
        started = time.perf_counter()
        result = await future
        metrics.INGEST_SECONDS.observe(time.perf_counter() - started)
        if not result.duplicate:
            metrics.MESSAGES.labels("in", str(item.channel_id)).inc()
        return result

    async def _write(self) -> None:
        while self._waiting:
            taken, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            batch = [item for item, _ in taken]
            outcomes: list[Outcome | BaseException]
            try:
                outcomes = list(await ingest_batch(self.db, batch, self.storage))
            except Exception as error:
                if len(batch) == 1:
                    outcomes = [error]
                else:  # keep one bad message from failing the others
                    log.exception("a batch of %d inbound messages failed", len(batch))
                    outcomes = [await _alone(self.db, item, self.storage) for item in batch]
            for (_, future), outcome in zip(taken, outcomes, strict=True):
                if future.done():  # its request was cancelled
                    continue
                if isinstance(outcome, BaseException):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)


async def _alone(db: Database, item: Inbound, storage: MediaStorage) -> Outcome | BaseException:
    try:
        return (await ingest_batch(db, [item], storage))[0]
    except Exception as error:
        return error


async def ingest_status(db: Database, channel_id: int, update: StatusUpdate) -> Message | None:
    async with db.sessionmaker() as session:
        msg = await apply_status(
            session, channel_id, update.provider_message_id, update.status, update.error
        )
        await session.commit()
        return msg
