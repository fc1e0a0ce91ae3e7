from __future__ import annotations

from fastapi import APIRouter

from helpline.areas.hooks import QUEUES_MAY_MOVE
from helpline.areas.service import get_area, list_areas
from helpline.auth.deps import CurrentUser, Overseer, SessionDep
from helpline.auth.service import ensure_oversees
from helpline.clock import utcnow
from helpline.db import RowId
from helpline.working_hours import service
from helpline.working_hours.schemas import OpenStatus, ScheduleIn, ScheduleOut

router = APIRouter(prefix="/api/working-hours", tags=["working-hours"])


@router.get("", response_model=list[ScheduleOut], operation_id="listWorkingHours")
async def list_schedules(_user: CurrentUser, session: SessionDep) -> list[ScheduleOut]:
    return [await service.get_schedule(session, a) for a in await list_areas(session)]


@router.get("/{area_id}", response_model=ScheduleOut, operation_id="getWorkingHours")
async def get_schedule(area_id: RowId, _user: CurrentUser, session: SessionDep) -> ScheduleOut:
    return await service.get_schedule(session, await get_area(session, area_id))


@router.put("/{area_id}", response_model=ScheduleOut, operation_id="setWorkingHours")
async def set_schedule(
    area_id: RowId, data: ScheduleIn, user: Overseer, session: SessionDep
) -> ScheduleOut:
    area = await get_area(session, area_id)
    await ensure_oversees(session, user, area.id, "hours")
    schedule = await service.replace_schedule(session, area, data)
    await QUEUES_MAY_MOVE.run(session, [area.id])  # it may be open now
    await session.commit()
    return schedule


@router.get("/{area_id}/status", response_model=OpenStatus, operation_id="workingHoursStatus")
async def status(area_id: RowId, _user: CurrentUser, session: SessionDep) -> OpenStatus:
    area = await get_area(session, area_id)
    schedule = await service.load(session, area)
    now = utcnow()
    return OpenStatus(
        area_id=area.id,
        open=schedule.is_open(now),
        configured=schedule.configured,
        next_opening=schedule.next_opening(now),
    )
