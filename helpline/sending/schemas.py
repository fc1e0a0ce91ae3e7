"""What the sending API reads and answers. The request body is JSON (text, a file by URL
or a template) or multipart (an uploaded file); `request_body_spec` documents both."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import Field, field_validator, model_validator

from helpline.auth.schemas import ApiModel
from helpline.messages.schemas import MessageOut
from helpline.templates.schemas import TemplateSend

CAPTION_MAX = 1024  # WhatsApp's limit for a caption
PHONE_DOC = (
    "The customer's phone: E.164 with or without '+' (+5491155550001, 5491155550001), "
    "or a local number of the deployment's DEFAULT_PHONE_REGION"
)


class MediaUrlIn(ApiModel):
    url: str = Field(
        max_length=2048,
        pattern=r"^https?://",
        description="fetched by the desk; checked like any upload (type by content, MAX_UPLOAD_MB)",
    )
    caption: str = Field(default="", max_length=CAPTION_MAX)
    filename: str | None = Field(default=None, max_length=255)


class SendIn(ApiModel):
    """Exactly one of `text`, `media` or `template`."""

    phone: str = Field(min_length=1, max_length=40, description=PHONE_DOC)
    text: str | None = Field(default=None, min_length=1, max_length=4096)
    media: MediaUrlIn | None = None
    template: TemplateSend | None = Field(
        default=None, description="an approved template (Cloud API numbers)"
    )

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be blank")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> SendIn:
        given = [k for k in ("text", "media", "template") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of text, media or template")
        return self


class SendFileForm(ApiModel):
    """The multipart fields beside the file."""

    phone: str = Field(min_length=1, max_length=40, description=PHONE_DOC)
    caption: str = Field(default="", max_length=CAPTION_MAX)


class SendOut(ApiModel):
    message: MessageOut
    conversation_id: int
    contact_id: int
    phone: str = Field(description="the customer's phone in E.164")
    conversation_opened: bool = Field(description="this send opened a new conversation")


class ChannelMessageOut(MessageOut):
    phone: str | None = Field(description="the customer's phone in E.164")


class ChannelMessagesOut(ApiModel):
    items: list[ChannelMessageOut]
    next_before: int | None = Field(
        description="pass as `before` for the next (older) page; null on the last page"
    )


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON schema with its `$defs` written in place: the OpenAPI document has no
    room for them beside a body declared by hand."""
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(copy.deepcopy(defs[ref.removeprefix("#/$defs/")]))
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


def request_body_spec() -> dict[str, Any]:
    form = _inline(SendFileForm.model_json_schema(by_alias=True))
    form["properties"]["file"] = {
        "type": "string",
        "format": "binary",
        "description": "the file; its type is found in its content",
    }
    form["required"] = [*form.get("required", []), "file"]
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": _inline(SendIn.model_json_schema(by_alias=True))},
                "multipart/form-data": {"schema": form},
            },
        }
    }
