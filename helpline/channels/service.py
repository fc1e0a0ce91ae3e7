from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.areas.models import Area
from helpline.channels.models import Channel
from helpline.channels.schemas import ChannelCreate
from helpline.contacts.service import normalize_phone
from helpline.errors import NotFound, Unprocessable


async def list_channels(session: AsyncSession) -> list[Channel]:
    return list(await session.scalars(select(Channel).order_by(Channel.id)))


async def get_channel(session: AsyncSession, channel_id: int) -> Channel:
    channel = await session.get(Channel, channel_id)
    if channel is None:
        raise NotFound(f"Channel {channel_id} not found")
    return channel


async def create_channel(session: AsyncSession, data: ChannelCreate) -> Channel:
    if data.default_area_id is not None and await session.get(Area, data.default_area_id) is None:
        raise Unprocessable(f"Unknown area id {data.default_area_id}")
    first = await session.scalar(select(Channel.id).limit(1)) is None
    if data.is_default:
        await session.execute(update(Channel).values(is_default=False))
    channel = Channel(
        name=data.name.strip(),
        provider=data.provider,
        phone=normalize_phone(data.phone) if data.phone else None,
        # The sandbox network is always there; real providers connect in their own step.
        status="connected" if data.provider == "sandbox" else "disconnected",
        config=data.config,
        is_default=data.is_default or first,
        default_area_id=data.default_area_id,
    )
    session.add(channel)
    await session.flush()
    return channel
