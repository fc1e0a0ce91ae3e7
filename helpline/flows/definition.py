"""A bot flow's definition: the tree the builder edits, the API carries and the engine runs.

Pure (no I/O, no database): pydantic models for the tree, an index of it (`CompiledFlow`),
and the checks a flow must pass before it is published (`problems`).

The tree: `nodes` are the top-level nodes (the first one is where a new conversation
starts); every node has a stable string `key` and ordered `children`. Where a node goes
next: a menu goes to the `target` of the option the customer picks; a message or action
goes to `next` when set (any node: e.g. back to the main menu), else to its first child;
a redirect or an end node finishes the bot.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$"
MAX_NODES = 500
MAX_DEPTH = 40
MAX_UI_BYTES = 2000

Key = Annotated[str, Field(pattern=KEY_PATTERN, description="a stable id, e.g. 'main-menu'")]
Text = Annotated[str, Field(max_length=4096)]
ShortText = Annotated[str, Field(max_length=1000)]
Keyword = Annotated[str, Field(min_length=1, max_length=40)]

DEFAULT_MENU_KEYWORDS = ["menu", "menú", "0"]
DEFAULT_HUMAN_KEYWORDS = ["asesor", "humano", "persona", "agente", "operador"]
DEFAULT_INVALID_TEXT = "No entendí tu respuesta. Elegí una de las opciones, por favor."
DEFAULT_HUMAN_TEXT = "Te comunicamos con una persona de nuestro equipo. En breve te responde."


class DefinitionModel(BaseModel):
    """camelCase on the wire like the rest of the API; unknown fields are typos: refused."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        json_schema_serialization_defaults_required=True,
    )


class MenuOption(DefinitionModel):
    number: int = Field(ge=0, le=99)
    label: str = Field(default="", max_length=80)
    keywords: list[Keyword] = Field(default_factory=list, max_length=20)
    target: Key | None = Field(default=None, description="the node this option leads to")
    human: bool = Field(default=False, description="hand over to a person (the default area)")


class CatalogEntry(DefinitionModel):
    key: str = Field(min_length=1, max_length=60, description="e.g. an order number")
    text: ShortText = Field(description="the answer for this key, or its line in a list")


