"""Property: for any flow (well-formed or not) and any sequence of customer messages, the
engine never raises and its state stays valid: finished, or waiting at a node of the flow
that waits for an answer, with fewer invalid answers than that node allows."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpline.demo import demo_flow
from helpline.flows.definition import (
    ActionNode,
    CompiledFlow,
    FlowDefinition,
    MenuNode,
    compile_flow,
    waits_for,
)
from helpline.flows.engine import BotState, Close, Handover, Inbound, StepResult, step

KINDS = ["message", "menu", "ask", "tag", "webhook", "lookup", "list", "redirect", "end"]
FIELDS = ["name", "email", "dni", "custom"]

WORDS = ["1", "2", "3", "0", "9", "menu", "menú", "asesor", "persona", "hola", "k1", "A-1"]
WORDS += ["a@b.co", "12345678", "Juan", "😀", "1️⃣", "", " ", "x" * 4000, "opción 2", "si"]


def _node(draw: st.DrawFn, key: str, keys: list[str]) -> dict[str, Any]:
    kind = draw(st.sampled_from(KINDS))
    target = st.one_of(st.none(), st.sampled_from([*keys, "missing"]))
    text = draw(st.sampled_from(["", "Hola {name}", "¿Qué necesitás?"]))
    base: dict[str, Any] = {"key": key, "text": text}
    if kind == "menu":
        options = draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "number": st.integers(0, 9),
                        "label": st.sampled_from(["Ventas", "Soporte", "", "Otro"]),
                        "keywords": st.lists(st.sampled_from(["si", "no", "ayuda"]), max_size=2),
                        "target": target,
                        "human": st.booleans(),
                    }
                ),
                max_size=4,
            )
        )
        return {**base, "type": "menu", "options": options, "maxInvalid": draw(st.integers(1, 4))}
    if kind in ("redirect", "end"):
        return {**base, "type": kind, **({"areaId": 1} if kind == "redirect" else {})}
    nxt = {"next": draw(target)}
    if kind == "message":
        return {**base, "type": "message", **nxt}
    action: dict[str, Any] = {**base, "type": "action", **nxt, "maxInvalid": 2}
    if kind == "ask":
        field = draw(st.sampled_from(FIELDS))
        return {**action, "action": "ask", "field": field, "customKey": "extra"}
    if kind in ("lookup", "list"):
        entries = [{"key": "A-1", "text": "ok"}, {"key": "k1", "text": "uno"}]
        return {**action, "action": "catalog", "command": kind, "entries": entries}
    if kind == "tag":
        return {**action, "action": "tag", "tag": "t"}
    return {**action, "action": "webhook", "url": "http://127.0.0.1:9/"}


@st.composite
def definitions(draw: st.DrawFn) -> FlowDefinition:
    """A random tree: node i hangs under an earlier node (or at the top); menus, `next`
    and options point anywhere, missing keys included."""
    count = draw(st.integers(1, 9))
    keys = [f"n{i}" for i in range(count)]
    nodes = {key: _node(draw, key, keys) for key in keys}
    top: list[dict[str, Any]] = []
    for i, key in enumerate(keys):
        parent = draw(st.sampled_from([None, *keys[:i]])) if i else None
        siblings = top if parent is None else nodes[parent].setdefault("children", [])
        siblings.append(nodes[key])
    menu_key = draw(st.sampled_from([None, *keys]))
    return FlowDefinition.model_validate(
        {"settings": {"defaultAreaId": 2, "menuKey": menu_key}, "nodes": top}
    )


def inbounds(keys: list[str]) -> st.SearchStrategy[Inbound]:
    texts = st.one_of(st.sampled_from(WORDS), st.text(max_size=30))
    reply_ids = st.one_of(
        st.none(), st.builds(lambda k, n: f"{k}:{n}", st.sampled_from(keys), st.integers(0, 9))
    )
    kinds = st.sampled_from(["text", "text", "text", "interactive", "image", "sticker", "audio"])
    return st.builds(Inbound, text=texts, type=kinds, reply_id=reply_ids)


def assert_valid(flow: CompiledFlow, result: StepResult) -> None:
    state = result.state
    endings = [a for a in result.actions if isinstance(a, Handover | Close)]
    if state.finished:
        assert state.node_key is None and state.waiting is None
        assert len(endings) == 1, result.actions  # the bot never just stops
        return
    assert not endings
    assert state.node_key in flow.nodes
    node = flow.nodes[state.node_key]
    assert state.waiting == waits_for(node) is not None
    assert isinstance(node, MenuNode | ActionNode)
    assert 0 <= state.invalid_count < node.max_invalid


def run_all(flow: CompiledFlow, messages: list[Inbound]) -> None:
    state: BotState | None = None
    for inbound in messages:
        result = step(flow, state, inbound)
        assert_valid(flow, result)
        state = result.state


DEMO = compile_flow(FlowDefinition.model_validate(demo_flow(1, 2)))
DEMO_KEYS = list(DEMO.nodes)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_flow_any_messages_the_state_stays_valid(data: st.DataObject) -> None:
    flow = compile_flow(data.draw(definitions()))
    keys = list(flow.nodes) or ["n0"]
    run_all(flow, data.draw(st.lists(inbounds(keys), max_size=12)))


@settings(max_examples=300, deadline=None)
@given(st.lists(inbounds(DEMO_KEYS), max_size=20))
def test_the_demo_flow_with_any_messages(messages: list[Inbound]) -> None:
    run_all(DEMO, messages)
