from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import Field, field_validator

from helpline.auth.schemas import ApiModel


class UserRef(ApiModel):
    id: int
    name: str


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


class MessageIn(ApiModel):
    body: str = Field(min_length=1, max_length=4096)

    @field_validator("body")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


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
