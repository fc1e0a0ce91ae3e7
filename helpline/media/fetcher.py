"""The media fetcher: downloads the files providers only named (a Cloud API media id, a URL)
through the channel's provider (`fetch_media`), checks them and stores them.

Like the delivery worker, it claims a batch of due downloads with `FOR UPDATE SKIP LOCKED`
and leases them, so several server processes never fetch one file at once. A failure is
retried with backoff; after `max_attempts` (MEDIA_MAX_ATTEMPTS) the file is `failed` with
the reason, which the console shows beside a retry button (POST /api/media/{id}/retry).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.batches import Wakeup, drain_forever
from helpline.channels.models import Channel
from helpline.channels.providers import build_provider
from helpline.channels.providers.base import FetchedMedia, MediaRef, Provider, ProviderError
from helpline.channels.runtime import ChannelRuntime
from helpline.clock import utcnow
from helpline.conversations.events import announce_message_update
from helpline.conversations.models import Conversation
from helpline.db import Database
from helpline.errors import DomainError
from helpline.media.models import MediaFile, MediaStatus
from helpline.media.service import (
    Inspected,
    MediaStorage,
    failed,
    inspect,
    ready,
    remove_files,
    write_file,
)
from helpline.messages.delivery import backoff
from helpline.messages.models import Message
from helpline.messages.views import load_views

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # a download that takes longer is given to another process

WAKEUP = Wakeup()


def notify() -> None:
    """Something was queued: fetch now rather than at the next poll."""
    WAKEUP.set()


class MediaFetcher:
    def __init__(
        self,
        db: Database,
        storage: MediaStorage,
        max_attempts: int = 5,
        batch_size: int = 8,
        poll_seconds: float = 1.0,
        runtime: ChannelRuntime | None = None,
    ) -> None:
        self.db = db
        self.storage = storage
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.runtime = runtime

    async def run_forever(self) -> None:
        await drain_forever(self.run_once, self.batch_size, WAKEUP, self.poll_seconds, "media")

    async def run_once(self) -> int:
        claimed = await self._claim()
        if not claimed:
            return 0
        providers = await self._providers({m.channel_id for m in claimed})
        await asyncio.gather(*(self._fetch(providers.get(m.channel_id), m) for m in claimed))
        return len(claimed)

    async def _claim(self) -> list[MediaFile]:
        now = utcnow()
        async with self.db.sessionmaker() as session:
            ids = list(
                await session.scalars(
                    select(MediaFile.id)
                    .where(
                        MediaFile.status == MediaStatus.PENDING.value,
                        MediaFile.next_attempt_at <= now,
                    )
                    .order_by(MediaFile.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            )
            if not ids:
                await session.rollback()
                return []
            await session.execute(
                update(MediaFile).where(MediaFile.id.in_(ids)).values(next_attempt_at=now + LEASE)
            )
            await session.commit()
            rows = await session.scalars(select(MediaFile).where(MediaFile.id.in_(ids)))
            return list(rows)

    async def _providers(self, channel_ids: set[int]) -> dict[int, Provider]:
        if self.runtime is not None:
            return await self.runtime.providers(channel_ids)
        async with self.db.sessionmaker() as session:
            rows = await session.scalars(select(Channel).where(Channel.id.in_(channel_ids)))
            return {c.id: build_provider(c.provider, c.config) for c in rows}

    async def _fetch(self, provider: Provider | None, media: MediaFile) -> None:
        try:
            fetched = await _download(provider, media)
            inspected = inspect(fetched.data, self.storage.max_upload_mb)
        except ProviderError as exc:
            await self._record_failure(media.id, exc.reason, exc.transient)
        except DomainError as exc:  # the file itself is refused: trying again changes nothing
            await self._record_failure(media.id, exc.detail, transient=False)
        except Exception as exc:  # a provider bug must not kill the fetcher
            log.exception("fetching media %s crashed", media.id)
            await self._record_failure(media.id, f"{type(exc).__name__}: {exc}"[:200], True)
        else:
            await self._record_ready(media.id, inspected)

    async def _record_ready(self, media_id: int, inspected: Inspected) -> None:
        path = await write_file(self.storage.upload_dir, inspected)
        try:
            async with self.db.sessionmaker() as session:
                media = await session.get(MediaFile, media_id)
                if media is None or media.status != MediaStatus.PENDING:
                    remove_files(self.storage.upload_dir, [path])  # deleted, or done elsewhere
                    return
                media.attempts += 1
                ready(media, inspected, path, claimed=media.kind)
                await _announce(session, media)
                await session.commit()
        except BaseException:
            remove_files(self.storage.upload_dir, [path])
            raise

    async def _record_failure(self, media_id: int, reason: str, transient: bool) -> None:
        async with self.db.sessionmaker() as session:
            media = await session.get(MediaFile, media_id)
            if media is None or media.status != MediaStatus.PENDING:
                return
            media.attempts += 1
            if transient and media.attempts < self.max_attempts:
                log.warning("media %s: %s; retry %s", media.id, reason, media.attempts)
                media.error = reason[:500]  # shown while it waits for the next try
                media.next_attempt_at = utcnow() + backoff(media.attempts)
            else:
                log.warning("media %s failed for good: %s", media.id, reason)
                failed(media, reason)
                await _announce(session, media)
            await session.commit()


async def _download(provider: Provider | None, media: MediaFile) -> FetchedMedia:
    if provider is None:
        raise ProviderError("The channel of this file no longer exists", transient=False)
    fetch = getattr(provider, "fetch_media", None)
    if fetch is None:
        raise ProviderError(f"The {provider.name} provider cannot download files", transient=False)
    ref = MediaRef(
        kind=media.kind,
        mime_type=media.mime_type,
        filename=media.filename,
        voice=media.voice,
        media_id=media.source_media_id,
        url=media.source_url,
    )
    fetched: FetchedMedia = await fetch(ref)
    return fetched


async def _announce(session: AsyncSession, media: MediaFile) -> None:
    msg = await session.get(Message, media.message_id)
    conv = await session.get(Conversation, msg.conversation_id) if msg else None
    if msg is None or conv is None:
        return
    msg.media = media
    await load_views(session, [msg])
    announce_message_update(session, msg, conv)
