from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator, model_validator

from helpline.auth.schemas import ApiModel
from helpline.bot_rules.matching import compile_regex
from helpline.db import RowId

MatchKind = Literal["contains", "exact", "regex"]
MAX_RULES = 200
MESSAGE_LENGTH = 4096


def _message(value: str | None) -> str | None:
    """A bot message: trimmed; empty means none."""
    return value.strip() or None if value is not None else None


class RuleIn(ApiModel):
    """One keyword rule. Rules are tried in the order of the list: the first that matches
    answers. `answer` may be empty only when the rule jumps to a flow node or hands over."""

    match: MatchKind = "contains"
    pattern: str = Field(min_length=1, max_length=200)
    answer: str = Field(default="", max_length=MESSAGE_LENGTH)
    node_key: str | None = Field(default=None, max_length=64, description="a node of the flow")
    area_id: RowId | None = Field(default=None, description="hand the conversation over here")
    active: bool = True

    @field_validator("pattern", "answer")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        return value.strip()

    @field_validator("node_key")
    @classmethod
    def _key(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @model_validator(mode="after")
    def _coherent(self) -> RuleIn:
        if not self.pattern:
            raise ValueError("a rule needs words (or a regular expression) to look for")
        if self.match == "regex":
            try:
                compile_regex(self.pattern)
            except re.error as exc:
                raise ValueError(
                    f"'{self.pattern}' is not a valid regular expression: {exc}"
                ) from None
        if self.node_key and self.area_id:
            raise ValueError(
                "a rule either jumps to a flow node or hands over to an area, not both"
            )
        if not (self.answer or self.node_key or self.area_id):
            raise ValueError(f"the rule for '{self.pattern}' needs an answer, a node or an area")
        return self


class RuleOut(RuleIn):
    position: int = Field(description="1 is tried first")


class BotIn(ApiModel):
    """The whole bot of a channel at once: what is not sent is emptied."""

    welcome_message: str | None = Field(default=None, max_length=MESSAGE_LENGTH)
    out_of_hours_message: str | None = Field(default=None, max_length=MESSAGE_LENGTH)
    rules: list[RuleIn] = Field(default_factory=list, max_length=MAX_RULES)

    _messages = field_validator("welcome_message", "out_of_hours_message")(_message)


class NodeChoice(ApiModel):
    """A node of the channel's published flow a rule may jump to."""

    key: str
    label: str


class BotOut(ApiModel):
    channel_id: int
    channel_name: str
    welcome_message: str | None
    out_of_hours_message: str | None
    rules: list[RuleOut]
    # The published flow of the channel (its own, else the default) and its nodes.
    flow_name: str | None
    nodes: list[NodeChoice]
    updated_at: datetime | None


class TryIn(ApiModel):
    text: str = Field(max_length=MESSAGE_LENGTH)
    # Rules being edited (not saved yet); the saved ones when omitted.
    rules: list[RuleIn] | None = Field(default=None, max_length=MAX_RULES)


class TryOut(ApiModel):
    matched: bool
    position: int | None = Field(description="the rule that answers (1 is tried first)")
    rule: RuleOut | None
