"""Keyword rules and bot messages per channel: reading, replacing (checked whole, then
stored whole) and trying a message. Changes are announced to every console."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.areas.models import Area
from helpline.auth.models import Role
from helpline.bot_rules.matching import first_match
from helpline.bot_rules.models import BotSettings
from helpline.bot_rules.schemas import BotIn, BotOut, NodeChoice, RuleIn, RuleOut, TryOut
from helpline.channels.models import Channel
from helpline.errors import Unprocessable
from helpline.flows.definition import FlowDefinition, walk
from helpline.flows.models import Flow
from helpline.flows.service import flow_for_channel, load_definition
from helpline.realtime import queue_event, role_room


def _everyone() -> list[str]:
    return [role_room(r.value) for r in Role]


async def forget_channel(session: AsyncSession, channel: Channel) -> None:
    """The channel is being deleted (channels.hooks.CHANNEL_DELETING): its bot goes too."""
    await session.execute(delete(BotSettings).where(BotSettings.channel_id == channel.id))


async def settings_of(session: AsyncSession, channel_id: int) -> BotSettings | None:
    return await session.scalar(select(BotSettings).where(BotSettings.channel_id == channel_id))


async def channel_flow(session: AsyncSession, channel_id: int) -> tuple[str, FlowDefinition] | None:
    """The published flow that runs on the channel (its name and tree), if any."""
    version = await flow_for_channel(session, channel_id)
    if version is None:
        return None
    flow = await session.get(Flow, version.flow_id)
    return (flow.name if flow else ""), load_definition(version)


def _node_label(node: Any) -> str:
    text = getattr(node, "title", "") or getattr(node, "text", "") or ""
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    return f"{node.key} — {first_line[:60]}" if first_line else node.key


async def get_bot(session: AsyncSession, channel: Channel) -> BotOut:
    row = await settings_of(session, channel.id)
    found = await channel_flow(session, channel.id)
    nodes = (
        [NodeChoice(key=n.key, label=_node_label(n)) for n, _ in walk(found[1].nodes)]
        if (found)
        else []
    )
    return BotOut(
        channel_id=channel.id,
        channel_name=channel.name,
        welcome_message=row.welcome_message if row else None,
        out_of_hours_message=row.out_of_hours_message if row else None,
        rules=rules_out(row.rules if row else []),
        flow_name=found[0] if found else None,
        nodes=nodes,
        updated_at=row.updated_at if row else None,
    )


def rules_out(stored: list[dict[str, Any]]) -> list[RuleOut]:
    return [
        RuleOut(position=i, **RuleIn.model_validate(r).model_dump())
        for i, r in enumerate(stored, start=1)
    ]


async def check_rules(session: AsyncSession, channel: Channel, rules: list[RuleIn]) -> None:
    """Every area a rule hands over to exists and is active; every node a rule jumps to is
    in the channel's published flow. One message naming each problem, nothing saved."""
    problems: list[str] = []
    area_ids = {r.area_id for r in rules if r.area_id is not None}
    if area_ids:
        usable = set(
            await session.scalars(
                select(Area.id).where(Area.id.in_(area_ids), Area.active.is_(True))
            )
        )
        for position, rule in enumerate(rules, start=1):
            if rule.area_id is not None and rule.area_id not in usable:
                problems.append(
                    f"rule {position}: area {rule.area_id} does not exist or is inactive"
                )
    if any(r.node_key for r in rules):
        found = await channel_flow(session, channel.id)
        keys = {n.key for n, _ in walk(found[1].nodes)} if found else set()
        for position, rule in enumerate(rules, start=1):
            if not rule.node_key or rule.node_key in keys:
                continue
            where = f"the flow '{found[0]}'" if found else "this channel's flow (none is published)"
            problems.append(f"rule {position}: node '{rule.node_key}' is not in {where}")
    if problems:
        raise Unprocessable("; ".join(problems))


async def save_bot(session: AsyncSession, channel: Channel, data: BotIn) -> BotOut:
    await check_rules(session, channel, data.rules)
    row = await settings_of(session, channel.id)
    if row is None:
        row = BotSettings(channel_id=channel.id)
        session.add(row)
    row.welcome_message = data.welcome_message
    row.out_of_hours_message = data.out_of_hours_message
    row.rules = [r.model_dump(mode="json") for r in data.rules]
    await session.flush()
    out = await get_bot(session, channel)
    payload = {"channelId": channel.id, "bot": out.model_dump(mode="json", by_alias=True)}
    queue_event(session, "bot:updated", payload, _everyone())
    return out


async def try_message(
    session: AsyncSession, channel: Channel, text: str, rules: list[RuleIn] | None
) -> TryOut:
    if rules is None:
        row = await settings_of(session, channel.id)
        stored = row.rules if row else []
    else:
        stored = [r.model_dump(mode="json") for r in rules]
    found = first_match(stored, text)
    if found is None:
        return TryOut(matched=False, position=None, rule=None)
    position, rule = found
    out = RuleOut(position=position, **RuleIn.model_validate(rule).model_dump())
    return TryOut(matched=True, position=position, rule=out)
