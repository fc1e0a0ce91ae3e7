"""The builder's "try it" panel: a draft flow answers a pretend customer. Nothing is
stored and nothing is sent; the state travels with each request."""

from __future__ import annotations

from collections.abc import Mapping

from helpline.flows import engine
from helpline.flows.definition import FlowDefinition
from helpline.flows.schemas import (
    SimulatedHandover,
    SimulatedOption,
    SimulatedReply,
    SimulatedState,
    SimulationIn,
    SimulationOut,
)


def _state_in(state: SimulatedState | None) -> engine.BotState | None:
    if state is None:
        return None
    return engine.BotState(
        node_key=state.node_key,
        waiting=state.waiting,
        invalid_count=state.invalid_count,
        data=dict(state.data),
        tags=tuple(state.tags),
        finished=state.finished,
    )


def _state_out(state: engine.BotState) -> SimulatedState:
    return SimulatedState(
        node_key=state.node_key,
        waiting=state.waiting,
        invalid_count=state.invalid_count,
        data=dict(state.data),
        tags=list(state.tags),
        finished=state.finished,
    )


def _reply(action: engine.SendText | engine.SendMenu) -> SimulatedReply:
    if isinstance(action, engine.SendText):
        text = "\n".join(p for p in (action.text, action.media_url) if p)
        return SimulatedReply(text=text, options=None)
    options = [SimulatedOption(id=o.id, number=o.number, label=o.label) for o in action.options]
    return SimulatedReply(text=action.text, options=options)


def simulate(
    definition: FlowDefinition, data: SimulationIn, area_names: Mapping[int, str]
) -> SimulationOut:
    """One pretend customer message through the draft. A hand-over to no particular area
    goes to the flow's default area, as the live bot does."""
    message = data.message
    inbound = engine.Inbound(text=message.text, type=message.type, reply_id=message.reply_id)
    result = engine.step(definition, _state_in(data.state), inbound)
    out = SimulationOut(state=_state_out(result.state), node_key=result.state.node_key)
    for action in result.actions:
        match action:
            case engine.SendText() | engine.SendMenu():
                out.replies.append(_reply(action))
            case engine.Handover():
                area_id = action.area_id or definition.settings.default_area_id
                name = area_names.get(area_id) if area_id is not None else None
                out.handover = SimulatedHandover(area_id=area_id, area_name=name)
            case engine.Close():
                out.closed = True
            case engine.Trace():
                out.events.append(f"{action.kind}: {action.note}" if action.note else action.kind)
    out.finished = result.state.finished or out.closed or out.handover is not None
    return out
