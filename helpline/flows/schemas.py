from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from helpline.auth.schemas import ApiModel
from helpline.db import RowId
from helpline.flows.definition import FlowDefinition, FlowSettings, Node, Problem

EXPORT_FORMAT: Literal["helpline.flow"] = "helpline.flow"


def _clean_name(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


Name = Annotated[str, Field(min_length=1, max_length=120), AfterValidator(_clean_name)]


class FlowOut(ApiModel):
    id: int
    name: str
    channel_id: int | None = Field(description="null: the default flow for every channel")
    active: bool
    published_version: int | None
    published_at: datetime | None
    draft_updated_at: datetime
    has_unpublished_changes: bool
    created_at: datetime
    updated_at: datetime


class FlowCreate(ApiModel):
    name: Name
    channel_id: RowId | None = None
    active: bool = True
    definition: FlowDefinition | None = Field(default=None, description="the first draft")


class FlowUpdate(ApiModel):
    """Only the fields sent change; `channelId: null` makes it the default flow."""

    name: Name | None = None
    channel_id: RowId | None = None
    active: bool | None = None


class VersionOut(ApiModel):
    number: int = Field(description="0 is the draft")
    state: Literal["draft", "published", "archived"]
    published_at: datetime | None
    published_by: int | None
    updated_at: datetime


class FlowTreeOut(ApiModel):
    """A version's whole tree, as the builder reads it and PUTs it back."""

    flow_id: int
    version: VersionOut
    settings: FlowSettings
    nodes: list[Node]
    problems: list[Problem] = Field(description="what blocks publishing (drafts may have some)")


class ValidationOut(ApiModel):
    valid: bool
    problems: list[Problem]


class FlowExport(ApiModel):
    format: Literal["helpline.flow"] = EXPORT_FORMAT
    format_version: Literal[1] = 1
    name: Name
    exported_at: datetime | None = None
    version: int | None = Field(default=None, description="the exported version (0: draft)")
    areas: dict[str, str] = Field(
        default_factory=dict, description="area id -> name, to map areas on import"
    )
    definition: FlowDefinition


class FlowImport(FlowExport):
    """An export document; `name` is made unique if taken, `channelId` binds it."""

    channel_id: RowId | None = None


class FlowRunOut(ApiModel):
    """The bot's state in one conversation (for the console's side panel)."""

    conversation_id: int
    flow_id: int
    flow_name: str
    version: int
    status: str
    node_key: str | None
    waiting: str | None
    invalid_count: int
    data: dict[str, Any]
    tags: list[str]
    updated_at: datetime


class SimulatedState(ApiModel):
    """The bot's state in a try-it run, sent back with the next message as it came."""

    node_key: str | None = Field(default=None, max_length=64)
    waiting: str | None = Field(default=None, max_length=20)
    invalid_count: int = Field(default=0, ge=0, le=100)
    data: dict[str, str] = Field(default_factory=dict, max_length=100)
    tags: list[str] = Field(default_factory=list, max_length=100)
    finished: bool = False


class SimulatedMessage(ApiModel):
    text: str = Field(default="", max_length=4096)
    type: str = Field(default="text", max_length=20)
    reply_id: str | None = Field(default=None, max_length=128)


class SimulationIn(ApiModel):
    state: SimulatedState | None = Field(default=None, description="null: a new conversation")
    message: SimulatedMessage


class SimulatedOption(ApiModel):
    id: str
    number: int
    label: str


class SimulatedReply(ApiModel):
    text: str
    options: list[SimulatedOption] | None = None


class SimulatedHandover(ApiModel):
    area_id: int | None
    area_name: str | None


class SimulationOut(ApiModel):
    state: SimulatedState
    replies: list[SimulatedReply] = Field(default_factory=list)
    handover: SimulatedHandover | None = None
    closed: bool = False
    finished: bool = False
    node_key: str | None = None
    events: list[str] = Field(default_factory=list)
