from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from helpline.auth.deps import AdminUser, CurrentUser, Overseer, SessionDep
from helpline.auth.models import Role
from helpline.auth.ratelimit import rate_limit, rate_limit_action
from helpline.channels import control, service
from helpline.channels.models import Channel
from helpline.channels.providers import LABELS, PROVIDERS, config_fields
from helpline.channels.providers.base import has_reply_window
from helpline.channels.runtime import ChannelRuntime
from helpline.channels.schemas import (
    ChannelCreate,
    ChannelEventOut,
    ChannelLogOut,
    ChannelMetadata,
    ChannelOut,
    ChannelQrOut,
    ChannelStatusOut,
    ChannelUpdate,
    ConfigFieldOut,
    ProviderOut,
)
from helpline.db import RowId

router = APIRouter(prefix="/api/channels", tags=["channels"])
# The seed's session-control routes: the same actions on the default channel.
bot_router = APIRouter(prefix="/api/bot", tags=["channels"])


async def _runtime(request: Request) -> ChannelRuntime:
    runtime: ChannelRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[ChannelRuntime, Depends(_runtime)]
Limit = Annotated[int, Query(ge=1, le=500)]


async def _channel(channel_id: RowId, session: SessionDep) -> Channel:
    return await service.get_channel(session, channel_id)


async def _default(session: SessionDep) -> Channel:
    return await service.default_channel(session)


ChannelDep = Annotated[Channel, Depends(_channel)]
DefaultChannel = Annotated[Channel, Depends(_default)]


@router.get("/providers", response_model=list[ProviderOut], operation_id="listProviders")
async def list_providers(_user: Overseer) -> list[ProviderOut]:
    return [
        ProviderOut(
            name=name,
            label=LABELS.get(name, name),
            config_fields=[ConfigFieldOut.model_validate(f) for f in config_fields(name)],
            session=service.has_session(name),
            reply_window=has_reply_window(cls),
        )
        for name, cls in PROVIDERS.items()
    ]


@router.get(
    "",
    response_model=list[ChannelOut],
    operation_id="listChannels",
    dependencies=[Depends(rate_limit("connections"))],
)
async def list_channels(user: CurrentUser, session: SessionDep) -> list[ChannelOut]:
    """Everyone needs the numbers' names; only admins see their configuration."""
    channels = [ChannelOut.of(c) for c in await service.list_channels(session)]
    dropped = await service.drops_today(session)
    for channel in channels:
        channel.dropped_today = dropped.get(channel.id, 0)
        if user.role != Role.ADMIN:
            channel.config = {}
    return channels


@router.post("", response_model=ChannelOut, status_code=201, operation_id="createChannel")
async def create_channel(
    data: ChannelCreate, _admin: AdminUser, session: SessionDep, runtime: RuntimeDep
) -> ChannelOut:
    channel = await service.create_channel(session, data)
    await session.commit()
    if service.has_session(channel.provider):
        await control.start(session, runtime, channel)
        await session.refresh(channel)
    return ChannelOut.of(channel)


@router.get("/{channel_id}", response_model=ChannelOut, operation_id="getChannel")
async def get_channel(user: CurrentUser, channel: ChannelDep) -> ChannelOut:
    out = ChannelOut.of(channel)
    if user.role != Role.ADMIN:
        out.config = {}
    return out


@router.patch("/{channel_id}", response_model=ChannelOut, operation_id="updateChannel")
async def update_channel(
    data: ChannelUpdate, _admin: AdminUser, session: SessionDep, channel: ChannelDep
) -> ChannelOut:
    await service.update_channel(session, channel, data)
    await session.commit()
    return ChannelOut.of(channel)


@router.delete("/{channel_id}", status_code=204, operation_id="deleteChannel")
async def delete_channel(
    _admin: AdminUser, session: SessionDep, channel: ChannelDep, runtime: RuntimeDep
) -> Response:
    await service.delete_channel(session, channel)
    await session.commit()
    runtime.wake()
    return Response(status_code=204)


@router.get(
    "/{channel_id}/history", response_model=list[ChannelEventOut], operation_id="channelHistory"
)
async def channel_history(
    _user: Overseer, session: SessionDep, channel: ChannelDep, limit: Limit = 50
) -> list[ChannelEventOut]:
    rows = await service.history(session, channel.id, "state", limit)
    return [
        ChannelEventOut(id=r.id, status=r.value, detail=r.message, created_at=r.created_at)
        for r in rows
    ]


