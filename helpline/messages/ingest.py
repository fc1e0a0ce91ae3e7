"""The one way in: every provider hands its normalized inbound messages and delivery
reports to these functions. Ingest is idempotent on the provider's message id.

Inbound messages are stored in batches: `store_inbound` writes any number of them with a
handful of statements, and `IngestWriter` groups the messages that arrive together into
one transaction (group commit), so a burst costs little more than a single message."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from helpline.channels.models import Channel
from helpline.channels.providers.base import InboundMessage, StatusUpdate
from helpline.clock import utcnow
from helpline.contacts.service import normalize_phone, upsert_contacts
from helpline.conversations.events import announce_conversation, announce_message
from helpline.conversations.models import Conversation, ConversationStatus
from helpline.conversations.routing import customer_waiting
from helpline.conversations.service import find_or_open, open_key
from helpline.db import Database, HelplineSession
from helpline.errors import NotFound
from helpline.flows import bot
from helpline.messages.models import Direction, Message, MessageStatus, Sender
from helpline.messages.service import apply_status, touch_conversation

log = logging.getLogger(__name__)

MAX_BATCH = 64


@dataclass(frozen=True)
class Inbound:
    """One inbound message for a channel, its sender's phone already in E.164."""

    channel_id: int
    phone: str
    event: InboundMessage
    provider: str | None = None  # when set, the channel must be of this provider

    @classmethod
    def parse(cls, channel_id: int, event: InboundMessage, provider: str | None = None) -> Inbound:
        """Raises `Unprocessable` when the sender's phone is not a phone number."""
        return cls(channel_id, normalize_phone(event.from_phone), event, provider)

    @property
    def key(self) -> tuple[int, str]:
        return self.channel_id, self.event.provider_message_id


@dataclass
class IngestResult:
    message: Message
    conversation: Conversation
    duplicate: bool = False
    opened: bool = False


Outcome = IngestResult | NotFound


async def store_inbound(
    session: HelplineSession, batch: list[Inbound], look_for_duplicates: bool = True
) -> list[Outcome]:
    """Store the batch in the session's transaction, in order, and commit; realtime events
    leave after the commit. A message already stored (same channel and provider id) is
    answered with the original; one for an unknown channel with NotFound.

    Raises IntegrityError when a concurrent transaction created the same contact,
    conversation or message first, or, without `look_for_duplicates`, when the message was
    stored before: the caller retries, looking."""
    channels = await _channels(session, batch)
    valid = [i for i in batch if i.channel_id in channels]
    contacts = await upsert_contacts(session, {i.phone: i.event.contact_name for i in valid})
    convs = await find_or_open(session, [(i.channel_id, contacts[i.phone]) for i in valid])
    known = await _stored(session, valid) if look_for_duplicates else {}
    outcomes: list[Outcome] = []
    announced: set[str] = set()  # a conversation opened now is announced with its first message
    for item in batch:
        channel = channels.get(item.channel_id)
        if channel is None:
            outcomes.append(NotFound(f"Channel {item.channel_id} not found"))
            continue
        key = open_key(item.channel_id, contacts[item.phone].id)
        conv, opened = convs[key]
        if item.key in known:
            outcomes.append(await _duplicate(session, known[item.key]))
            continue
        msg = _message(item, conv)
        session.add(msg)
        known[item.key] = msg
        if opened and channel.default_area_id is not None:
            conv.area_id = channel.default_area_id
        outcomes.append(IngestResult(msg, conv, opened=opened and key not in announced))
        announced.add(key)
    await session.flush()
    await _after_stored(session, [o for o in outcomes if isinstance(o, IngestResult)])
    await session.commit()
    return outcomes


async def _channels(session: HelplineSession, batch: list[Inbound]) -> dict[int, Channel]:
    found = await session.scalars(
        select(Channel).where(Channel.id.in_({i.channel_id for i in batch}))
    )
    wanted = {(i.channel_id, i.provider) for i in batch}
    return {c.id: c for c in found if (c.id, None) in wanted or (c.id, c.provider) in wanted}


