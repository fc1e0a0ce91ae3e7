"""Bot flows: CRUD, the draft tree, validation, publishing, import and export. The bot
that runs them in conversations is `helpline.flows.bot`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.areas.models import Area
from helpline.auth.models import User
from helpline.channels.models import Channel
from helpline.clock import utcnow
from helpline.conversations.models import Conversation, ConversationStatus
from helpline.errors import Conflict, NotFound, Unprocessable
from helpline.flows.definition import (
    AreaInfo,
    FlowDefinition,
    Problem,
    RedirectNode,
    problems,
    walk,
)
from helpline.flows.models import DRAFT_NUMBER, Flow, FlowRun, FlowVersion, RunStatus, VersionState
from helpline.flows.schemas import FlowCreate, FlowExport, FlowImport, FlowUpdate


class InvalidFlow(Unprocessable):
    """Publishing refused: `problems` lists every one, each naming its node."""

    def __init__(self, found: list[Problem]) -> None:
        super().__init__(f"The flow has {len(found)} problem(s); fix them before publishing")
        self.problems = found


@dataclass(frozen=True)
class FlowInfo:
    flow: Flow
    draft: FlowVersion
    published: FlowVersion | None


def load_definition(version: FlowVersion) -> FlowDefinition:
    return FlowDefinition.model_validate(version.definition)


def dump_definition(definition: FlowDefinition) -> dict[str, object]:
    return definition.model_dump(mode="json", by_alias=True)


# --- reading --------------------------------------------------------------------------


async def _infos(session: AsyncSession, flows: list[Flow]) -> list[FlowInfo]:
    versions = await session.scalars(
        select(FlowVersion).where(
            FlowVersion.flow_id.in_([f.id for f in flows] or [-1]),
            FlowVersion.state.in_([VersionState.DRAFT.value, VersionState.PUBLISHED.value]),
        )
    )
    drafts: dict[int, FlowVersion] = {}
    published: dict[int, FlowVersion] = {}
    for version in versions:
        target = drafts if version.state == VersionState.DRAFT else published
        target[version.flow_id] = version
    return [FlowInfo(f, drafts[f.id], published.get(f.id)) for f in flows]


async def list_flows(session: AsyncSession) -> list[FlowInfo]:
    flows = list(await session.scalars(select(Flow).order_by(Flow.name, Flow.id)))
    return await _infos(session, flows)


async def get_flow(session: AsyncSession, flow_id: int) -> Flow:
    flow = await session.get(Flow, flow_id)
    if flow is None:
        raise NotFound(f"Flow {flow_id} not found")
    return flow


async def flow_info(session: AsyncSession, flow_id: int) -> FlowInfo:
    return (await _infos(session, [await get_flow(session, flow_id)]))[0]


async def get_version(session: AsyncSession, flow_id: int, which: str) -> FlowVersion:
    """`which`: "draft", "published" or a version number."""
    await get_flow(session, flow_id)
    query = select(FlowVersion).where(FlowVersion.flow_id == flow_id)
    if which == "draft":
        query = query.where(FlowVersion.number == DRAFT_NUMBER)
    elif which == "published":
        query = query.where(FlowVersion.state == VersionState.PUBLISHED.value)
    elif which.isdigit():
        query = query.where(FlowVersion.number == int(which))
    else:
        raise Unprocessable("version is 'draft', 'published' or a version number")
    version = await session.scalar(query)
    if version is None:
        raise NotFound(f"Flow {flow_id} has no {which} version")
    return version


async def list_versions(session: AsyncSession, flow_id: int) -> list[FlowVersion]:
    await get_flow(session, flow_id)
    rows = await session.scalars(
        select(FlowVersion).where(FlowVersion.flow_id == flow_id).order_by(FlowVersion.number)
    )
    return list(rows)


# --- writing --------------------------------------------------------------------------


async def _ensure_unique_name(session: AsyncSession, name: str, exclude: int | None) -> None:
    query = select(Flow.id).where(func.lower(Flow.name) == name.lower())
    if exclude is not None:
        query = query.where(Flow.id != exclude)
    if await session.scalar(query) is not None:
        raise Conflict(f"A flow named '{name}' already exists")


async def _ensure_channel(session: AsyncSession, channel_id: int | None) -> None:
    if channel_id is not None and await session.get(Channel, channel_id) is None:
        raise Unprocessable(f"Unknown channel id {channel_id}")


async def _ensure_sole_live_flow(session: AsyncSession, flow: Flow) -> None:
    """One active published flow per channel (and one default): the bot must know which."""
    other = await session.scalar(
        select(Flow.name)
        .join(FlowVersion, FlowVersion.flow_id == Flow.id)
        .where(
            Flow.id != flow.id,
            Flow.active.is_(True),
            FlowVersion.state == VersionState.PUBLISHED.value,
            Flow.channel_id.is_(None)
            if flow.channel_id is None
            else Flow.channel_id == flow.channel_id,
        )
        .limit(1)
    )
    if other is not None:
        scope = "every channel" if flow.channel_id is None else f"channel {flow.channel_id}"
        raise Conflict(
            f"Flow '{other}' is already active and published for {scope}; deactivate it first"
        )


async def create_flow(session: AsyncSession, data: FlowCreate) -> FlowInfo:
    await _ensure_unique_name(session, data.name, None)
    await _ensure_channel(session, data.channel_id)
    flow = Flow(name=data.name, channel_id=data.channel_id, active=data.active)
    session.add(flow)
    await session.flush()
    draft = FlowVersion(
        flow_id=flow.id,
        number=DRAFT_NUMBER,
        state=VersionState.DRAFT.value,
        definition=dump_definition(data.definition or FlowDefinition()),
    )
    session.add(draft)
    await session.flush()
    return FlowInfo(flow, draft, None)


async def update_flow(session: AsyncSession, flow_id: int, data: FlowUpdate) -> FlowInfo:
    flow = await get_flow(session, flow_id)
    sent = data.model_fields_set
    if data.name is not None:
        await _ensure_unique_name(session, data.name, flow.id)
        flow.name = data.name
    if "channel_id" in sent:
        await _ensure_channel(session, data.channel_id)
        flow.channel_id = data.channel_id
    if data.active is not None:
        flow.active = data.active
    info = (await _infos(session, [flow]))[0]
    if flow.active and info.published is not None:
        await _ensure_sole_live_flow(session, flow)
    flow.updated_at = utcnow()
    await session.flush()
    return info


async def _running(session: AsyncSession, flow_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(FlowRun)
        .join(FlowVersion, FlowVersion.id == FlowRun.flow_version_id)
        .join(Conversation, Conversation.id == FlowRun.conversation_id)
        .where(
            FlowVersion.flow_id == flow_id,
            FlowRun.status == RunStatus.RUNNING.value,
            Conversation.status == ConversationStatus.BOT.value,
        )
    )
    return count or 0


async def delete_flow(session: AsyncSession, flow_id: int) -> None:
    flow = await get_flow(session, flow_id)
    running = await _running(session, flow.id)
    if running:
        raise Conflict(
            f"{running} conversation(s) are still in flow '{flow.name}'; deactivate it "
            "instead (they finish the version they started)"
        )
    await session.execute(delete(Flow).where(Flow.id == flow.id))


async def save_draft(
    session: AsyncSession, flow_id: int, definition: FlowDefinition
) -> FlowVersion:
    """Replace the draft tree as a whole (the builder saves everything at once)."""
    draft = await get_version(session, flow_id, "draft")
    draft.definition = dump_definition(definition)
    draft.updated_at = utcnow()
    await session.flush()
    return draft


# --- validation and publishing --------------------------------------------------------


async def area_infos(session: AsyncSession) -> dict[int, AreaInfo]:
    rows = await session.execute(select(Area.id, Area.name, Area.active))
    return {area_id: AreaInfo(name, bool(active)) for area_id, name, active in rows.all()}


async def check(session: AsyncSession, definition: FlowDefinition) -> list[Problem]:
    return problems(definition, await area_infos(session))


async def publish(session: AsyncSession, flow_id: int, user: User) -> FlowInfo:
    """The draft becomes the next published version (the previous one is archived);
    conversations already in the flow finish the version they started."""
    flow = await session.scalar(select(Flow).where(Flow.id == flow_id).with_for_update())
    if flow is None:
        raise NotFound(f"Flow {flow_id} not found")
    draft = await get_version(session, flow_id, "draft")
    found = await check(session, load_definition(draft))
    if found:
        raise InvalidFlow(found)
    if flow.active:
        await _ensure_sole_live_flow(session, flow)
    last = await session.scalar(
        select(func.max(FlowVersion.number)).where(FlowVersion.flow_id == flow_id)
    )
    now = utcnow()
    for old in await session.scalars(
        select(FlowVersion).where(
            FlowVersion.flow_id == flow_id, FlowVersion.state == VersionState.PUBLISHED.value
        )
    ):
        old.state = VersionState.ARCHIVED.value
    published = FlowVersion(
        flow_id=flow_id,
        number=(last or 0) + 1,
        state=VersionState.PUBLISHED.value,
        definition=dict(draft.definition),
        published_at=now,
        published_by=user.id,
    )
    session.add(published)
    flow.updated_at = now
    await session.flush()
    return FlowInfo(flow, draft, published)


async def flow_for_channel(session: AsyncSession, channel_id: int) -> FlowVersion | None:
    """The published version that greets new conversations on this channel: the channel's
    own active flow, else the active default flow."""
    return await session.scalar(
        select(FlowVersion)
        .join(Flow, Flow.id == FlowVersion.flow_id)
        .where(
            Flow.active.is_(True),
            FlowVersion.state == VersionState.PUBLISHED.value,
            or_(Flow.channel_id == channel_id, Flow.channel_id.is_(None)),
        )
        .order_by(Flow.channel_id.is_(None), Flow.id)
        .limit(1)
    )


# --- import and export ----------------------------------------------------------------


def _area_ids(definition: FlowDefinition) -> set[int]:
    ids = {n.area_id for n, _ in walk(definition.nodes) if isinstance(n, RedirectNode)}
    ids.add(definition.settings.default_area_id)
    return {i for i in ids if i is not None}


async def export_flow(session: AsyncSession, flow_id: int, which: str) -> FlowExport:
    flow = await get_flow(session, flow_id)
    version = await get_version(session, flow_id, which)
    definition = load_definition(version)
    areas = await area_infos(session)
    return FlowExport(
        name=flow.name,
        exported_at=utcnow(),
        version=version.number,
        areas={str(i): areas[i].name for i in sorted(_area_ids(definition)) if i in areas},
        definition=definition,
    )


def _remap_areas(definition: FlowDefinition, mapping: dict[int, int]) -> None:
    """Areas are found by name on the importing desk (ids differ between desks)."""
    for node, _ in walk(definition.nodes):
        if isinstance(node, RedirectNode) and node.area_id in mapping:
            node.area_id = mapping[node.area_id]
    settings = definition.settings
    if settings.default_area_id in mapping:
        settings.default_area_id = mapping[settings.default_area_id]


async def _free_name(session: AsyncSession, name: str) -> str:
    taken = {n.lower() for n in await session.scalars(select(Flow.name))}
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = name[: 120 - len(suffix)] + suffix
    return candidate


async def import_flow(session: AsyncSession, doc: FlowImport) -> FlowInfo:
    """A new flow whose draft is the imported tree (publish it after checking)."""
    by_name = {a.name.lower(): i for i, a in (await area_infos(session)).items()}
    mapping = {
        int(old): by_name[name.lower()]
        for old, name in doc.areas.items()
        if old.isdigit() and name.lower() in by_name
    }
    definition = doc.definition.model_copy(deep=True)
    _remap_areas(definition, mapping)
    data = FlowCreate(
        name=await _free_name(session, doc.name),
        channel_id=doc.channel_id,
        definition=definition,
    )
    return await create_flow(session, data)


# --- areas the flows send conversations to --------------------------------------------


async def flows_using_area(session: AsyncSession, area_id: int) -> list[tuple[str, str | None]]:
    """(flow name, node key) of active published flows that send conversations to the
    area (node key None: it is the flow's default area)."""
    rows = await session.execute(
        select(Flow.name, FlowVersion.definition)
        .join(FlowVersion, FlowVersion.flow_id == Flow.id)
        .where(Flow.active.is_(True), FlowVersion.state == VersionState.PUBLISHED.value)
    )
    found: list[tuple[str, str | None]] = []
    for name, raw in rows.all():
        definition = FlowDefinition.model_validate(raw)
        if definition.settings.default_area_id == area_id:
            found.append((name, None))
        found += [
            (name, node.key)
            for node, _ in walk(definition.nodes)
            if isinstance(node, RedirectNode) and node.area_id == area_id
        ]
    return found


async def ensure_area_unused(session: AsyncSession, area: Area) -> None:
    """An area a published flow redirects to cannot be deleted or deactivated."""
    uses = await flows_using_area(session, area.id)
    if not uses:
        return
    name, node = uses[0]
    where = f"node '{node}'" if node else "its default area"
    raise Conflict(
        f"Area '{area.name}' is used by the published flow '{name}' ({where}); "
        "change the flow first"
    )
