from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from helpline.auth.schemas import ApiModel
from helpline.db import RowId
from helpline.messages.schemas import UserRef


class ContactRef(ApiModel):
    id: int
    # None for a customer WhatsApp names only by a user id (a username): `externalId`.
    phone: str | None
    external_id: str | None = None
    name: str | None


class LabelRef(ApiModel):
    id: int
    name: str
    color: str


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
    waiting_since: datetime | None
    last_inbound_at: datetime | None = None
    created_at: datetime
    closed_at: datetime | None
    labels: list[LabelRef] = []
    first_response_at: datetime | None = None
    # Service targets (the area's): due by then; close to it in its last fifth.
    first_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None


class ConversationEventOut(ApiModel):
    id: int
    type: str
    actor_user_id: int | None
    old_value: str | None
    new_value: str | None
    note: str | None
    created_at: datetime


StatusFilter = Literal["active", "closed", "all"]


class InboxQuery(ApiModel):
    """The conversation list's filters: `view` mine (assigned to me) or unassigned (the
    queue), `areaId`, `status`, `q` over contact name, phone and message text, and `sort`
    by last activity (newest first), by waiting time (longest waiting first) or by the
    nearest service-target deadline."""

    status: StatusFilter = "active"
    view: Literal["all", "mine", "unassigned"] = "all"
    area_id: RowId | None = None
    q: str | None = Field(default=None, max_length=100)
    sort: Literal["activity", "waiting", "due"] = "activity"
    label: int | None = Field(default=None, description="only conversations with this label id")
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=30, ge=1, le=200)


class AssignIn(ApiModel):
    user_id: RowId


class TransferIn(ApiModel):
    user_id: RowId | None = None
    area_id: RowId | None = None
    note: str | None = Field(default=None, max_length=1000)

    @model_validator(mode="after")
    def _one_target(self) -> TransferIn:
        if (self.user_id is None) == (self.area_id is None):
            raise ValueError("give exactly one of userId or areaId")
        return self
