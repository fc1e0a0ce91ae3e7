from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import Field, field_validator

from helpline.auth.schemas import ApiModel
from helpline.db import RowId
from helpline.media.schemas import MediaOut
from helpline.messages.models import RAW_KEY


class UserRef(ApiModel):
    id: int
    name: str


class QuotedOut(ApiModel):
    """The message a reply points to."""

    id: int
    body: str
    type: str
    direction: str


class ReactionOut(ApiModel):
    emoji: str
    direction: str  # in: the customer's; out: the business's


class MessageOut(ApiModel):
    id: int
    conversation_id: int
    direction: str
    sender: str
    sender_user: UserRef | None
    type: str
    body: str
    payload: dict[str, Any] | None = None
    status: str
    error: str | None
    created_at: datetime
    media: MediaOut | None = None
    quoted: QuotedOut | None = None
    reactions: list[ReactionOut] = Field(default_factory=list)

    @field_validator("payload", mode="before")
    @classmethod
    def _without_raw(cls, value: Any) -> Any:
        """An unsupported message's raw body is for admins (`GET /api/messages/{id}/raw`):
        everyone else sees only that it is kept."""
        if isinstance(value, dict) and RAW_KEY in value:
            return {**{k: v for k, v in value.items() if k != RAW_KEY}, "rawKept": True}
        return value

    @field_validator("reactions", mode="before")
    @classmethod
    def _reaction_list(cls, value: Any) -> Any:
        """Stored as {direction: emoji}; an empty emoji is a removed reaction."""
        if value is None:
            return []
        if isinstance(value, dict):
            return [{"emoji": e, "direction": d} for d, e in sorted(value.items()) if e]
        return value


class MessageIn(ApiModel):
    body: str = Field(min_length=1, max_length=4096)
    quoted_id: RowId | None = Field(default=None, description="the id of the message replied to")

    @field_validator("body")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class MessageRawOut(ApiModel):
    """What the provider sent for a message the desk cannot show yet."""

    id: int
    type: str
    raw: dict[str, Any] | None


class MessageStatusOut(ApiModel):
    id: int
    conversation_id: int
    status: str
    error: str | None


T = TypeVar("T")


class Page(ApiModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int
