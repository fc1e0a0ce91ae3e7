from __future__ import annotations

from fastapi import APIRouter

from helpline.channels import service
from helpline.channels.schemas import ChannelCreate, ChannelOut
from helpline.deps import AdminUser, CurrentUser, SessionDep

router = APIRouter(prefix="/api/channels", tags=["channels"])


@router.get("", response_model=list[ChannelOut], operation_id="listChannels")
async def list_channels(_user: CurrentUser, session: SessionDep) -> list[ChannelOut]:
    return [ChannelOut.model_validate(c) for c in await service.list_channels(session)]


@router.post("", response_model=ChannelOut, status_code=201, operation_id="createChannel")
async def create_channel(data: ChannelCreate, _admin: AdminUser, session: SessionDep) -> ChannelOut:
    channel = await service.create_channel(session, data)
    await session.commit()
    return ChannelOut.model_validate(channel)


@router.get("/{channel_id}", response_model=ChannelOut, operation_id="getChannel")
async def get_channel(channel_id: int, _user: CurrentUser, session: SessionDep) -> ChannelOut:
    return ChannelOut.model_validate(await service.get_channel(session, channel_id))
