from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from helpline.auth.deps import CurrentUser, SessionDep, SettingsDep
from helpline.conversations.schemas import ConversationOut
from helpline.db import RowId
from helpline.errors import ErrorOut
from helpline.media.schemas import MediaOut
from helpline.messages.deps import IngestWriterDep
from helpline.messages.ingest import NotKept
from helpline.messages.models import Direction
from helpline.sandbox import service
from helpline.sandbox.schemas import (
    SandboxInbound,
    SandboxInboundOut,
    SandboxMessageOut,
    SandboxOutbound,
    SandboxRead,
    SandboxReadOut,
)

router = APIRouter(prefix="/api/sandbox", tags=["sandbox"])

Phone = Annotated[str, Query(min_length=3, max_length=40)]


@router.post(
    "/{channel_id}/inbound",
    response_model=SandboxInboundOut,
    status_code=201,
    responses={202: {"model": ErrorOut, "description": "not kept: known contacts only"}},
    operation_id="sandboxInbound",
)
async def inbound(
    channel_id: RowId,
    data: SandboxInbound,
    response: Response,
    _user: CurrentUser,
    session: SessionDep,
    writer: IngestWriterDep,
    settings: SettingsDep,
) -> SandboxInboundOut | JSONResponse:
    try:
        result = await service.receive(session, writer, channel_id, data, settings.max_upload_mb)
    except NotKept as exc:  # the channel keeps known contacts only: counted, not stored
        return JSONResponse({"detail": str(exc)}, status_code=202)
    if result.duplicate:
        response.status_code = 200
    return SandboxInboundOut(
        message=SandboxMessageOut.model_validate(result.message),
        conversation=ConversationOut.model_validate(result.conversation),
        duplicate=result.duplicate,
    )


@router.get(
    "/{channel_id}/outbound", response_model=list[SandboxOutbound], operation_id="sandboxOutbound"
)
async def outbound(
    channel_id: RowId, to: Phone, _user: CurrentUser, session: SessionDep
) -> list[SandboxOutbound]:
    messages = await service.thread(session, channel_id, to, Direction.OUT)
    return [
        SandboxOutbound(
            id=m.id,
            to=m.to_phone or "",
            body=m.body,
            type=m.type,
            payload=m.payload,
            status=m.status,
            error=m.error,
            created_at=m.created_at,
            media=MediaOut.model_validate(m.media) if m.media else None,
            provider_message_id=m.provider_message_id,
        )
        for m in messages
    ]


@router.get(
    "/{channel_id}/thread", response_model=list[SandboxMessageOut], operation_id="sandboxThread"
)
async def thread(
    channel_id: RowId, to: Phone, _user: CurrentUser, session: SessionDep
) -> list[SandboxMessageOut]:
    messages = await service.thread(session, channel_id, to)
    return [SandboxMessageOut.model_validate(m) for m in messages]


@router.post("/{channel_id}/read", response_model=SandboxReadOut, operation_id="sandboxRead")
async def read(
    channel_id: RowId, data: SandboxRead, _user: CurrentUser, session: SessionDep
) -> SandboxReadOut:
    updated = await service.read_all(session, channel_id, data.to)
    await session.commit()
    return SandboxReadOut(updated=updated)
