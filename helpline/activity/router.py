from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from helpline.activity.schemas import AuditEntryOut, AuditPage
from helpline.audit import service
from helpline.auth.deps import AdminUser, SessionDep

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("", response_model=AuditPage, operation_id="listAuditEntries")
async def list_entries(
    _: AdminUser,
    session: SessionDep,
    actor_id: Annotated[int | None, Query(alias="actorId", ge=1, le=2**31 - 1)] = None,
    kind: Annotated[str | None, Query(max_length=48)] = None,
    target_type: Annotated[str | None, Query(alias="targetType", max_length=32)] = None,
    target_id: Annotated[str | None, Query(alias="targetId", max_length=64)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=200)] = 50,
) -> AuditPage:
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise HTTPException(422, f"{name} must carry a time zone, e.g. 2026-12-01T00:00:00Z")
    rows, total = await service.list_entries(
        session,
        actor_id=actor_id,
        kind=kind,
        target_type=target_type,
        target_id=target_id,
        since=since,
        until=until,
        page=page,
        page_size=page_size,
    )
    return AuditPage(
        items=[AuditEntryOut.model_validate(r) for r in rows],
        total=total,
        page=page,
        page_size=page_size,
    )
