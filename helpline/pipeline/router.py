from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from helpline.auth.deps import CurrentUser, SessionDep
from helpline.auth.models import User
from helpline.db import RowId
from helpline.pipeline import access, service
from helpline.pipeline.schemas import (
    Board,
    DealIn,
    DealOut,
    DealPatch,
    PipelineIn,
    PipelineOut,
    PipelinePatch,
    StageChangeOut,
    StageIn,
    StageOut,
    StagePatch,
)

router = APIRouter(prefix="/api/pipeline", tags=["pipeline"])
contact_deals_router = APIRouter(prefix="/api/contacts", tags=["pipeline"])


async def _pipeline_editor(user: CurrentUser) -> User:
    if not access.may_edit_pipelines(user):
        raise HTTPException(403, "Only admins and supervisors change pipelines and stages")
    return user


PipelineEditor = Annotated[User, Depends(_pipeline_editor)]


@router.get("", response_model=Board, operation_id="getPipelineBoard")
async def get_board(
    user: CurrentUser,
    session: SessionDep,
    pipeline_id: Annotated[int | None, Query(alias="pipelineId")] = None,
    owner_id: Annotated[int | None, Query(alias="ownerId")] = None,
) -> Board:
    """Pipelines with their ordered stages, and in each stage the deals the user may see
    (newest change first), their count and their exact total per currency."""
    return await service.board(session, user, pipeline_id, owner_id)


@router.post("", response_model=PipelineOut, status_code=201, operation_id="createPipeline")
async def create_pipeline(
    data: PipelineIn, user: PipelineEditor, session: SessionDep
) -> PipelineOut:
    out = await service.create_pipeline(session, data)
    await session.commit()
    return out


@router.patch("/{pipeline_id}", response_model=PipelineOut, operation_id="updatePipeline")
async def update_pipeline(
    pipeline_id: RowId, data: PipelinePatch, user: PipelineEditor, session: SessionDep
) -> PipelineOut:
    out = await service.update_pipeline(session, pipeline_id, data)
    await session.commit()
    return out


# --- stages ------------------------------------------------------------------------------


@router.post("/stages", response_model=StageOut, status_code=201, operation_id="createStage")
async def create_stage(data: StageIn, user: PipelineEditor, session: SessionDep) -> StageOut:
    out = await service.create_stage(session, data)
    await session.commit()
    return out


@router.patch("/stages/{stage_id}", response_model=StageOut, operation_id="updateStage")
async def update_stage(
    stage_id: RowId, data: StagePatch, user: PipelineEditor, session: SessionDep
) -> StageOut:
    out = await service.update_stage(session, stage_id, data)
    await session.commit()
    return out


@router.delete("/stages/{stage_id}", status_code=204, operation_id="deleteStage")
async def delete_stage(stage_id: RowId, user: PipelineEditor, session: SessionDep) -> Response:
    await service.delete_stage(session, stage_id)
    await session.commit()
    return Response(status_code=204)


# --- deals -------------------------------------------------------------------------------


@router.post("/deals", response_model=DealOut, status_code=201, operation_id="createDeal")
async def create_deal(data: DealIn, user: CurrentUser, session: SessionDep) -> DealOut:
    deal = await service.create_deal(session, user, data)
    await session.commit()
    return service.deal_out(deal)


@router.get("/deals/{deal_id}", response_model=DealOut, operation_id="getDeal")
async def get_deal(deal_id: RowId, user: CurrentUser, session: SessionDep) -> DealOut:
    return service.deal_out(await service.access_deal(session, user, deal_id))


@router.patch("/deals/{deal_id}", response_model=DealOut, operation_id="updateDeal")
async def update_deal(
    deal_id: RowId, data: DealPatch, user: CurrentUser, session: SessionDep
) -> DealOut:
    deal = await service.update_deal(session, user, deal_id, data)
    await session.commit()
    return service.deal_out(deal)


@router.delete("/deals/{deal_id}", status_code=204, operation_id="deleteDeal")
async def delete_deal(deal_id: RowId, user: CurrentUser, session: SessionDep) -> Response:
    await service.delete_deal(session, user, deal_id)
    await session.commit()
    return Response(status_code=204)


@router.get(
    "/deals/{deal_id}/history", response_model=list[StageChangeOut], operation_id="getDealHistory"
)
async def deal_history(
    deal_id: RowId, user: CurrentUser, session: SessionDep
) -> list[StageChangeOut]:
    """Every stage the deal went through: who moved it, when, from and to (oldest first;
    the first entry, without `fromStageId`, is its creation)."""
    changes = await service.history(session, user, deal_id)
    return [StageChangeOut.model_validate(c) for c in changes]


@contact_deals_router.get(
    "/{contact_id}/deals", response_model=list[DealOut], operation_id="listContactDeals"
)
async def list_contact_deals(
    contact_id: RowId, user: CurrentUser, session: SessionDep
) -> list[DealOut]:
    deals = await service.contact_deals(session, user, contact_id)
    return [service.deal_out(d) for d in deals]
