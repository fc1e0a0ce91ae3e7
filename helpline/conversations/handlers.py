"""Conversations' answers to the hooks of the layers below (connected in helpline.wiring)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.areas.models import Area
from helpline.channels.models import Channel
from helpline.conversations.models import Conversation
from helpline.conversations.routing import drain_areas
from helpline.errors import Conflict


async def drain_queues(session: AsyncSession, area_ids: Sequence[int]) -> None:
    await drain_areas(session, list(area_ids))


async def refuse_area_with_history(session: AsyncSession, area: Area) -> None:
    used = await session.scalar(
        select(func.count()).select_from(Conversation).where(Conversation.area_id == area.id)
    )
    if used:
        raise Conflict(
            f"Area '{area.name}' has {used} conversation(s) in its history; deactivate it instead"
        )


async def refuse_channel_with_history(session: AsyncSession, channel: Channel) -> None:
    used = await session.scalar(select(exists().where(Conversation.channel_id == channel.id)))
    if used:
        raise Conflict(
            "This number has conversations, so it cannot be deleted: stop or pause it instead"
        )
