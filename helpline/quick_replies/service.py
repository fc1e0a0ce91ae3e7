"""Quick replies: global (admins), per area (its supervisors, admins) and personal."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.auth.models import Role, User
from helpline.auth.service import user_area_ids
from helpline.errors import Conflict, Forbidden, NotFound
from helpline.quick_replies.models import QuickReply, Scope
from helpline.quick_replies.schemas import QuickReplyIn


def _scope_key(scope: Scope, area_id: int | None, user_id: int) -> str:
    if scope == Scope.GLOBAL:
        return "global"
    return f"area:{area_id}" if scope == Scope.AREA else f"user:{user_id}"


async def _visible(session: AsyncSession, user: User) -> ColumnElement[bool]:
    areas = await user_area_ids(session, user.id)
    area_rule = QuickReply.scope == Scope.AREA.value
    if user.role != Role.ADMIN:
        area_rule = area_rule & QuickReply.area_id.in_(areas or [-1])
    return or_(
        QuickReply.scope == Scope.GLOBAL.value,
        area_rule,
        QuickReply.owner_user_id == user.id,
    )


async def list_replies(session: AsyncSession, user: User, q: str | None) -> list[QuickReply]:
    query = select(QuickReply).where(await _visible(session, user))
    if q:
        term = f"%{q.strip().lstrip('/').lower()}%"
        query = query.where(or_(QuickReply.shortcut.like(term), QuickReply.title.ilike(term)))
    return list(await session.scalars(query.order_by(QuickReply.position, QuickReply.id)))


async def get_reply(session: AsyncSession, user: User, reply_id: int) -> QuickReply:
    reply = await session.scalar(
        select(QuickReply).where(QuickReply.id == reply_id, await _visible(session, user))
    )
    if reply is None:
        raise NotFound(f"Quick reply {reply_id} not found")
    return reply


async def by_shortcut(session: AsyncSession, user: User, shortcut: str) -> QuickReply:
    """The most specific match: personal over area over global."""
    rows = await session.scalars(
        select(QuickReply).where(
            QuickReply.shortcut == shortcut.strip().lstrip("/").lower(),
            await _visible(session, user),
        )
    )
    order = {Scope.PERSONAL: 0, Scope.AREA: 1, Scope.GLOBAL: 2}
    found = sorted(rows, key=lambda r: order[Scope(r.scope)])
    if not found:
        raise NotFound(f"No quick reply /{shortcut}")
    return found[0]


async def _check_may_edit(
    session: AsyncSession, user: User, scope: Scope, area_id: int | None, owner: int | None
) -> None:
    if scope == Scope.GLOBAL and user.role != Role.ADMIN:
        raise Forbidden("Only admins manage global quick replies")
    if scope == Scope.AREA and user.role != Role.ADMIN:
        supervises = user.role == Role.SUPERVISOR and area_id in await user_area_ids(
            session, user.id
        )
        if not supervises:
            raise Forbidden("Only admins and the area's supervisors manage its quick replies")
    if scope == Scope.PERSONAL and owner not in (None, user.id):
        raise Forbidden("This is another user's personal quick reply")


async def _ensure_free(session: AsyncSession, key: str, shortcut: str, exclude: int | None) -> None:
    query = select(QuickReply.id).where(
        QuickReply.scope_key == key, QuickReply.shortcut == shortcut
    )
    if exclude is not None:
        query = query.where(QuickReply.id != exclude)
    if await session.scalar(query) is not None:
        raise Conflict(f"/{shortcut} already exists in this scope")


async def create_reply(session: AsyncSession, user: User, data: QuickReplyIn) -> QuickReply:
    await _check_may_edit(session, user, data.scope, data.area_id, None)
    key = _scope_key(data.scope, data.area_id, user.id)
    await _ensure_free(session, key, data.shortcut, None)
    last = await session.scalar(
        select(QuickReply.position).order_by(QuickReply.position.desc()).limit(1)
    )
    reply = QuickReply(
        shortcut=data.shortcut,
        title=data.title.strip(),
        body=data.body,
        scope=data.scope.value,
        area_id=data.area_id,
        owner_user_id=user.id if data.scope == Scope.PERSONAL else None,
        scope_key=key,
        position=(last or 0) + 1,
    )
    session.add(reply)
    await session.flush()
    return reply


async def update_reply(
    session: AsyncSession, user: User, reply_id: int, data: QuickReplyIn
) -> QuickReply:
    reply = await get_reply(session, user, reply_id)
    await _check_may_edit(session, user, Scope(reply.scope), reply.area_id, reply.owner_user_id)
    await _check_may_edit(session, user, data.scope, data.area_id, reply.owner_user_id)
    owner = reply.owner_user_id or user.id
    key = _scope_key(data.scope, data.area_id, owner)
    await _ensure_free(session, key, data.shortcut, reply.id)
    reply.shortcut, reply.title, reply.body = data.shortcut, data.title.strip(), data.body
    reply.scope, reply.area_id, reply.scope_key = data.scope.value, data.area_id, key
    reply.owner_user_id = owner if data.scope == Scope.PERSONAL else None
    await session.flush()
    return reply


async def delete_reply(session: AsyncSession, user: User, reply_id: int) -> None:
    reply = await get_reply(session, user, reply_id)
    await _check_may_edit(session, user, Scope(reply.scope), reply.area_id, reply.owner_user_id)
    await session.delete(reply)


async def reorder(session: AsyncSession, user: User, ids: list[int]) -> list[QuickReply]:
    """Give the listed replies positions in the order given (all or nothing)."""
    replies = {r.id: r for r in await list_replies(session, user, None)}
    missing = [i for i in ids if i not in replies]
    if missing:
        raise NotFound(f"Quick reply {missing[0]} not found")
    for reply_id in ids:
        r = replies[reply_id]
        await _check_may_edit(session, user, Scope(r.scope), r.area_id, r.owner_user_id)
    # The listed replies swap among the positions they already hold.
    slots = sorted(replies[i].position for i in ids)
    for position, reply_id in zip(slots, ids, strict=True):
        replies[reply_id].position = position
    await session.flush()
    return await list_replies(session, user, None)
