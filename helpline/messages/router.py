from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, select

from helpline.auth.deps import AdminUser, CurrentUser, SessionDep
from helpline.auth.ratelimit import rate_limit
from helpline.auth.service import user_area_ids
from helpline.conversations.access import visible_filter
from helpline.conversations.models import Conversation
from helpline.db import RowId
from helpline.errors import NotFound
from helpline.messages.models import RAW_KEY, Message, MessageStatus
from helpline.messages.schemas import MessageOut, MessageRawOut, Page
from helpline.messages.views import load_views

router = APIRouter(prefix="/api/messages", tags=["messages"])


@router.get(
    "",
    response_model=Page[MessageOut],
    operation_id="listMessages",
    dependencies=[Depends(rate_limit("messages"))],
)
async def list_messages(
    user: CurrentUser,
    session: SessionDep,
    conversation_id: Annotated[RowId | None, Query(alias="conversationId")] = None,
    direction: Literal["in", "out"] | None = None,
    status: MessageStatus | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200, alias="pageSize")] = 50,
) -> Page[MessageOut]:
    """Messages across the conversations the user may see, newest first."""
    query = (
        select(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(visible_filter(user, await user_area_ids(session, user.id)))
    )
    if conversation_id is not None:
        query = query.where(Message.conversation_id == conversation_id)
    if direction:
        query = query.where(Message.direction == direction)
    if status:
        query = query.where(Message.status == status.value)
    if q and q.strip():
        query = query.where(func.lower(Message.body).like(f"%{q.strip().lower()}%"))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(Message.id.desc()).offset((page - 1) * page_size).limit(page_size)
    )
    messages = list(rows.unique())
    await load_views(session, messages)
    return Page(
        items=[MessageOut.model_validate(m) for m in messages],
        total=int(total or 0),
        page=page,
        page_size=page_size,
    )


@router.get("/{message_id}/raw", response_model=MessageRawOut, operation_id="getMessageRaw")
async def message_raw(
    _: AdminUser,
    session: SessionDep,
    message_id: RowId,
) -> MessageRawOut:
    """What the provider sent for a message the desk cannot show yet (admins only);
    `raw` is null for any other message."""
    msg = await session.get(Message, message_id)
    if msg is None:
        raise NotFound(f"Message {message_id} not found")
    raw = (msg.payload or {}).get(RAW_KEY)
    return MessageRawOut(id=msg.id, type=msg.type, raw=raw if isinstance(raw, dict) else None)
