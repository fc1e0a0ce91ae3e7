"""Who sees which deal, in one place: the board, single reads, the contact's deals and the
socket rooms of each event follow these rules.

- ADMIN, SUPERVISOR: every deal.
- OPERATOR, SUPPORT, SALES: the deals they own, and the deals of contacts they deal with:
  contacts with a conversation in one of their areas or assigned to them. (When contacts
  get an owner, "contacts they own" joins `_their_contacts`.)

Pipelines and stages are seen by all; only admins and supervisors change them. Agents
create and move the deals they see; only admins delete deals (as contacts).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.auth.models import Role, User
from helpline.contacts.models import Contact
from helpline.conversations.access import OVERSEER_ROLES
from helpline.conversations.models import Conversation
from helpline.pipeline.models import Deal
from helpline.realtime import area_room, role_room, user_room


def _their_contacts(
    user: User, area_ids: list[int], contact_id: ColumnElement[int]
) -> ColumnElement[bool]:
    return exists().where(
        and_(
            Conversation.contact_id == contact_id,
            or_(
                Conversation.area_id.in_(area_ids or [-1]),
                Conversation.assigned_user_id == user.id,
            ),
        )
    )


def contact_filter(user: User, area_ids: list[int]) -> ColumnElement[bool]:
    """Contacts the user may attach deals to (and read the deals of)."""
    if user.role in OVERSEER_ROLES:
        return true()
    return _their_contacts(user, area_ids, Contact.id)  # type: ignore[arg-type]


def deal_filter(user: User, area_ids: list[int]) -> ColumnElement[bool]:
    if user.role in OVERSEER_ROLES:
        return true()
    return or_(
        Deal.owner_id == user.id,
        _their_contacts(user, area_ids, Deal.contact_id),  # type: ignore[arg-type]
    )


def may_edit_pipelines(user: User) -> bool:
    return user.role in OVERSEER_ROLES


def may_delete_deal(user: User) -> bool:
    return user.role == Role.ADMIN


def everyone() -> set[str]:
    return {role_room(r.value) for r in Role}


async def deal_audience(session: AsyncSession, deal: Deal) -> set[str]:
    """The socket rooms of everyone who may see the deal as it is now."""
    rooms = {role_room(Role.ADMIN.value), role_room(Role.SUPERVISOR.value)}
    if deal.owner_id is not None:
        rooms.add(user_room(deal.owner_id))
    rows = await session.execute(
        select(Conversation.area_id, Conversation.assigned_user_id)
        .where(Conversation.contact_id == deal.contact_id)
        .distinct()
    )
    for area_id, assigned in rows:
        if area_id is not None:
            rooms.add(area_room(area_id))
        if assigned is not None:
            rooms.add(user_room(assigned))
    return rooms
