"""Admin-managed labels and the labels of a conversation. Setting them announces the
conversation (its payload carries the labels), so every console that shows it updates."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.auth.models import Role, User
from helpline.conversations.events import announce_conversation
from helpline.conversations.labels import ConversationLabel, Label
from helpline.conversations.lifecycle import log_event
from helpline.conversations.models import Conversation
from helpline.conversations.service import access_conversation
from helpline.errors import Conflict, NotFound, Unprocessable
from helpline.labels.schemas import LabelIn, LabelOut
from helpline.realtime import queue_event, role_room


async def list_labels(session: AsyncSession) -> list[Label]:
    return list(await session.scalars(select(Label).order_by(Label.name)))


async def announce_labels(session: AsyncSession) -> None:
    """`labels:update` with the whole list, to everyone: a renamed or deleted label changes
    the chips of every console (the conversations carrying it refresh them)."""
    labels = [
        LabelOut.model_validate(label).model_dump(mode="json", by_alias=True)
        for label in await list_labels(session)
    ]
    queue_event(session, "labels:update", {"labels": labels}, {role_room(r.value) for r in Role})


async def save_label(session: AsyncSession, data: LabelIn, label_id: int | None = None) -> Label:
    label = Label() if label_id is None else await session.get(Label, label_id)
    if label is None:
        raise NotFound(f"Label {label_id} not found")
    name = data.name.strip()
    taken = await session.scalar(
        select(Label.id).where(Label.name == name, Label.id != (label_id or -1))
    )
    if taken is not None:
        raise Conflict(f"name: a label named '{name}' exists")
    label.name, label.color = name, data.color
    session.add(label)
    await session.flush()
    await announce_labels(session)
    return label


async def delete_label(session: AsyncSession, label_id: int) -> None:
    label = await session.get(Label, label_id)
    if label is None:
        raise NotFound(f"Label {label_id} not found")
    await session.execute(delete(ConversationLabel).where(ConversationLabel.label_id == label_id))
    await session.delete(label)
    await session.flush()
    await announce_labels(session)


async def set_labels(
    session: AsyncSession, user: User, conv_id: int, label_ids: list[int]
) -> Conversation:
    """Give the conversation exactly these labels (anyone who may see it may label it)."""
    conv = await access_conversation(session, user, conv_id)
    wanted = set(label_ids)
    known = set(await session.scalars(select(Label.id).where(Label.id.in_(wanted))))
    if wanted - known:
        raise Unprocessable(f"labelIds: no label {min(wanted - known)}")
    before = {label.id: label.name for label in conv.labels}
    if set(before) == wanted:
        return conv
    await session.execute(
        delete(ConversationLabel).where(
            ConversationLabel.conversation_id == conv.id,
            ConversationLabel.label_id.not_in(wanted or {-1}),
        )
    )
    session.add_all(
        ConversationLabel(conversation_id=conv.id, label_id=i) for i in wanted - set(before)
    )
    await session.flush()
    await session.refresh(conv, ["labels"])
    after = ", ".join(label.name for label in conv.labels)
    log_event(
        session, conv, "labels", user, old=", ".join(sorted(before.values()))[:120], new=after[:120]
    )
    announce_conversation(session, "conversation:update", conv)
    return conv
