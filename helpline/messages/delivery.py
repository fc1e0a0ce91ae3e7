"""The delivery worker: sends queued messages through their channel's provider.

A batch is claimed with `SELECT ... FOR UPDATE SKIP LOCKED` (SQLite: one writer at a time
anyway), so any number of server processes can run a worker without sending a message
twice. A claim is a lease: a process that dies mid-send gives its messages back when the
lease runs out (at-least-once delivery: only a message whose send was under way when the
process died can reach the customer twice).

A conversation's messages leave in order: one waiting for a retry holds back those queued
after it, so a provider that is down for a while gets them all, in order, once it is back.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from helpline import metrics, outbox
from helpline.batches import drain_forever
from helpline.channels.models import Channel, ChannelState
from helpline.channels.providers import build_provider
from helpline.channels.providers.base import (
    OutboundMedia,
    OutboundText,
    Provider,
    ProviderError,
)
from helpline.channels.runtime import ChannelRuntime
from helpline.clock import utcnow
from helpline.conversations.events import announce_status
from helpline.conversations.models import Conversation
from helpline.db import Database
from helpline.media.models import MediaStatus
from helpline.media.service import MediaStorage, download_name
from helpline.messages.hooks import MESSAGE_SENT, MESSAGE_STATUS
from helpline.messages.models import Message, MessageStatus
from helpline.messages.service import advance_status
from helpline.messages.views import load_views
from helpline.presence.service import NODE

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
DEFAULT_STORAGE = MediaStorage()
MAX_BACKOFF_SECONDS = 300


# Replies to senders a known-contacts-only channel does not keep (channel id, address,
# text). Neither the sender nor the reply is stored, so they wait here, in this process,
# for its worker: best effort, at most one a day per sender and channel.
_REPLIES: list[tuple[int, str, str]] = []
_REPLIED: dict[tuple[int, str], date] = {}


def queue_reply(channel_id: int, address: str, text: str) -> None:
    today = utcnow().date()
    if _REPLIED.get((channel_id, address)) == today:
        return
    if len(_REPLIED) > 100_000:  # yesterday's senders are not needed
        for key in [k for k, day in _REPLIED.items() if day != today]:
            del _REPLIED[key]
    _REPLIED[(channel_id, address)] = today
    _REPLIES.append((channel_id, address, text))
    outbox.notify()


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(MAX_BACKOFF_SECONDS, 2 ** (attempts - 1)))


class DeliveryWorker:
    def __init__(
        self,
        db: Database,
        max_attempts: int,
        batch_size: int = 50,
        poll_seconds: float = 1.0,
        runtime: ChannelRuntime | None = None,
        upload_dir: Path = DEFAULT_STORAGE.upload_dir,
        lease: timedelta = LEASE,
    ) -> None:
        self.db = db
        self.lease = lease
        self.upload_dir = upload_dir  # where the files of media messages are
        self.runtime = runtime
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds

    async def run_forever(self) -> None:
        await drain_forever(
            self.run_once, self.batch_size, outbox.WAKEUP, self.poll_seconds, "delivery"
        )

    async def run_once(self) -> int:
        replied = await self._send_replies()
        claimed = await self._claim()
        if not claimed:
            return replied
        providers = await self._providers({m.channel_id for m in claimed})
        async with self.db.sessionmaker() as session:
            await load_views(session, claimed)  # their files and the messages they quote
        # Messages to one phone go out in order; different phones go out concurrently.
        lanes: dict[tuple[int, str | None], list[Message]] = defaultdict(list)
        for msg in claimed:
            lanes[(msg.channel_id, msg.to_phone)].append(msg)
        await asyncio.gather(
            *(self._send_lane(providers[key[0]], lane) for key, lane in lanes.items())
        )
        return len(claimed)

    async def _claim(self) -> list[Message]:
        """Lock a batch of due messages (skipping rows other workers hold) and lease them."""
        now = utcnow()
        due = or_(
            and_(Message.status == MessageStatus.QUEUED.value, Message.next_attempt_at <= now),
            # A lease that ran out belongs to a process that died mid-send: take it over.
            and_(Message.status == MessageStatus.SENDING.value, Message.next_attempt_at < now),
        )
        # An earlier message of the same conversation that is waiting for its retry, or is
        # being sent by another worker, goes first: this one waits for it.
        earlier = aliased(Message)
        held_back = (
            select(earlier.id)
            .where(
                earlier.conversation_id == Message.conversation_id,
                earlier.id < Message.id,
                or_(
                    and_(
                        earlier.status == MessageStatus.QUEUED.value,
                        earlier.next_attempt_at > now,
                    ),
                    and_(
                        earlier.status == MessageStatus.SENDING.value,
                        earlier.next_attempt_at >= now,
                    ),
                ),
            )
            .exists()
        )
        # Only channels that are up: a paused, stopped or broken number keeps its messages
        # queued until it is back. A session held by one process is sent through by it.
        sendable = select(Channel.id).where(
            Channel.status == ChannelState.CONNECTED.value,
            or_(Channel.owner_node.is_(None), Channel.owner_node == NODE),
        )
        async with self.db.sessionmaker() as session:
            ids = list(
                await session.scalars(
                    select(Message.id)
                    .where(due, ~held_back, Message.channel_id.in_(sendable))
                    .order_by(Message.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            )
            if not ids:
                await session.rollback()
                return []
            await session.execute(
                update(Message)
                .where(Message.id.in_(ids))
                .values(status=MessageStatus.SENDING.value, next_attempt_at=now + self.lease)
            )
            await session.commit()
            rows = await session.scalars(
                select(Message).where(Message.id.in_(ids)).order_by(Message.id)
            )
            return list(rows.unique())

    async def _send_replies(self) -> int:
        if not _REPLIES:
            return 0
        taken = _REPLIES[: self.batch_size]
        del _REPLIES[: len(taken)]
        providers = await self._providers({channel_id for channel_id, _, _ in taken})
        for channel_id, address, text in taken:
            provider = providers.get(channel_id)
            try:
                if provider is None:
                    raise ProviderError("the channel is not running", transient=False)
                await provider.send_text(OutboundText(message_id=0, to_phone=address, body=text))
            except Exception as exc:  # best effort: one failure must not stop the others
                log.warning("reply to an unknown sender on channel %s failed: %s", channel_id, exc)
        return len(taken)

    async def _providers(self, channel_ids: set[int]) -> dict[int, Provider]:
        if self.runtime is not None:
            return await self.runtime.providers(channel_ids)
        async with self.db.sessionmaker() as session:
            rows = await session.scalars(select(Channel).where(Channel.id.in_(channel_ids)))
            return {c.id: build_provider(c.provider, c.config) for c in rows}

    async def _send_lane(self, provider: Provider, lane: list[Message]) -> None:
        for index, msg in enumerate(lane):
            if not await self._send_one(provider, msg):
                # It waits for a retry: the ones after it must not overtake it.
                await self._release([m.id for m in lane[index + 1 :]])
                return

    async def _release(self, message_ids: list[int]) -> None:
        """Give back claimed messages that were not tried (no attempt counted)."""
        if not message_ids:
            return
        async with self.db.sessionmaker() as session:
            await session.execute(
                update(Message)
                .where(Message.id.in_(message_ids), Message.status == MessageStatus.SENDING.value)
                .values(status=MessageStatus.QUEUED.value, next_attempt_at=utcnow())
            )
            await session.commit()

    async def _send_one(self, provider: Provider, msg: Message) -> bool:
        """False when the message waits for a retry."""
        try:
            outbound = OutboundText(
                message_id=msg.id,
                to_phone=msg.to_phone or "",
                body=msg.body,
                payload=msg.payload,
                media=self._media(msg),
                quoted_id=msg.quoted.provider_message_id if msg.quoted else None,
            )
            result = await provider.send_text(outbound)
        except ProviderError as exc:
            return await self._record_failure(msg.id, exc)
        except Exception as exc:  # a provider bug must not kill the worker or lose the message
            log.exception("provider %s crashed sending message %s", provider.name, msg.id)
            return await self._record_failure(msg.id, ProviderError(str(exc)[:200], transient=True))
        await self._record_sent(msg.id, result.provider_message_id, result.status)
        return True

    def _media(self, msg: Message) -> OutboundMedia | None:
        media = msg.media
        if media is None:
            return None
        if media.status != MediaStatus.READY or not media.stored_path:
            raise ProviderError("The file of this message is not available", transient=False)
        return OutboundMedia(
            kind=media.kind,
            mime_type=media.mime_type or "application/octet-stream",
            filename=download_name(media),
            path=(self.upload_dir / media.stored_path).resolve(),
            size=media.size or 0,
        )

    async def _record_sent(self, message_id: int, provider_id: str, status: str) -> None:
        async with self.db.sessionmaker() as session:
            msg = await session.get(Message, message_id)
            assert msg is not None
            msg.provider_message_id = provider_id
            msg.next_attempt_at = None
            msg.attempts += 1
            msg.status = MessageStatus.SENDING.value
            advance_status(msg, status)
            await self._announce(session, msg)
            await MESSAGE_SENT.run(session, msg)
            channel, waited = str(msg.channel_id), (utcnow() - msg.created_at).total_seconds()
            await session.commit()
        metrics.MESSAGES.labels("out", channel).inc()
        metrics.DELIVERY_SECONDS.observe(waited)

    async def _record_failure(self, message_id: int, exc: ProviderError) -> bool:
        """Records the attempt; False when the message waits for a retry."""
        async with self.db.sessionmaker() as session:
            msg = await session.get(Message, message_id)
            assert msg is not None
            msg.attempts += 1
            msg.error = exc.reason[:500]
            final = not (exc.transient and msg.attempts < self.max_attempts)
            metrics.DELIVERY_FAILURES.labels(str(msg.channel_id), str(final).lower()).inc()
            if not final:
                log.warning("message %s: %s; retry %s", msg.id, exc.reason, msg.attempts)
                msg.status = MessageStatus.QUEUED.value
                msg.next_attempt_at = utcnow() + backoff(msg.attempts)
                await session.commit()
                return False
            log.warning("message %s failed for good: %s", msg.id, exc.reason)
            msg.status = MessageStatus.FAILED.value
            msg.next_attempt_at = None
            await self._announce(session, msg)
            await MESSAGE_STATUS.run(session, msg)
            await session.commit()
            return True

    async def _announce(self, session: AsyncSession, msg: Message) -> None:
        conv = await session.get(Conversation, msg.conversation_id)
        assert conv is not None
        announce_status(session, msg, conv)
