"""Bot flows over HTTP: admins manage them, supervisors read them, others are refused."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, status
from fastapi.responses import JSONResponse
from pydantic import Field

from helpline.areas.service import list_areas
from helpline.auth.deps import AdminUser, CurrentUser, Overseer, SessionDep
from helpline.conversations.service import access_conversation
from helpline.db import RowId
from helpline.errors import ErrorOut, NotFound
from helpline.flows import bot, service
from helpline.flows.definition import FlowDefinition, Problem
from helpline.flows.models import FlowVersion
from helpline.flows.schemas import (
    FlowCreate,
    FlowExport,
    FlowImport,
    FlowOut,
    FlowRunOut,
    FlowTreeOut,
    FlowUpdate,
    SimulationIn,
    SimulationOut,
    ValidationOut,
    VersionOut,
)
from helpline.flows.service import FlowInfo, InvalidFlow
from helpline.flows.simulate import simulate as run_simulation

router = APIRouter(prefix="/api/flows", tags=["flows"])

WhichVersion = Annotated[
    str,
    Query(
        pattern=r"^(draft|published|\d{1,6})$",
        description="'draft' (default), 'published' or a version number",
    ),
]


class ProblemsOut(ErrorOut):
    """A refused publish: every problem, each with its node. The same status answers a
    request that did not validate, as a plain ErrorOut: hence the defaults."""

    valid: bool = False
    problems: list[Problem] = Field(default_factory=list)


def _out(info: FlowInfo) -> FlowOut:
    flow, draft, published = info.flow, info.draft, info.published
    return FlowOut(
        id=flow.id,
        name=flow.name,
        channel_id=flow.channel_id,
        active=flow.active,
        published_version=published.number if published else None,
        published_at=published.published_at if published else None,
        draft_updated_at=draft.updated_at,
        has_unpublished_changes=published is None or published.definition != draft.definition,
        created_at=flow.created_at,
        updated_at=flow.updated_at,
    )


def _tree(version: FlowVersion, found: list[Problem]) -> FlowTreeOut:
    definition = service.load_definition(version)
    return FlowTreeOut(
        flow_id=version.flow_id,
        version=VersionOut.model_validate(version),
        settings=definition.settings,
        nodes=definition.nodes,
        problems=found,
    )


@router.get("", response_model=list[FlowOut], operation_id="listFlows")
async def list_flows(_user: Overseer, session: SessionDep) -> list[FlowOut]:
    return [_out(info) for info in await service.list_flows(session)]


@router.post("", response_model=FlowOut, status_code=201, operation_id="createFlow")
async def create_flow(data: FlowCreate, _admin: AdminUser, session: SessionDep) -> FlowOut:
    info = await service.create_flow(session, data)
    await session.commit()
    return _out(info)


@router.post("/import", response_model=FlowOut, status_code=201, operation_id="importFlow")
async def import_flow(data: FlowImport, _admin: AdminUser, session: SessionDep) -> FlowOut:
    info = await service.import_flow(session, data)
    await session.commit()
    return _out(info)


@router.get("/runs/{conversation_id}", response_model=FlowRunOut, operation_id="getFlowRun")
async def get_run(conversation_id: RowId, user: CurrentUser, session: SessionDep) -> FlowRunOut:
    """The bot's state in a conversation (anyone who may see the conversation)."""
    await access_conversation(session, user, conversation_id)
    found = await bot.run_of(session, conversation_id)
    if found is None:
        raise NotFound(f"The bot has not run in conversation {conversation_id}")
    run, version, flow = found
    return FlowRunOut(
        conversation_id=conversation_id,
        flow_id=flow.id,
        flow_name=flow.name,
        version=version.number,
        status=run.status,
        node_key=run.node_key,
        waiting=run.waiting,
        invalid_count=run.invalid_count,
        data=dict(run.data or {}),
        tags=list(run.tags or []),
        updated_at=run.updated_at,
    )


