from __future__ import annotations

from fastapi import APIRouter

from helpline.auth.deps import AdminUser, CurrentUser, SessionDep
from helpline.conversations.schemas import ConversationOut
from helpline.db import RowId
from helpline.labels import service
from helpline.labels.schemas import ConversationLabelsIn, LabelIn, LabelOut

router = APIRouter(prefix="/api/labels", tags=["labels"])
conversation_labels_router = APIRouter(prefix="/api/conversations", tags=["labels"])


@router.get("", response_model=list[LabelOut], operation_id="listLabels")
async def list_labels(user: CurrentUser, session: SessionDep) -> list[LabelOut]:
    return [LabelOut.model_validate(label) for label in await service.list_labels(session)]


@router.post("", response_model=LabelOut, status_code=201, operation_id="createLabel")
async def create_label(data: LabelIn, user: AdminUser, session: SessionDep) -> LabelOut:
    label = await service.save_label(session, data)
    await session.commit()
    return LabelOut.model_validate(label)


@router.put("/{label_id}", response_model=LabelOut, operation_id="updateLabel")
async def update_label(
    label_id: RowId, data: LabelIn, user: AdminUser, session: SessionDep
) -> LabelOut:
    label = await service.save_label(session, data, label_id)
    await session.commit()
    return LabelOut.model_validate(label)


@router.delete("/{label_id}", status_code=204, operation_id="deleteLabel")
async def delete_label(label_id: RowId, user: AdminUser, session: SessionDep) -> None:
    await service.delete_label(session, label_id)
    await session.commit()


@conversation_labels_router.put(
    "/{conv_id}/labels", response_model=ConversationOut, operation_id="setConversationLabels"
)
async def set_conversation_labels(
    conv_id: RowId, data: ConversationLabelsIn, user: CurrentUser, session: SessionDep
) -> ConversationOut:
    conv = await service.set_labels(session, user, conv_id, data.label_ids)
    await session.commit()
    return ConversationOut.model_validate(conv)
