from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from helpline.auth.deps import CurrentUser, SessionDep
from helpline.db import RowId
from helpline.quick_replies import service
from helpline.quick_replies.schemas import QuickReplyIn, QuickReplyOut, ReorderIn

router = APIRouter(prefix="/api/quick-replies", tags=["quick-replies"])


@router.get("", response_model=list[QuickReplyOut], operation_id="listQuickReplies")
async def list_replies(
    user: CurrentUser, session: SessionDep, q: Annotated[str | None, Query(max_length=40)] = None
) -> list[QuickReplyOut]:
    return [QuickReplyOut.model_validate(r) for r in await service.list_replies(session, user, q)]


@router.get(
    "/shortcut/{shortcut}", response_model=QuickReplyOut, operation_id="quickReplyByShortcut"
)
async def by_shortcut(shortcut: str, user: CurrentUser, session: SessionDep) -> QuickReplyOut:
    return QuickReplyOut.model_validate(await service.by_shortcut(session, user, shortcut))


@router.post("/reorder", response_model=list[QuickReplyOut], operation_id="reorderQuickReplies")
async def reorder(data: ReorderIn, user: CurrentUser, session: SessionDep) -> list[QuickReplyOut]:
    replies = await service.reorder(session, user, data.ids)
    await session.commit()
    return [QuickReplyOut.model_validate(r) for r in replies]


@router.get("/{reply_id}", response_model=QuickReplyOut, operation_id="getQuickReply")
async def get_reply(reply_id: RowId, user: CurrentUser, session: SessionDep) -> QuickReplyOut:
    return QuickReplyOut.model_validate(await service.get_reply(session, user, reply_id))


@router.post("", response_model=QuickReplyOut, status_code=201, operation_id="createQuickReply")
async def create_reply(data: QuickReplyIn, user: CurrentUser, session: SessionDep) -> QuickReplyOut:
    reply = await service.create_reply(session, user, data)
    await session.commit()
    return QuickReplyOut.model_validate(reply)


@router.put("/{reply_id}", response_model=QuickReplyOut, operation_id="updateQuickReply")
async def update_reply(
    reply_id: RowId, data: QuickReplyIn, user: CurrentUser, session: SessionDep
) -> QuickReplyOut:
    reply = await service.update_reply(session, user, reply_id, data)
    await session.commit()
    return QuickReplyOut.model_validate(reply)


@router.delete(
    "/{reply_id}", status_code=status.HTTP_204_NO_CONTENT, operation_id="deleteQuickReply"
)
async def delete_reply(reply_id: RowId, user: CurrentUser, session: SessionDep) -> None:
    await service.delete_reply(session, user, reply_id)
    await session.commit()