@router.get("/{flow_id}", response_model=FlowOut, operation_id="getFlow")
async def get_flow(flow_id: RowId, _user: Overseer, session: SessionDep) -> FlowOut:
    return _out(await service.flow_info(session, flow_id))


@router.patch("/{flow_id}", response_model=FlowOut, operation_id="updateFlow")
async def update_flow(
    flow_id: RowId, data: FlowUpdate, _admin: AdminUser, session: SessionDep
) -> FlowOut:
    info = await service.update_flow(session, flow_id, data)
    await session.commit()
    return _out(info)


@router.delete("/{flow_id}", status_code=status.HTTP_204_NO_CONTENT, operation_id="deleteFlow")
async def delete_flow(flow_id: RowId, _admin: AdminUser, session: SessionDep) -> None:
    await service.delete_flow(session, flow_id)
    await session.commit()


@router.get("/{flow_id}/tree", response_model=FlowTreeOut, operation_id="getFlowTree")
async def get_tree(
    flow_id: RowId, _user: Overseer, session: SessionDep, version: WhichVersion = "draft"
) -> FlowTreeOut:
    found = await service.get_version(session, flow_id, version)
    return _tree(found, await service.check(session, service.load_definition(found)))


@router.put("/{flow_id}/tree", response_model=FlowTreeOut, operation_id="saveFlowTree")
async def save_tree(
    flow_id: RowId, data: FlowDefinition, _admin: AdminUser, session: SessionDep
) -> FlowTreeOut:
    """Save the whole draft tree. A draft may have problems (they come back in the answer);
    only a malformed tree (unknown node type, duplicate keys, ...) is refused."""
    draft = await service.save_draft(session, flow_id, data)
    found = await service.check(session, data)
    await session.commit()
    return _tree(draft, found)


@router.post("/{flow_id}/validate", response_model=ValidationOut, operation_id="validateFlow")
async def validate(
    flow_id: RowId,
    _user: Overseer,
    session: SessionDep,
    data: Annotated[FlowDefinition | None, Body()] = None,
) -> ValidationOut:
    """The problems that would block publishing: of the tree sent, else of the saved draft."""
    draft = await service.get_version(session, flow_id, "draft")  # 404 for an unknown flow
    definition = data or service.load_definition(draft)
    found = await service.check(session, definition)
    return ValidationOut(valid=not found, problems=found)


@router.post(
    "/{flow_id}/publish",
    response_model=FlowOut,
    responses={422: {"model": ProblemsOut, "description": "every problem, each with its node"}},
    operation_id="publishFlow",
)
async def publish(flow_id: RowId, admin: AdminUser, session: SessionDep) -> FlowOut | JSONResponse:
    try:
        info = await service.publish(session, flow_id, admin)
    except InvalidFlow as exc:
        await session.rollback()
        body = ProblemsOut(detail=exc.detail, valid=False, problems=exc.problems)
        return JSONResponse(
            body.model_dump(mode="json", by_alias=True, exclude={"code", "errors"}), status_code=422
        )
    await session.commit()
    return _out(info)


@router.get("/{flow_id}/versions", response_model=list[VersionOut], operation_id="flowVersions")
async def versions(flow_id: RowId, _user: Overseer, session: SessionDep) -> list[VersionOut]:
    return [VersionOut.model_validate(v) for v in await service.list_versions(session, flow_id)]


@router.get("/{flow_id}/export", response_model=FlowExport, operation_id="exportFlow")
async def export_flow(
    flow_id: RowId, _user: Overseer, session: SessionDep, version: WhichVersion = "draft"
) -> FlowExport:
    return await service.export_flow(session, flow_id, version)


@router.post("/{flow_id}/simulate", response_model=SimulationOut, operation_id="simulateFlow")
async def simulate(
    flow_id: RowId, data: SimulationIn, _user: Overseer, session: SessionDep
) -> SimulationOut:
    """Run the saved draft against a pretend customer: no conversation, nothing sent."""
    draft = await service.get_version(session, flow_id, "draft")
    areas = {a.id: a.name for a in await list_areas(session)}
    return run_simulation(service.load_definition(draft), data, areas)
