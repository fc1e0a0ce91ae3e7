from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, cast

from pydantic import Field, model_validator

from helpline.auth.schemas import ApiModel
from helpline.conversations.schemas import ConversationOut
from helpline.media.schemas import MediaOut
from helpline.messages.schemas import MessageOut

SandboxType = Literal[
    "text",
    "interactive",
    "image",
    "sticker",
    "audio",
    "video",
    "document",
    "location",
    "contacts",
    "reaction",
]


class SandboxMedia(ApiModel):
    """A file the simulated phone sends: its bytes in base64 (checked by content)."""

    kind: Literal["image", "audio", "video", "document", "sticker"]
    filename: str | None = Field(default=None, max_length=255)
    mime_type: str | None = Field(default=None, max_length=127)
    voice: bool = False
    data_base64: str = Field(min_length=1)


class SandboxLocation(ApiModel):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    name: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=500)


class SandboxContact(ApiModel):
    name: str = Field(min_length=1, max_length=200)
    phones: list[str] = Field(default_factory=list, max_length=10)


class SandboxReaction(ApiModel):
    emoji: str = Field(max_length=16, description='"" takes the reaction back')
    message_id: str = Field(
        min_length=1, max_length=128, description="the provider id of the message reacted to"
    )


class SandboxInbound(ApiModel):
    """What a customer's phone sends. `from` is a Python keyword, hence the alias. Besides
    text: one of `media` (`text` is its caption), `location`, `contacts` or `reaction`;
    `quotedId` makes it a reply."""

    from_: str = Field(alias="from", min_length=3, max_length=40)
    name: str | None = Field(default=None, max_length=120)
    text: str = Field(default="", max_length=4096)
    id: str | None = Field(default=None, min_length=1, max_length=128)
    type: SandboxType = "text"
    reply_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="the id of the menu option tapped (an interactive reply)",
    )
    media: SandboxMedia | None = None
    location: SandboxLocation | None = None
    contacts: list[SandboxContact] | None = Field(default=None, min_length=1, max_length=10)
    reaction: SandboxReaction | None = None
    quoted_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="the provider id of the message this one replies to",
    )

    @model_validator(mode="after")
    def _has_content(self) -> SandboxInbound:
        kinds = {
            "media": self.media,
            "location": self.location,
            "contacts": self.contacts,
            "reaction": self.reaction,
        }
        given = [k for k, v in kinds.items() if v is not None]
        if len(given) > 1:
            raise ValueError(f"send one of {', '.join(given)}, not several")
        if self.media is not None:
            self.type = self.media.kind
        elif given:
            self.type = cast(SandboxType, given[0])
        elif self.type in ("text", "interactive") and not self.text:
            raise ValueError("a text message needs its text")
        return self


class SandboxMessageOut(MessageOut):
    """A message as the simulated phone sees it: with the provider id a reaction or a
    reply points to."""

    provider_message_id: str | None = None


class SandboxInboundOut(ApiModel):
    message: SandboxMessageOut
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
    media: MediaOut | None = None
    provider_message_id: str | None = None


class SandboxRead(ApiModel):
    to: str = Field(min_length=3, max_length=40)


class SandboxReadOut(ApiModel):
    updated: int
