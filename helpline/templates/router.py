from __future__ import annotations

from fastapi import APIRouter, Depends

from helpline.auth.deps import AdminUser, CurrentUser, SessionDep
from helpline.auth.ratelimit import rate_limit
from helpline.channels.service import get_channel
from helpline.db import RowId
from helpline.messages.schemas import MessageOut
from helpline.templates import service
from helpline.templates.schemas import TemplateOut, TemplateSend

router = APIRouter(tags=["templates"])


@router.get(
    "/api/channels/{channel_id}/templates",
    response_model=list[TemplateOut],
    operation_id="listTemplates",
)
async def list_templates(
    channel_id: RowId, _user: CurrentUser, session: SessionDep
) -> list[TemplateOut]:
    """The channel's templates as last synced: approved first, then the others."""
    channel = await get_channel(session, channel_id)
    rows = await service.list_templates(session, channel.id)
    return [TemplateOut.model_validate(t) for t in rows]


@router.post(
    "/api/channels/{channel_id}/templates/sync",
    response_model=list[TemplateOut],
    operation_id="syncTemplates",
    responses={
        409: {"description": "The channel's provider has no templates"},
        502: {"description": "The provider refused or failed (its reason is in detail)"},
    },
)
async def sync_templates(
    channel_id: RowId, _admin: AdminUser, session: SessionDep
) -> list[TemplateOut]:
    channel = await get_channel(session, channel_id)
    rows = await service.sync_templates(session, channel)
    await session.commit()
    return [TemplateOut.model_validate(t) for t in rows]


@router.post(
    "/api/conversations/{conv_id}/template",
    response_model=MessageOut,
    status_code=201,
    operation_id="sendTemplate",
    dependencies=[Depends(rate_limit("send"))],
)
async def send_template(
    conv_id: RowId, data: TemplateSend, user: CurrentUser, session: SessionDep
) -> MessageOut:
    msg = await service.send_template(session, user, conv_id, data)
    await session.commit()
    return MessageOut.model_validate(msg)