@router.get("/{channel_id}/log", response_model=list[ChannelLogOut], operation_id="channelLog")
async def channel_log(
    _user: Overseer, session: SessionDep, channel: ChannelDep, limit: Limit = 100
) -> list[ChannelLogOut]:
    rows = await service.history(session, channel.id, "log", limit)
    return [
        ChannelLogOut(id=r.id, level=r.value, message=r.message or "", created_at=r.created_at)
        for r in rows
    ]


# --- session control, per channel and (seed routes) on the default channel -------------


async def _act(
    action: str, session: SessionDep, runtime: ChannelRuntime, channel: Channel
) -> ChannelOut:
    if action == "start":
        await control.start(session, runtime, channel)
    elif action in ("stop", "logout"):
        await control.stop(session, runtime, channel, logout=action == "logout")
    elif action == "pause":
        await control.pause(session, channel)
    else:
        await control.resume(session, channel)
    await session.refresh(channel)
    return ChannelOut.of(channel)


async def _metadata(session: SessionDep, channel: Channel, data: ChannelMetadata) -> ChannelOut:
    await service.update_metadata(session, channel, data)
    await session.commit()
    return ChannelOut.of(channel)


Action = Literal["start", "stop", "pause", "resume", "logout"]
STATUS_LIMIT = [Depends(rate_limit("status"))]
# start and resume (re)connect; stop, logout and pause take the number off the desk.
ACTION_LIMIT = [
    Depends(
        rate_limit_action(
            {
                "start": "connect",
                "resume": "connect",
                "stop": "disconnect",
                "logout": "disconnect",
                "pause": "disconnect",
            }
        )
    )
]


@router.get(
    "/{channel_id}/status",
    response_model=ChannelStatusOut,
    operation_id="channelStatus",
    dependencies=STATUS_LIMIT,
)
async def channel_status(_user: Overseer, channel: ChannelDep) -> ChannelStatusOut:
    return service.status_out(channel)


@router.get(
    "/{channel_id}/qr",
    response_model=ChannelQrOut,
    operation_id="channelQr",
    dependencies=STATUS_LIMIT,
)
async def channel_qr(_user: Overseer, channel: ChannelDep) -> ChannelQrOut:
    return service.qr_out(channel)


@router.post(
    "/{channel_id}/{action}",
    response_model=ChannelOut,
    operation_id="channelAction",
    dependencies=ACTION_LIMIT,
)
async def channel_action(
    action: Action, _admin: AdminUser, session: SessionDep, runtime: RuntimeDep, channel: ChannelDep
) -> ChannelOut:
    """start, stop, pause, resume or logout."""
    return await _act(action, session, runtime, channel)


@router.patch("/{channel_id}/metadata", response_model=ChannelOut, operation_id="channelMetadata")
async def channel_metadata(
    data: ChannelMetadata, _admin: AdminUser, session: SessionDep, channel: ChannelDep
) -> ChannelOut:
    return await _metadata(session, channel, data)


@bot_router.get(
    "/status", response_model=ChannelStatusOut, operation_id="botStatus", dependencies=STATUS_LIMIT
)
async def bot_status(_user: Overseer, channel: DefaultChannel) -> ChannelStatusOut:
    return service.status_out(channel)


@bot_router.get("/qr", response_model=ChannelQrOut, operation_id="botQr", dependencies=STATUS_LIMIT)
async def bot_qr(_user: Overseer, channel: DefaultChannel) -> ChannelQrOut:
    return service.qr_out(channel)


@bot_router.post(
    "/{action}", response_model=ChannelOut, operation_id="botAction", dependencies=ACTION_LIMIT
)
async def bot_action(
    action: Action,
    _admin: AdminUser,
    session: SessionDep,
    runtime: RuntimeDep,
    channel: DefaultChannel,
) -> ChannelOut:
    """start, stop, pause, resume or logout the default channel."""
    return await _act(action, session, runtime, channel)


@bot_router.patch("/metadata", response_model=ChannelOut, operation_id="botMetadata")
async def bot_metadata(
    data: ChannelMetadata, _admin: AdminUser, session: SessionDep, channel: DefaultChannel
) -> ChannelOut:
    return await _metadata(session, channel, data)