class NodeBase(DefinitionModel):
    key: Key
    type: str
    title: str = Field(default="", max_length=80, description="a label for the builder")
    ui: dict[str, Any] | None = Field(
        default=None, description="free builder metadata (position, collapsed), <= 2 KB"
    )

    @field_validator("ui")
    @classmethod
    def _small_ui(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and len(json.dumps(value)) > MAX_UI_BYTES:
            raise ValueError(f"ui metadata is limited to {MAX_UI_BYTES} bytes of JSON")
        return value


# Declared last in each node type, so exported JSON reads top-down.
Children = Annotated[list["Node"], Field(default_factory=list, max_length=100)]


class MessageNode(NodeBase):
    type: Literal["message"]
    text: Text = ""
    media_url: str | None = Field(default=None, max_length=2000)
    next: Key | None = None
    children: Children


class MenuNode(NodeBase):
    type: Literal["menu"]
    text: Text = ""
    options: list[MenuOption] = Field(default_factory=list, max_length=30)
    invalid_text: ShortText | None = None
    max_invalid: int = Field(default=3, ge=1, le=20)
    children: Children


AskField = Literal["name", "email", "dni", "custom"]
Check = Literal["text", "name", "email", "dni", "number"]


class ActionNode(NodeBase):
    """`ask`: ask and store an answer; `tag`: tag the conversation; `webhook`: POST the
    conversation's data to `url`; `catalog`: `lookup` answers from `entries` by key (an
    order number), `list` sends the entries."""

    type: Literal["action"]
    action: Literal["ask", "tag", "webhook", "catalog"]
    text: Text = Field(default="", description="the question, prompt or list header")
    field: AskField | None = None
    custom_key: Key | None = None
    check: Check | None = Field(default=None, description="defaults from `field`")
    retry_text: ShortText | None = None
    max_invalid: int = Field(default=3, ge=1, le=20)
    tag: str | None = Field(default=None, max_length=40)
    url: str | None = Field(default=None, max_length=2000)
    command: Literal["lookup", "list"] | None = None
    entries: list[CatalogEntry] = Field(default_factory=list, max_length=500)
    store_as: Key | None = None
    next: Key | None = None
    children: Children


class RedirectNode(NodeBase):
    type: Literal["redirect"]
    area_id: int | None = None
    text: Text = ""
    children: Children


class EndNode(NodeBase):
    type: Literal["end"]
    text: Text = ""
    children: Children


Node = Annotated[
    MessageNode | MenuNode | ActionNode | RedirectNode | EndNode, Field(discriminator="type")
]
AnyNode = MessageNode | MenuNode | ActionNode | RedirectNode | EndNode


class FlowSettings(DefinitionModel):
    menu_keywords: list[Keyword] = Field(
        default_factory=lambda: list(DEFAULT_MENU_KEYWORDS), max_length=20
    )
    human_keywords: list[Keyword] = Field(
        default_factory=lambda: list(DEFAULT_HUMAN_KEYWORDS), max_length=20
    )
    default_area_id: int | None = Field(default=None, description="where a person takes over")
    menu_key: Key | None = Field(default=None, description="the main menu; default: first menu")
    invalid_text: ShortText = DEFAULT_INVALID_TEXT
    human_text: ShortText = DEFAULT_HUMAN_TEXT


class FlowDefinition(DefinitionModel):
    settings: FlowSettings = Field(default_factory=FlowSettings)
    nodes: list[Node] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _keys_unique_and_size_bounded(self) -> FlowDefinition:
        seen: set[str] = set()
        for node, depth in walk(self.nodes):
            if node.key in seen:
                raise ValueError(f"node key '{node.key}' is used twice; keys must be unique")
            seen.add(node.key)
            if depth >= MAX_DEPTH:
                raise ValueError(f"the tree is deeper than {MAX_DEPTH} levels")
        if len(seen) > MAX_NODES:
            raise ValueError(f"a flow has at most {MAX_NODES} nodes")
        return self


def walk(nodes: list[AnyNode] | list[Node], depth: int = 0) -> Iterator[tuple[AnyNode, int]]:
    """Every node, parents before children, siblings in order."""
    for node in nodes:
        yield node, depth
        yield from walk(node.children, depth + 1)


def waits_for(node: AnyNode) -> str | None:
    """What the bot waits for at this node (None: it moves on by itself)."""
    if isinstance(node, MenuNode):
        return "menu"
    if isinstance(node, ActionNode):
        if node.action == "ask":
            return "ask"
        if node.action == "catalog" and node.command != "list":
            return "lookup"
    return None


@dataclass(frozen=True)
class CompiledFlow:
    """A definition indexed for the engine: nodes by key, the entry and the main menu."""

    definition: FlowDefinition
    nodes: dict[str, AnyNode] = field(default_factory=dict)
    entry: str | None = None
    main_menu: str | None = None

    @property
    def settings(self) -> FlowSettings:
        return self.definition.settings

    def after(self, node: AnyNode) -> str | None:
        """Where a message or action node goes on to: `next`, else its first child."""
        explicit = getattr(node, "next", None)
        if explicit:
            return str(explicit)
        return node.children[0].key if node.children else None


def compile_flow(definition: FlowDefinition) -> CompiledFlow:
    nodes = {node.key: node for node, _ in walk(definition.nodes)}
    menus = [key for key, node in nodes.items() if isinstance(node, MenuNode)]
    main = definition.settings.menu_key
    if main not in nodes:
        main = menus[0] if menus else None
    entry = definition.nodes[0].key if definition.nodes else None
    return CompiledFlow(definition, nodes, entry, main)


# --- validation before publishing -----------------------------------------------------


class Problem(DefinitionModel):
    node_key: str | None = Field(description="the node at fault; null for the whole flow")
    message: str


@dataclass(frozen=True)
class AreaInfo:
    name: str
    active: bool


def problems(definition: FlowDefinition, areas: Mapping[int, AreaInfo]) -> list[Problem]:
    """Everything wrong with a flow, each problem naming its node (empty: publishable)."""
    flow = compile_flow(definition)
    found: list[Problem] = []
    if flow.entry is None:
        return [Problem(node_key=None, message="The flow has no nodes")]
    found += _settings_problems(flow, areas)
    for node in flow.nodes.values():
        found += [Problem(node_key=node.key, message=m) for m in _node_problems(flow, node, areas)]
    found += _unreachable(flow)
    found += _loops(flow)
    return found


def _area_problem(area_id: int | None, areas: Mapping[int, AreaInfo]) -> tuple[str, str] | None:
    """("area 'Ventas'", "is inactive") when an area cannot take conversations."""
    if area_id is None:
        return None
    area = areas.get(area_id)
    if area is None:
        return f"area {area_id}", "does not exist"
    return None if area.active else (f"area '{area.name}'", "is inactive")


def _settings_problems(flow: CompiledFlow, areas: Mapping[int, AreaInfo]) -> list[Problem]:
    found = []
    settings = flow.settings
    wrong_area = _area_problem(settings.default_area_id, areas)
    if wrong_area:
        found.append(Problem(node_key=None, message=f"The default {wrong_area[0]} {wrong_area[1]}"))
    if settings.menu_key is not None:
        node = flow.nodes.get(settings.menu_key)
        if not isinstance(node, MenuNode):
            found.append(
                Problem(node_key=None, message=f"The main menu '{settings.menu_key}' is no menu")
            )
    return found


def _node_problems(flow: CompiledFlow, node: AnyNode, areas: Mapping[int, AreaInfo]) -> list[str]:
    if isinstance(node, MenuNode):
        return _menu_problems(flow, node)
    if isinstance(node, ActionNode):
        return _action_problems(flow, node)
    if isinstance(node, RedirectNode):
        if node.area_id is None:
            return ["A redirect needs an area"]
        wrong_area = _area_problem(node.area_id, areas)
        return [f"Redirects to {wrong_area[0]}, which {wrong_area[1]}"] if wrong_area else []
    if isinstance(node, MessageNode):
        found = [] if node.text.strip() or node.media_url else ["A message needs a text"]
        return found + _goes_on(flow, node)
    return []


def _goes_on(flow: CompiledFlow, node: MessageNode | ActionNode) -> list[str]:
    if node.next is not None and node.next not in flow.nodes:
        return [f"'next' points at '{node.next}', which does not exist"]
    if flow.after(node) is None:
        return ["Leads nowhere: add a child or set 'next'"]
    return []


def _menu_problems(flow: CompiledFlow, node: MenuNode) -> list[str]:
    found = []
    if not node.text.strip():
        found.append("A menu needs a prompt text")
    if not node.options:
        found.append("A menu needs at least one option")
    numbers = [o.number for o in node.options]
    twice = sorted({n for n in numbers if numbers.count(n) > 1})
    found += [f"Option number {n} is used twice" for n in twice]
    for option in node.options:
        name = f"Option {option.number}"
        if option.human and option.target:
            found.append(f"{name} both hands over to a person and leads to '{option.target}'")
        elif not option.human and not option.target:
            found.append(f"{name} leads nowhere: pick a child node or 'human'")
        elif option.target and option.target not in flow.nodes:
            found.append(f"{name} points at '{option.target}', which does not exist")
        if not option.label.strip():
            found.append(f"{name} needs a label")
    return found


def _action_problems(flow: CompiledFlow, node: ActionNode) -> list[str]:
    found = []
    if node.action == "ask":
        if node.field is None:
            found.append("An ask action needs a field (name, email, dni or custom)")
        if node.field == "custom" and not node.custom_key:
            found.append("A custom field needs a customKey")
        if not node.text.strip():
            found.append("An ask action needs a question")
    elif node.action == "tag" and not (node.tag or "").strip():
        found.append("A tag action needs a tag")
    elif node.action == "webhook" and not (node.url or "").startswith(("http://", "https://")):
        found.append("A webhook needs an http(s) URL")
    elif node.action == "catalog":
        if node.command is None:
            found.append("A catalog action needs a command (lookup or list)")
        if not node.entries:
            found.append("A catalog action needs entries")
        if node.command == "lookup" and not node.text.strip():
            found.append("A catalog lookup needs a prompt text")
    return found + _goes_on(flow, node)


def edges(flow: CompiledFlow, node: AnyNode) -> list[str]:
    """The nodes the bot can go to from this one."""
    if isinstance(node, MenuNode):
        return [o.target for o in node.options if o.target]
    if isinstance(node, MessageNode | ActionNode):
        after = flow.after(node)
        return [after] if after else []
    return []


def _unreachable(flow: CompiledFlow) -> list[Problem]:
    starts = [k for k in (flow.entry, flow.main_menu) if k is not None]
    seen = set(starts)
    todo = list(starts)
    while todo:
        node = flow.nodes[todo.pop()]
        for target in edges(flow, node):
            if target in flow.nodes and target not in seen:
                seen.add(target)
                todo.append(target)
    return [
        Problem(node_key=key, message="Unreachable: no option or step leads here")
        for key in flow.nodes
        if key not in seen
    ]


def _loops(flow: CompiledFlow) -> list[Problem]:
    """Steps that go round forever without asking the customer anything."""
    found = []
    for key, node in flow.nodes.items():
        if waits_for(node) is not None or isinstance(node, MenuNode):
            continue
        seen = {key}
        current = flow.after(node) if isinstance(node, MessageNode | ActionNode) else None
        while current is not None and current in flow.nodes:
            nxt = flow.nodes[current]
            if waits_for(nxt) is not None or not isinstance(nxt, MessageNode | ActionNode):
                break
            if current == key:
                found.append(
                    Problem(node_key=key, message="Loops back without asking the customer")
                )
                break
            if current in seen:  # a loop further on: reported at its own nodes
                break
            seen.add(current)
            current = flow.after(nxt)
    return found


for _model in (MessageNode, MenuNode, ActionNode, RedirectNode, EndNode, FlowDefinition):
    _model.model_rebuild()
