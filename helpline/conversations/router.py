from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from helpline.auth.deps import CurrentUser, Overseer, SessionDep
from helpline.auth.ratelimit import rate_limit
from helpline.conversations import service
from helpline.conversations.schemas import (
    AssignIn,
    ConversationEventOut,
    ConversationOut,
    InboxQuery,
    TransferIn,
)
from helpline.db import RowId
from helpline.messages.schemas import MessageIn, MessageOut, Page

router = APIRouter(prefix="/api/conversations", tags=["conversations"])

PageNumber = Annotated[int, Query(ge=1, le=100_000)]
PageSize = Annotated[int, Query(ge=1, le=200, alias="pageSize")]


@router.get("", response_model=Page[ConversationOut], operation_id="listConversations")
async def list_conversations(
    user: CurrentUser, session: SessionDep, filters: Annotated[InboxQuery, Query()]
) -> Page[ConversationOut]:
    items, total = await service.list_conversations(session, user, filters)
    return Page(
        items=[ConversationOut.model_validate(c) for c in items],
        total=total,
        page=filters.page,
        page_size=filters.page_size,
    )


@router.get("/{conv_id}", response_model=ConversationOut, operation_id="getConversation")
async def get_conversation(
    conv_id: RowId, user: CurrentUser, session: SessionDep
) -> ConversationOut:
    return ConversationOut.model_validate(await service.access_conversation(session, user, conv_id))


@router.get(
    "/{conv_id}/messages",
    response_model=Page[MessageOut],
    operation_id="listConversationMessages",
    dependencies=[Depends(rate_limit("messages"))],
)
async def list_messages(
    conv_id: RowId,
    user: CurrentUser,
    session: SessionDep,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> Page[MessageOut]:
    items, total = await service.list_messages(session, user, conv_id, page, page_size)
    return Page(
        items=[MessageOut.model_validate(m) for m in items],
        total=total,
        page=page,
        page_size=page_size,
    )


@router.post(
    "/{conv_id}/messages",
    response_model=MessageOut,
    status_code=201,
    operation_id="sendMessage",
    dependencies=[Depends(rate_limit("send"))],
)
async def send_message(
    conv_id: RowId, data: MessageIn, user: CurrentUser, session: SessionDep
) -> MessageOut:
    msg = await service.reply(session, user, conv_id, data.body, data.quoted_id)
    await session.commit()
    return MessageOut.model_validate(msg)


@router.post("/{conv_id}/notes", response_model=MessageOut, status_code=201, operation_id="addNote")
async def add_note(
    conv_id: RowId, data: MessageIn, user: CurrentUser, session: SessionDep
) -> MessageOut:
    note = await service.add_note(session, user, conv_id, data.body)
    await session.commit()
    return MessageOut.model_validate(note)


@router.post("/{conv_id}/close", response_model=ConversationOut, operation_id="closeConversation")
async def close_conversation(
    conv_id: RowId, user: CurrentUser, session: SessionDep
) -> ConversationOut:
    conv = await service.access_conversation(session, user, conv_id)
    await service.close(session, user, conv)
    await session.commit()
    return ConversationOut.model_validate(conv)


@router.post("/{conv_id}/take", response_model=ConversationOut, operation_id="takeConversation")
async def take_conversation(
    conv_id: RowId, user: CurrentUser, session: SessionDep
) -> ConversationOut:
    conv = await service.take(session, user, conv_id)
    await session.commit()
    return ConversationOut.model_validate(conv)


@router.post("/{conv_id}/assign", response_model=ConversationOut, operation_id="assignConversation")
async def assign_conversation(
    conv_id: RowId, data: AssignIn, user: Overseer, session: SessionDep
) -> ConversationOut:
    conv = await service.assign(session, user, conv_id, data.user_id)
    await session.commit()
    return ConversationOut.model_validate(conv)


@router.post(
    "/{conv_id}/transfer", response_model=ConversationOut, operation_id="transferConversation"
)
async def transfer_conversation(
    conv_id: RowId, data: TransferIn, user: CurrentUser, session: SessionDep
) -> ConversationOut:
    conv = await service.transfer(
        session, user, conv_id, user_id=data.user_id, area_id=data.area_id, note=data.note
    )
    await session.commit()
    return ConversationOut.model_validate(conv)


@router.post("/{conv_id}/read", response_model=ConversationOut, operation_id="markConversationRead")
async def mark_read(conv_id: RowId, user: CurrentUser, session: SessionDep) -> ConversationOut:
    conv = await service.mark_read(session, user, conv_id)
    await session.commit()
    return ConversationOut.model_validate(conv)


@router.get(
    "/{conv_id}/events",
    response_model=list[ConversationEventOut],
    operation_id="listConversationEvents",
)
async def list_events(
    conv_id: RowId, user: CurrentUser, session: SessionDep
) -> list[ConversationEventOut]:
    events = await service.list_events(session, user, conv_id)
    return [ConversationEventOut.model_validate(e) for e in events]
