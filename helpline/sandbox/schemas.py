from __future__ import annotations

from datetime import datetime

from pydantic import Field

from helpline.auth.schemas import ApiModel
from helpline.conversations.schemas import ConversationOut
from helpline.messages.schemas import MessageOut


class SandboxInbound(ApiModel):
    """What a customer's phone sends. `from` is a Python keyword, hence the alias."""

    from_: str = Field(alias="from", min_length=3, max_length=40)
    name: str | None = Field(default=None, max_length=120)
    text: str = Field(min_length=1, max_length=4096)
    id: str | None = Field(default=None, min_length=1, max_length=128)


class SandboxInboundOut(ApiModel):
    message: MessageOut
    conversation: ConversationOut
    duplicate: bool


class SandboxOutbound(ApiModel):
    id: int
    to: str
    body: str
    status: str
    error: str | None
    created_at: datetime


class SandboxRead(ApiModel):
    to: str = Field(min_length=3, max_length=40)


class SandboxReadOut(ApiModel):
    updated: int
