from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from helpline.auth.schemas import ApiModel
from helpline.conversations.schemas import ConversationOut
from helpline.messages.schemas import MessageOut


class SandboxInbound(ApiModel):
    """What a customer's phone sends. `from` is a Python keyword, hence the alias."""

    from_: str = Field(alias="from", min_length=3, max_length=40)
    name: str | None = Field(default=None, max_length=120)
    text: str = Field(default="", max_length=4096)
    id: str | None = Field(default=None, min_length=1, max_length=128)
    type: Literal[
        "text", "interactive", "image", "sticker", "audio", "video", "document", "location"
    ] = "text"
    reply_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="the id of the menu option tapped (an interactive reply)",
    )

    @model_validator(mode="after")
    def _has_content(self) -> SandboxInbound:
        if self.type in ("text", "interactive") and not self.text:
            raise ValueError("a text message needs its text")
        return self


class SandboxInboundOut(ApiModel):
    message: MessageOut
    conversation: ConversationOut
    duplicate: bool


class SandboxOutbound(ApiModel):
    id: int
    to: str
    body: str
    type: str = "text"
    payload: dict[str, Any] | None = None
    status: str
    error: str | None
    created_at: datetime


class SandboxRead(ApiModel):
    to: str = Field(min_length=3, max_length=40)


class SandboxReadOut(ApiModel):
    updated: int
