"""Who sees which conversation, in one place: list filters, single reads and socket rooms
all follow these rules, so the console, the API and the events never disagree.

- ADMIN: everything.
- SUPERVISOR: everything in their areas, conversations not yet routed to an area, and
  anything assigned to them.
- OPERATOR, SUPPORT, SALES: their own conversations, plus the pending queue of their
  areas and the desk-wide queue of conversations not routed to an area.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, true

from helpline.auth.models import AGENT_ROLES, Role, User
from helpline.conversations.models import Conversation, ConversationStatus
from helpline.realtime import area_room, role_room, supervisors_room, user_room

OVERSEER_ROLES = frozenset({Role.ADMIN.value, Role.SUPERVISOR.value})


def _in_queue(conv: Conversation) -> bool:
    return conv.assigned_user_id is None and conv.status == ConversationStatus.PENDING


def can_see(user: User, conv: Conversation, area_ids: list[int]) -> bool:
    if user.role == Role.ADMIN or conv.assigned_user_id == user.id:
        return True
    in_my_areas = conv.area_id is None or conv.area_id in area_ids
    if user.role == Role.SUPERVISOR:
        return in_my_areas
    return _in_queue(conv) and in_my_areas


def visible_filter(user: User, area_ids: list[int]) -> ColumnElement[bool]:
    """The SQL form of `can_see`."""
    if user.role == Role.ADMIN:
        return true()
    in_my_areas = or_(Conversation.area_id.is_(None), Conversation.area_id.in_(area_ids or [-1]))
    if user.role == Role.SUPERVISOR:
        return or_(Conversation.assigned_user_id == user.id, in_my_areas)
    queue = and_(
        Conversation.assigned_user_id.is_(None),
        Conversation.status == ConversationStatus.PENDING.value,
        in_my_areas,
    )
    return or_(Conversation.assigned_user_id == user.id, queue)


def audience(conv: Conversation) -> set[str]:
    """The socket rooms of everyone who may see the conversation in its current state."""
    rooms = {role_room(Role.ADMIN.value)}
    if conv.area_id is not None:
        rooms.add(supervisors_room(conv.area_id))
    else:
        rooms.add(role_room(Role.SUPERVISOR.value))
    if conv.assigned_user_id is not None:
        rooms.add(user_room(conv.assigned_user_id))
    if _in_queue(conv):
        if conv.area_id is not None:
            rooms.add(area_room(conv.area_id))
        else:
            rooms.update(role_room(r.value) for r in AGENT_ROLES)
    return rooms
