from __future__ import annotations

from fastapi import APIRouter, status

from helpline.areas import service
from helpline.areas.schemas import AreaCreate, AreaMemberOut, AreaOut, AreaUpdate
from helpline.auth.deps import AdminUser, CurrentUser, SessionDep
from helpline.db import RowId

router = APIRouter(prefix="/api/areas", tags=["areas"])


@router.get("", response_model=list[AreaOut], operation_id="listAreas")
async def list_areas(_user: CurrentUser, session: SessionDep) -> list[AreaOut]:
    return [AreaOut.model_validate(a) for a in await service.list_areas(session)]


@router.post("", response_model=AreaOut, status_code=201, operation_id="createArea")
async def create_area(data: AreaCreate, _admin: AdminUser, session: SessionDep) -> AreaOut:
    area = await service.create_area(session, data)
    await session.commit()
    return AreaOut.model_validate(area)


@router.get("/{area_id}", response_model=AreaOut, operation_id="getArea")
async def get_area(area_id: RowId, _user: CurrentUser, session: SessionDep) -> AreaOut:
    return AreaOut.model_validate(await service.get_area(session, area_id))


@router.patch("/{area_id}", response_model=AreaOut, operation_id="updateArea")
async def update_area(
    area_id: RowId, data: AreaUpdate, _admin: AdminUser, session: SessionDep
) -> AreaOut:
    area = await service.update_area(session, area_id, data)
    await session.commit()
    return AreaOut.model_validate(area)


@router.delete("/{area_id}", status_code=status.HTTP_204_NO_CONTENT, operation_id="deleteArea")
async def delete_area(area_id: RowId, _admin: AdminUser, session: SessionDep) -> None:
    await service.delete_area(session, area_id)
    await session.commit()


@router.get("/{area_id}/members", response_model=list[AreaMemberOut], operation_id="areaMembers")
async def area_members(
    area_id: RowId, _user: CurrentUser, session: SessionDep
) -> list[AreaMemberOut]:
    return [
        AreaMemberOut(id=u.id, name=u.name, role=u.role, is_default=is_default)
        for u, is_default in await service.members(session, area_id)
    ]
