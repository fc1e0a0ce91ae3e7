"""The timeline and the assignee: the steps both the service and routing take (routing
assigns automatically; the service on an operator's request)."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.auth.models import User
from helpline.conversations import hooks
from helpline.conversations.access import audience
from helpline.conversations.events import announce_conversation
from helpline.conversations.models import Conversation, ConversationEvent, ConversationStatus
from helpline.errors import Conflict


def log_event(
    session: AsyncSession,
    conv: Conversation,
    type_: str,
    actor: User | None = None,
    old: str | None = None,
    new: str | None = None,
    note: str | None = None,
) -> None:
    session.add(
        ConversationEvent(
            conversation_id=conv.id,
            type=type_,
            actor_user_id=actor.id if actor else None,
            old_value=old,
            new_value=new,
            note=note,
        )
    )


async def _claim(session: AsyncSession, conv: Conversation, user: User) -> None:
    """Take an unassigned conversation for `user`. The guarded UPDATE makes two operators
    taking it at once end with exactly one winner; the other gets 409."""
    result = await session.execute(
        update(Conversation)
        .where(
            Conversation.id == conv.id,
            Conversation.assigned_user_id.is_(None),
            Conversation.status != ConversationStatus.CLOSED.value,
        )
        .values(assigned_user_id=user.id, status=ConversationStatus.ACTIVE.value)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        await session.refresh(conv)
        holder = conv.assigned_user.name if conv.assigned_user else "someone else"
        raise Conflict(f"This conversation was already taken by {holder}")


async def set_assignee(
    session: AsyncSession,
    conv: Conversation,
    user: User,
    actor: User | None,
    event_type: str = "assigned",
    note: str | None = None,
) -> None:
    """Record the new assignee on the object, the timeline and the sockets."""
    before = audience(conv)
    old_user, old_status = conv.assigned_user_id, conv.status
    if old_user is None:
        await _claim(session, conv, user)
    if old_status == ConversationStatus.BOT:
        await hooks.BOT_STOPPED.run(session, conv, actor)
    conv.assigned_user_id = user.id
    conv.assigned_user = user
    conv.status = ConversationStatus.ACTIVE.value
    log_event(
        session,
        conv,
        event_type,
        actor,
        old=str(old_user) if old_user else None,
        new=str(user.id),
        note=note,
    )
    if old_status != conv.status:
        log_event(session, conv, "status", actor, old=old_status, new=conv.status)
    announce_conversation(session, "conversation:update", conv, previous_audience=before)
    await hooks.CONVERSATION_CHANGED.run(session, "assigned", conv)
