from __future__ import annotations

from pydantic import Field

from helpline.auth.schemas import ApiModel
from helpline.conversations.schemas import LabelRef


class LabelIn(ApiModel):
    name: str = Field(min_length=1, max_length=60)
    color: str = Field(default="#64748b", pattern=r"^#[0-9a-fA-F]{6}$")


class LabelOut(LabelRef):
    pass


class ConversationLabelsIn(ApiModel):
    label_ids: list[int] = Field(
        max_length=50, description="the conversation's labels, all of them"
    )
