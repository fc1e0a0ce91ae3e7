"""Areas (departments) and who belongs to them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.areas import hooks
from helpline.areas.models import Area, UserArea
from helpline.areas.schemas import AreaCreate, AreaUpdate
from helpline.auth.models import User
from helpline.errors import Conflict, NotFound, Unprocessable


@dataclass(frozen=True)
class Membership:
    id: int
    name: str
    is_default: bool


async def list_areas(session: AsyncSession) -> list[Area]:
    return list(await session.scalars(select(Area).order_by(Area.name)))


async def get_area(session: AsyncSession, area_id: int) -> Area:
    area = await session.get(Area, area_id)
    if area is None:
        raise NotFound(f"Area {area_id} not found")
    return area


async def _ensure_unique_name(
    session: AsyncSession, name: str, exclude_id: int | None = None
) -> None:
    query = select(Area.id).where(func.lower(Area.name) == name.lower())
    if exclude_id is not None:
        query = query.where(Area.id != exclude_id)
    if await session.scalar(query) is not None:
        raise Conflict(f"An area named '{name}' already exists")


async def create_area(session: AsyncSession, data: AreaCreate) -> Area:
    await _ensure_unique_name(session, data.name)
    area = Area(**data.model_dump())
    session.add(area)
    await session.flush()
    return area


async def update_area(session: AsyncSession, area_id: int, data: AreaUpdate) -> Area:
    area = await get_area(session, area_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("active") is False and area.active:
        await hooks.AREA_RETIRING.run(session, area)  # 409 naming the flow
    if changes.get("name"):
        await _ensure_unique_name(session, changes["name"], exclude_id=area.id)
    for field, value in changes.items():
        if value is None and field != "description":
            continue
        setattr(area, field, value)
    await session.flush()
    if changes.get("auto_assign") or changes.get("capacity") or changes.get("active"):
        await hooks.QUEUES_MAY_MOVE.run(session, [area.id])
    return area


async def delete_area(session: AsyncSession, area_id: int) -> None:
    area = await get_area(session, area_id)
    await hooks.AREA_RETIRING.run(session, area)  # 409 naming the flow
    await hooks.AREA_DELETING.run(session, area)  # 409 when conversations used it
    await session.delete(area)


async def members(session: AsyncSession, area_id: int) -> list[tuple[User, bool]]:
    await get_area(session, area_id)
    rows = await session.execute(
        select(User, UserArea.is_default)
        .join(UserArea, UserArea.user_id == User.id)
        .where(UserArea.area_id == area_id, User.active.is_(True))
        .order_by(User.name)
    )
    return [(user, bool(is_default)) for user, is_default in rows.all()]


async def memberships(session: AsyncSession, user_ids: list[int]) -> dict[int, list[Membership]]:
    """Each user's areas, the default one marked, in one query for any number of users."""
    rows = await session.execute(
        select(UserArea.user_id, Area.id, Area.name, UserArea.is_default)
        .join(Area, Area.id == UserArea.area_id)
        .where(UserArea.user_id.in_(user_ids or [-1]))
        .order_by(Area.name)
    )
    found: dict[int, list[Membership]] = defaultdict(list)
    for user_id, area_id, name, is_default in rows.all():
        found[user_id].append(Membership(area_id, name, bool(is_default)))
    return found


async def set_memberships(
    session: AsyncSession, user_id: int, area_ids: list[int], default_area_id: int | None
) -> None:
    """Replace a user's areas. The default must be one of them; with one area it is the default."""
    wanted = list(dict.fromkeys(area_ids))
    if wanted:
        known = set(await session.scalars(select(Area.id).where(Area.id.in_(wanted))))
        missing = [a for a in wanted if a not in known]
        if missing:
            raise Unprocessable(f"Unknown area id(s): {', '.join(map(str, missing))}")
    if default_area_id is not None and default_area_id not in wanted:
        raise Unprocessable("defaultAreaId must be one of areaIds")
    if default_area_id is None and len(wanted) == 1:
        default_area_id = wanted[0]
    await session.execute(delete(UserArea).where(UserArea.user_id == user_id))
    session.add_all(
        UserArea(user_id=user_id, area_id=a, is_default=a == default_area_id) for a in wanted
    )
    await session.flush()
    await hooks.QUEUES_MAY_MOVE.run(session, wanted)
