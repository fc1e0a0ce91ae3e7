"""The sales pipeline: pipelines and their ordered stages, deals, stage history, the board.
No HTTP here; who may see what is in `access.py`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from pydantic.alias_generators import to_camel
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.auth.models import User
from helpline.auth.service import user_area_ids
from helpline.contacts.models import Contact
from helpline.errors import Conflict, Forbidden, NotFound, Unprocessable
from helpline.pipeline import access
from helpline.pipeline.hooks import DEAL_CHANGED
from helpline.pipeline.models import Deal, DealStageChange, Pipeline, Stage
from helpline.pipeline.schemas import (
    Board,
    BoardPipeline,
    BoardStage,
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
    StageTotal,
)
from helpline.realtime import queue_event

# --- ordering ----------------------------------------------------------------------------


def _place(items: list[Any], item: Any, position: int | None) -> None:
    """Put `item` at `position` among `items` (the end when None) and renumber 0..n-1, so
    positions stay dense whatever the client sent."""
    rest = [i for i in items if i is not item]
    where = len(rest) if position is None else min(position, len(rest))
    rest.insert(where, item)
    for index, each in enumerate(rest):
        each.position = index


async def _stages_of(session: AsyncSession, pipeline_id: int) -> list[Stage]:
    rows = await session.scalars(
        select(Stage).where(Stage.pipeline_id == pipeline_id).order_by(Stage.position, Stage.id)
    )
    return list(rows)


async def _pipelines(session: AsyncSession) -> list[Pipeline]:
    return list(await session.scalars(select(Pipeline).order_by(Pipeline.position, Pipeline.id)))


# --- pipelines and stages ----------------------------------------------------------------


async def pipeline_out(session: AsyncSession, pipeline: Pipeline) -> PipelineOut:
    stages = await _stages_of(session, pipeline.id)
    return PipelineOut(
        id=pipeline.id,
        name=pipeline.name,
        position=pipeline.position,
        stages=[StageOut.model_validate(s) for s in stages],
    )


async def _announce_pipeline(session: AsyncSession, pipeline: Pipeline) -> PipelineOut:
    await session.flush()
    out = await pipeline_out(session, pipeline)
    # Pipelines and stages are no secret: every console draws the same columns.
    queue_event(session, "pipeline:updated", _wire(out), access.everyone())
    return out


async def _get_pipeline(session: AsyncSession, pipeline_id: int) -> Pipeline:
    pipeline = await session.get(Pipeline, pipeline_id)
    if pipeline is None:
        raise NotFound(f"Pipeline {pipeline_id} not found")
    return pipeline


async def create_pipeline(session: AsyncSession, data: PipelineIn) -> PipelineOut:
    pipeline = Pipeline(name=data.name.strip(), position=0)
    session.add(pipeline)
    _place(await _pipelines(session), pipeline, data.position)
    return await _announce_pipeline(session, pipeline)


async def update_pipeline(
    session: AsyncSession, pipeline_id: int, data: PipelinePatch
) -> PipelineOut:
    pipeline = await _get_pipeline(session, pipeline_id)
    if data.name is not None:
        pipeline.name = data.name.strip()
    if data.position is not None:
        _place(await _pipelines(session), pipeline, data.position)
    return await _announce_pipeline(session, pipeline)


def _check_flags(won: bool, lost: bool) -> None:
    if won and lost:
        raise Unprocessable("A stage cannot be both won and lost")


async def create_stage(session: AsyncSession, data: StageIn) -> StageOut:
    pipeline = await session.get(Pipeline, data.pipeline_id)
    if pipeline is None:
        raise Unprocessable(f"pipelineId: pipeline {data.pipeline_id} does not exist")
    _check_flags(data.is_won, data.is_lost)
    stage = Stage(
        pipeline_id=pipeline.id,
        name=data.name.strip(),
        colour=data.colour,
        is_won=data.is_won,
        is_lost=data.is_lost,
        position=0,
    )
    stages = await _stages_of(session, pipeline.id)
    session.add(stage)
    _place(stages, stage, data.position)
    await _announce_pipeline(session, pipeline)
    return StageOut.model_validate(stage)


async def _get_stage(session: AsyncSession, stage_id: int) -> Stage:
    stage = await session.get(Stage, stage_id)
    if stage is None:
        raise NotFound(f"Stage {stage_id} not found")
    return stage


async def update_stage(session: AsyncSession, stage_id: int, data: StagePatch) -> StageOut:
    stage = await _get_stage(session, stage_id)
    if data.name is not None:
        stage.name = data.name.strip()
    if data.colour is not None:
        stage.colour = data.colour
    won = stage.is_won if data.is_won is None else data.is_won
    lost = stage.is_lost if data.is_lost is None else data.is_lost
    _check_flags(won, lost)
    stage.is_won, stage.is_lost = won, lost
    if data.position is not None:
        _place(await _stages_of(session, stage.pipeline_id), stage, data.position)
    await _announce_pipeline(session, await _get_pipeline(session, stage.pipeline_id))
    return StageOut.model_validate(stage)


async def delete_stage(session: AsyncSession, stage_id: int) -> None:
    stage = await _get_stage(session, stage_id)
    held = await session.scalar(select(func.count()).where(Deal.stage_id == stage.id))
    if held:
        raise Conflict(
            f"Stage {stage.name!r} still holds {held} deal(s); move them to another stage first"
        )
    pipeline = await _get_pipeline(session, stage.pipeline_id)
    await session.delete(stage)
    await session.flush()
    stages = await _stages_of(session, pipeline.id)
    for index, each in enumerate(stages):
        each.position = index
    await _announce_pipeline(session, pipeline)


# --- deals -------------------------------------------------------------------------------


def deal_out(deal: Deal) -> DealOut:
    return DealOut.model_validate(deal)


def _wire(model: Any) -> dict[str, Any]:
    data: dict[str, Any] = model.model_dump(mode="json", by_alias=True)
    return data


async def access_deal(session: AsyncSession, user: User, deal_id: int) -> Deal:
    """Fetch a deal the user may see; one they may not see does not exist for them."""
    deal = await session.scalar(
        select(Deal)
        .where(Deal.id == deal_id)
        .where(access.deal_filter(user, await user_area_ids(session, user.id)))
    )
    if deal is None:
        raise NotFound(f"Deal {deal_id} not found")
    return deal


async def _contact_for(session: AsyncSession, user: User, contact_id: int) -> Contact:
    contact = await session.scalar(
        select(Contact)
        .where(Contact.id == contact_id)
        .where(access.contact_filter(user, await user_area_ids(session, user.id)))
    )
    if contact is None:
        raise Unprocessable(f"contactId: contact {contact_id} does not exist")
    return contact


async def _stage_for(session: AsyncSession, stage_id: int) -> Stage:
    stage = await session.get(Stage, stage_id)
    if stage is None:
        raise Unprocessable(f"stageId: stage {stage_id} does not exist")
    return stage


async def _owner_for(session: AsyncSession, owner_id: int | None) -> User | None:
    if owner_id is None:
        return None
    owner = await session.get(User, owner_id)
    if owner is None or not owner.active:
        raise Unprocessable(f"ownerId: user {owner_id} does not exist or is not active")
    return owner


def _record_move(
    session: AsyncSession, deal: Deal, user: User, from_id: int | None, to_id: int
) -> None:
    session.add(
        DealStageChange(deal_id=deal.id, from_stage_id=from_id, to_stage_id=to_id, user_id=user.id)
    )


async def create_deal(session: AsyncSession, user: User, data: DealIn) -> Deal:
    contact = await _contact_for(session, user, data.contact_id)
    stage = await _stage_for(session, data.stage_id)
    owner_id = user.id if "owner_id" not in data.model_fields_set else data.owner_id
    deal = Deal(
        title=data.title.strip(),
        contact_id=contact.id,
        value=data.value,
        currency=data.currency,
        stage_id=stage.id,
        owner_id=owner_id,
        expected_close=data.expected_close,
        notes=data.notes,
    )
    deal.contact, deal.stage, deal.owner = contact, stage, await _owner_for(session, owner_id)
    session.add(deal)
    await session.flush()
    _record_move(session, deal, user, None, stage.id)
    await _announce(session, deal, "deal:created")
    return deal


async def update_deal(session: AsyncSession, user: User, deal_id: int, data: DealPatch) -> Deal:
    deal = await access_deal(session, user, deal_id)
    sent = data.model_fields_set
    before = await access.deal_audience(session, deal)
    for field in ("title", "value", "currency", "contact_id", "stage_id"):
        if field in sent and getattr(data, field) is None:
            raise Unprocessable(f"{to_camel(field)}: may not be null")
    if data.title is not None:
        deal.title = data.title.strip()
    if data.value is not None:
        deal.value = data.value
    if data.currency is not None:
        deal.currency = data.currency
    if "expected_close" in sent:
        deal.expected_close = data.expected_close
    if "notes" in sent:
        deal.notes = data.notes
    if "owner_id" in sent:
        deal.owner = await _owner_for(session, data.owner_id)
    if data.contact_id is not None and data.contact_id != deal.contact_id:
        deal.contact = await _contact_for(session, user, data.contact_id)
    if data.stage_id is not None and data.stage_id != deal.stage_id:
        await _move(session, user, deal, data.stage_id)
    await session.flush()
    after = await access.deal_audience(session, deal)
    gone = before - after
    if gone:  # those who saw it and no longer may: it leaves their boards
        queue_event(session, "deal:deleted", _gone(deal), gone)
    await _announce(session, deal, "deal:updated", after)
    return deal


async def _move(session: AsyncSession, user: User, deal: Deal, stage_id: int) -> None:
    target = await _stage_for(session, stage_id)
    if target.pipeline_id != deal.stage.pipeline_id:
        raise Unprocessable(
            f"stageId: stage {stage_id} belongs to another pipeline; "
            "a deal moves only between the stages of its own pipeline"
        )
    from_id = deal.stage_id
    deal.stage = target
    _record_move(session, deal, user, from_id, target.id)


async def delete_deal(session: AsyncSession, user: User, deal_id: int) -> None:
    deal = await access_deal(session, user, deal_id)
    if not access.may_delete_deal(user):
        raise Forbidden("Only admins delete deals; move it to a lost stage instead")
    rooms = await access.deal_audience(session, deal)
    payload = _gone(deal)
    await session.delete(deal)
    queue_event(session, "deal:deleted", payload, rooms)


def _gone(deal: Deal) -> dict[str, Any]:
    return {"id": deal.id, "pipelineId": deal.pipeline_id}


async def _announce(
    session: AsyncSession, deal: Deal, name: str, rooms: set[str] | None = None
) -> None:
    if rooms is None:
        await session.flush()
        rooms = await access.deal_audience(session, deal)
    wire = _wire(deal_out(deal))
    queue_event(session, name, wire, rooms)
    await DEAL_CHANGED.run(session, name.removeprefix("deal:"), wire)


async def history(session: AsyncSession, user: User, deal_id: int) -> list[DealStageChange]:
    deal = await access_deal(session, user, deal_id)
    rows = await session.scalars(
        select(DealStageChange)
        .where(DealStageChange.deal_id == deal.id)
        .order_by(DealStageChange.at, DealStageChange.id)
    )
    return list(rows)


async def contact_deals(session: AsyncSession, user: User, contact_id: int) -> list[Deal]:
    areas = await user_area_ids(session, user.id)
    contact = await session.scalar(
        select(Contact.id).where(Contact.id == contact_id).where(access.contact_filter(user, areas))
    )
    found = await session.scalars(
        select(Deal)
        .where(Deal.contact_id == contact_id)
        .where(access.deal_filter(user, areas))
        .order_by(Deal.updated_at.desc(), Deal.id.desc())
    )
    deals = list(found)
    if contact is None and not deals:
        raise NotFound(f"Contact {contact_id} not found")
    return deals


# --- the board ---------------------------------------------------------------------------


def totals(deals: Sequence[Deal]) -> list[StageTotal]:
    """Exact sums per currency: Decimal all the way (SQLite's SUM would go through floats)."""
    sums: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for deal in deals:
        sums[deal.currency] += Decimal(deal.value)
    return [
        StageTotal(currency=c, value=v.quantize(Decimal("0.01"))) for c, v in sorted(sums.items())
    ]


async def board(
    session: AsyncSession, user: User, pipeline_id: int | None, owner_id: int | None
) -> Board:
    pipelines = await _pipelines(session)
    if pipeline_id is not None:
        pipelines = [p for p in pipelines if p.id == pipeline_id]
        if not pipelines:
            raise NotFound(f"Pipeline {pipeline_id} not found")
    ids = [p.id for p in pipelines]
    stages = list(
        await session.scalars(
            select(Stage)
            .where(Stage.pipeline_id.in_(ids or [-1]))
            .order_by(Stage.position, Stage.id)
        )
    )
    query = (
        select(Deal)
        .join(Stage, Stage.id == Deal.stage_id)
        .where(Stage.pipeline_id.in_(ids or [-1]))
        .where(access.deal_filter(user, await user_area_ids(session, user.id)))
        .order_by(Deal.updated_at.desc(), Deal.id.desc())
    )
    if owner_id is not None:
        query = query.where(Deal.owner_id == owner_id)
    by_stage: dict[int, list[Deal]] = defaultdict(list)
    for deal in (await session.scalars(query)).unique():
        by_stage[deal.stage_id].append(deal)
    columns: dict[int, list[BoardStage]] = defaultdict(list)
    for stage in stages:
        held = by_stage[stage.id]
        columns[stage.pipeline_id].append(
            BoardStage(
                **StageOut.model_validate(stage).model_dump(),
                deal_count=len(held),
                totals=totals(held),
                deals=[deal_out(d) for d in held],
            )
        )
    return Board(
        pipelines=[
            BoardPipeline(id=p.id, name=p.name, position=p.position, stages=columns[p.id])
            for p in pipelines
        ]
    )


# --- the customer's deals when contacts merge, are exported or erased (customers hooks) ---


async def move_deals(session: AsyncSession, kept_id: int, merged_id: int) -> None:
    """Merging contacts: the merged one's deals become the kept one's (deleting the merged
    contact would otherwise take its deals with it)."""
    await session.execute(
        update(Deal).where(Deal.contact_id == merged_id).values(contact_id=kept_id)
    )


async def count_deals(session: AsyncSession, contact_id: int, counts: dict[str, int]) -> None:
    count = await session.scalar(
        select(func.count()).select_from(Deal).where(Deal.contact_id == contact_id)
    )
    counts["deals"] = int(count or 0)


async def export_deals(session: AsyncSession, contact_id: int, export: dict[str, Any]) -> None:
    deals = (await session.scalars(select(Deal).where(Deal.contact_id == contact_id))).unique()
    out = []
    for deal in deals:
        moves = await session.scalars(
            select(DealStageChange).where(DealStageChange.deal_id == deal.id)
        )
        row = _wire(deal_out(deal))
        row["history"] = [_wire(StageChangeOut.model_validate(m)) for m in moves]
        out.append(row)
    export["deals"] = out
