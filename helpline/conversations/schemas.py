from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from helpline.auth.schemas import ApiModel
from helpline.messages.schemas import UserRef


class ContactRef(ApiModel):
    id: int
    phone: str
    name: str | None


class ConversationOut(ApiModel):
    id: int
    channel_id: int
    contact: ContactRef
    status: str
    assigned_to: UserRef | None
    area_id: int | None
    unread_count: int
    last_message_at: datetime | None
    last_message_preview: str | None
    created_at: datetime
    closed_at: datetime | None


class ConversationEventOut(ApiModel):
    id: int
    type: str
    actor_user_id: int | None
    old_value: str | None
    new_value: str | None
    note: str | None
    created_at: datetime


StatusFilter = Literal["active", "closed", "all"]


class AssignIn(ApiModel):
    user_id: int


class TransferIn(ApiModel):
    user_id: int | None = None
    area_id: int | None = None
    note: str | None = Field(default=None, max_length=1000)

    @model_validator(mode="after")
    def _one_target(self) -> TransferIn:
        if (self.user_id is None) == (self.area_id is None):
            raise ValueError("give exactly one of userId or areaId")
        return self