def _message(item: Inbound, conv: Conversation) -> Message:
    event = item.event
    msg = Message(
        conversation_id=conv.id,
        channel_id=item.channel_id,
        direction=Direction.IN.value,
        sender=Sender.CONTACT.value,
        type=event.type,
        body=event.text,
        status=MessageStatus.RECEIVED.value,
        provider_message_id=event.provider_message_id,
        payload={"replyId": event.reply_id} if event.reply_id else None,
        created_at=utcnow(),
    )
    msg.sender_user = None
    touch_conversation(conv, msg)
    conv.unread_count += 1
    if conv.waiting_since is None:
        conv.waiting_since = msg.created_at
    return msg


async def _stored(session: HelplineSession, batch: list[Inbound]) -> dict[tuple[int, str], Message]:
    """Messages of the batch that an earlier delivery already stored."""
    rows = await session.scalars(
        select(Message).where(
            Message.channel_id.in_({i.channel_id for i in batch}),
            Message.provider_message_id.in_({i.event.provider_message_id for i in batch}),
        )
    )
    keys = {i.key for i in batch}
    return {k: m for m in rows if (k := (m.channel_id, m.provider_message_id or "")) in keys}


async def _duplicate(session: HelplineSession, msg: Message) -> IngestResult:
    conv = await session.get(Conversation, msg.conversation_id)
    assert conv is not None
    return IngestResult(msg, conv, duplicate=True)


async def _after_stored(session: HelplineSession, results: list[IngestResult]) -> None:
    """The bot answers each message in turn; the conversations it did not keep go to their
    queue (once each); then the console is told."""
    fresh = [r for r in results if not r.duplicate]
    with_bot = {
        id(r.conversation)
        for r in fresh
        if await bot.on_inbound(session, r.conversation, r.message, r.opened)
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


async def ingest_message(
    session: HelplineSession, channel: Channel, event: InboundMessage
) -> IngestResult:
    """One message in the caller's session (committed), for scripts and tests; the server
    goes through `IngestWriter`."""
    outcome = (await store_inbound(session, [Inbound.parse(channel.id, event)]))[0]
    if isinstance(outcome, NotFound):
        raise outcome
    return outcome


async def ingest_batch(db: Database, batch: list[Inbound]) -> list[Outcome]:
    """Store a batch in one transaction. Duplicates are rare, so the first attempt lets the
    unique constraints find them; if anything was there first, once more, looking."""
    for attempt in range(3):
        async with db.sessionmaker() as session:
            try:
                return await store_inbound(session, batch, look_for_duplicates=attempt > 0)
            except IntegrityError:
                if attempt == 2:
                    raise
                await session.rollback()
    raise AssertionError("unreachable")


class IngestWriter:
    """Group commit: messages submitted while a batch is being written wait for the next
    batch, so under load each transaction carries many messages and at rest just one."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._waiting: list[tuple[Inbound, asyncio.Future[IngestResult]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: Inbound) -> IngestResult:
        future: asyncio.Future[IngestResult] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        return await future

    async def _write(self) -> None:
        while self._waiting:
            taken, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            batch = [item for item, _ in taken]
            outcomes: list[Outcome | BaseException]
            try:
                outcomes = list(await ingest_batch(self.db, batch))
            except Exception as error:
                if len(batch) == 1:
                    outcomes = [error]
                else:  # keep one bad message from failing the others
                    log.exception("a batch of %d inbound messages failed", len(batch))
                    outcomes = [await _alone(self.db, item) for item in batch]
            for (_, future), outcome in zip(taken, outcomes, strict=True):
                if future.done():  # its request was cancelled
                    continue
                if isinstance(outcome, BaseException):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)


async def _alone(db: Database, item: Inbound) -> Outcome | BaseException:
    try:
        return (await ingest_batch(db, [item]))[0]
    except Exception as error:
        return error


async def ingest_status(db: Database, channel_id: int, update: StatusUpdate) -> Message | None:
    async with db.sessionmaker() as session:
        msg = await apply_status(
            session, channel_id, update.provider_message_id, update.status, update.error
        )
        await session.commit()
        return msg
