from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from helpline.auth.deps import Overseer, SessionDep
from helpline.reports import csv_out, service
from helpline.reports.schemas import (
    ReportAgents,
    ReportAreas,
    ReportDays,
    ReportQuery,
    ReportSummary,
)

router = APIRouter(prefix="/api/reports", tags=["reports"])
Filters = Annotated[ReportQuery, Query()]
CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "The report, or with format=csv its table"}
}


def _csv(name: str, q: ReportQuery, rows: Sequence[BaseModel]) -> Response:
    filename = f"{name}-{q.first_day.isoformat()}-{q.last_day.isoformat()}.csv"
    return Response(
        content=csv_out.table(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/summary", response_model=ReportSummary, responses=CSV, operation_id="getReportSummary"
)
async def get_summary(user: Overseer, session: SessionDep, q: Filters) -> Any:
    """Totals over the range (see `helpline/reports/service.py` for each figure)."""
    report = await service.summary(session, user, q)
    return _csv("summary", q, [report.totals]) if q.format == "csv" else report


@router.get("/days", response_model=ReportDays, responses=CSV, operation_id="getReportDays")
async def get_days(user: Overseer, session: SessionDep, q: Filters) -> Any:
    """One row per day of the range, in the viewer's time zone."""
    report = await service.days(session, user, q)
    return _csv("days", q, report.days) if q.format == "csv" else report


@router.get("/agents", response_model=ReportAgents, responses=CSV, operation_id="getReportAgents")
async def get_agents(user: Overseer, session: SessionDep, q: Filters) -> Any:
    """One row per person who closed, answered or wrote in the covered conversations."""
    report = await service.agents(session, user, q)
    return _csv("agents", q, report.agents) if q.format == "csv" else report


@router.get("/areas", response_model=ReportAreas, responses=CSV, operation_id="getReportAreas")
async def get_areas(user: Overseer, session: SessionDep, q: Filters) -> Any:
    """One row per area (and one for conversations in no area, for admins)."""
    report = await service.areas(session, user, q)
    return _csv("areas", q, report.areas) if q.format == "csv" else report
