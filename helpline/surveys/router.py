"""Satisfaction surveys over HTTP: every signed-in person reads an area's survey settings,
admins and the area's supervisors change them; a conversation's survey is read by those
who may see the conversation."""

from __future__ import annotations

from fastapi import APIRouter

from helpline.areas.service import get_area
from helpline.auth.deps import CurrentUser, Overseer, SessionDep
from helpline.auth.service import ensure_oversees
from helpline.conversations.service import access_conversation
from helpline.db import RowId
from helpline.surveys import service
from helpline.surveys.schemas import AreaSurveyIn, AreaSurveyOut, SurveyOut

areas_router = APIRouter(prefix="/api/areas", tags=["surveys"])
conversations_router = APIRouter(prefix="/api/conversations", tags=["surveys"])


@areas_router.get("/{area_id}/survey", response_model=AreaSurveyOut, operation_id="getAreaSurvey")
async def get_area_survey(area_id: RowId, _user: CurrentUser, session: SessionDep) -> AreaSurveyOut:
    return await service.get_settings(session, await get_area(session, area_id))


@areas_router.put("/{area_id}/survey", response_model=AreaSurveyOut, operation_id="saveAreaSurvey")
async def save_area_survey(
    area_id: RowId, data: AreaSurveyIn, user: Overseer, session: SessionDep
) -> AreaSurveyOut:
    """Turn the area's survey on or off and set its question and thanks."""
    area = await get_area(session, area_id)
    await ensure_oversees(session, user, area.id, "survey")
    out = await service.save_settings(session, area, data)
    await session.commit()
    return out


@conversations_router.get(
    "/{conversation_id}/survey", response_model=SurveyOut, operation_id="getConversationSurvey"
)
async def get_conversation_survey(
    conversation_id: RowId, user: CurrentUser, session: SessionDep
) -> SurveyOut:
    """404 when the conversation has no survey (its area's survey was off, or nobody served it)."""
    conv = await access_conversation(session, user, conversation_id)
    return await service.survey_of(session, conv)
