"""Service targets over HTTP: every signed-in person reads an area's targets, admins and
the area's supervisors change them."""

from __future__ import annotations

from fastapi import APIRouter

from helpline.areas.service import get_area
from helpline.auth.deps import CurrentUser, Overseer, SessionDep
from helpline.auth.service import ensure_oversees
from helpline.db import RowId
from helpline.targets import service
from helpline.targets.schemas import AreaTargetsIn, AreaTargetsOut

router = APIRouter(prefix="/api/areas", tags=["targets"])


@router.get("/{area_id}/targets", response_model=AreaTargetsOut, operation_id="getAreaTargets")
async def get_area_targets(
    area_id: RowId, _user: CurrentUser, session: SessionDep
) -> AreaTargetsOut:
    return await service.get_targets(session, await get_area(session, area_id))


@router.put("/{area_id}/targets", response_model=AreaTargetsOut, operation_id="saveAreaTargets")
async def save_area_targets(
    area_id: RowId, data: AreaTargetsIn, user: Overseer, session: SessionDep
) -> AreaTargetsOut:
    """Set the area's first-response and resolution targets in minutes (null: none). Its
    open conversations get their deadlines within seconds."""
    area = await get_area(session, area_id)
    await ensure_oversees(session, user, area.id, "targets")
    out = await service.save_targets(session, area, data)
    await session.commit()
    return out
