"""What a message shows beside its own row: its file and the message it quotes.

`load_views` attaches both to any number of messages with at most two statements, so a
page of a conversation costs the same whatever it holds (no query per message)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.channels.providers.base import MEDIA_KINDS
from helpline.media.models import MediaFile
from helpline.messages.models import Message


async def load_views(session: AsyncSession, messages: Iterable[Message]) -> None:
    """Set `media` and `quoted` on each message (reactions are a column of the row)."""
    messages = list(messages)
    with_media = {m.id: m for m in messages if m.type in MEDIA_KINDS and m.media is None}
    if with_media:
        rows = await session.scalars(select(MediaFile).where(MediaFile.message_id.in_(with_media)))
        for media in rows:
            with_media[media.message_id].media = media
    by_id = {m.id: m for m in messages}
    quoting = [m for m in messages if m.quoted_id is not None and m.quoted is None]
    missing = {m.quoted_id for m in quoting if m.quoted_id not in by_id}
    if missing:
        found = await session.scalars(select(Message).where(Message.id.in_(missing)))
        by_id.update({m.id: m for m in found.unique()})
    for msg in quoting:
        msg.quoted = by_id.get(msg.quoted_id) if msg.quoted_id is not None else None
