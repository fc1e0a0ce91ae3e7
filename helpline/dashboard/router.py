from __future__ import annotations

from fastapi import APIRouter

from helpline.auth.deps import CurrentUser, SessionDep
from helpline.dashboard import service
from helpline.dashboard.schemas import DashboardOut

router = APIRouter(prefix="/api/dashboard", tags=["dashboard"])


@router.get("", response_model=DashboardOut, operation_id="getDashboard")
async def get_dashboard(user: CurrentUser, session: SessionDep) -> DashboardOut:
    """The desk now and today, cut to what the caller may see (see `service.view`). Live
    updates arrive as `dashboard:updated` after the socket sends `dashboard:subscribe`."""
    return await service.dashboard(session, user)
