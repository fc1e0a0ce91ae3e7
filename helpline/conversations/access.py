"""Who sees which conversation, in one place: list filters, single reads and socket rooms
all follow these rules, so the console, the API and the events never disagree."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, true

from helpline.auth.models import AGENT_ROLES, Role, User
from helpline.conversations.models import Conversation, ConversationStatus
from helpline.realtime import area_room, role_room, user_room

OVERSEER_ROLES = frozenset({Role.ADMIN.value, Role.SUPERVISOR.value})


def _in_queue(conv: Conversation) -> bool:
    return conv.assigned_user_id is None and conv.status == ConversationStatus.PENDING


def can_see(user: User, conv: Conversation, area_ids: list[int]) -> bool:
    if user.role in OVERSEER_ROLES or conv.assigned_user_id == user.id:
        return True
    return _in_queue(conv) and (conv.area_id is None or conv.area_id in area_ids)


def visible_filter(user: User, area_ids: list[int]) -> ColumnElement[bool]:
    """The SQL form of `can_see`."""
    if user.role in OVERSEER_ROLES:
        return true()
    queue = and_(
        Conversation.assigned_user_id.is_(None),
        Conversation.status == ConversationStatus.PENDING.value,
        or_(Conversation.area_id.is_(None), Conversation.area_id.in_(area_ids or [-1])),
    )
    return or_(Conversation.assigned_user_id == user.id, queue)


def audience(conv: Conversation) -> set[str]:
    """The socket rooms of everyone who may see the conversation in its current state."""
    rooms = {role_room(role) for role in OVERSEER_ROLES}
    if conv.assigned_user_id is not None:
        rooms.add(user_room(conv.assigned_user_id))
    if _in_queue(conv):
        if conv.area_id is not None:
            rooms.add(area_room(conv.area_id))
        else:
            rooms.update(role_room(r.value) for r in AGENT_ROLES)
    return rooms
