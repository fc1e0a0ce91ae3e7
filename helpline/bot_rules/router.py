"""Keyword rules and bot messages over HTTP: everyone reads, admins and supervisors edit.

`/api/bot` (the seed's route) acts on `?channel=<id>`, the default channel when omitted;
`/api/channels/{id}/bot` is the same per channel. This router is included before the
channels' `/api/bot/{action}` session routes, so `POST /api/bot/try` is ours."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from helpline.auth.deps import CurrentUser, Overseer, SessionDep
from helpline.bot_rules import service
from helpline.bot_rules.schemas import BotIn, BotOut, TryIn, TryOut
from helpline.channels.models import Channel
from helpline.channels.service import default_channel, get_channel
from helpline.db import RowId

router = APIRouter(prefix="/api/bot", tags=["bot"])
channel_router = APIRouter(prefix="/api/channels", tags=["bot"])

ChannelQuery = Annotated[
    RowId | None, Query(alias="channel", description="a channel id; the default channel if omitted")
]


async def _pick(session: SessionDep, channel_id: int | None) -> Channel:
    if channel_id is None:
        return await default_channel(session)
    return await get_channel(session, channel_id)


async def _save(session: SessionDep, channel: Channel, data: BotIn) -> BotOut:
    out = await service.save_bot(session, channel, data)
    await session.commit()
    return out


@router.get("", response_model=BotOut, operation_id="getBot")
async def get_bot(_user: CurrentUser, session: SessionDep, channel: ChannelQuery = None) -> BotOut:
    return await service.get_bot(session, await _pick(session, channel))


@router.put("", response_model=BotOut, operation_id="saveBot")
async def save_bot(
    data: BotIn, _user: Overseer, session: SessionDep, channel: ChannelQuery = None
) -> BotOut:
    """Replace the channel's welcome and out-of-hours messages and its rules (in priority
    order). An invalid regular expression, an unknown area or flow node: 422, nothing saved."""
    return await _save(session, await _pick(session, channel), data)


@router.post("/try", response_model=TryOut, operation_id="tryBot")
async def try_bot(
    data: TryIn, _user: CurrentUser, session: SessionDep, channel: ChannelQuery = None
) -> TryOut:
    """Which rule would answer this message (of the rules sent, else the saved ones)."""
    picked = await _pick(session, channel)
    return await service.try_message(session, picked, data.text, data.rules)


@channel_router.get("/{channel_id}/bot", response_model=BotOut, operation_id="getChannelBot")
async def get_channel_bot(channel_id: RowId, _user: CurrentUser, session: SessionDep) -> BotOut:
    return await service.get_bot(session, await get_channel(session, channel_id))


@channel_router.put("/{channel_id}/bot", response_model=BotOut, operation_id="saveChannelBot")
async def save_channel_bot(
    channel_id: RowId, data: BotIn, _user: Overseer, session: SessionDep
) -> BotOut:
    return await _save(session, await get_channel(session, channel_id), data)


@channel_router.post("/{channel_id}/bot/try", response_model=TryOut, operation_id="tryChannelBot")
async def try_channel_bot(
    channel_id: RowId, data: TryIn, _user: CurrentUser, session: SessionDep
) -> TryOut:
    channel = await get_channel(session, channel_id)
    return await service.try_message(session, channel, data.text, data.rules)
