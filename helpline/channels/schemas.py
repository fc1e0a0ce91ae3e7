from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from helpline.auth.schemas import ApiModel
from helpline.channels.providers import PROVIDERS


class ChannelOut(ApiModel):
    id: int
    name: str
    provider: str
    phone: str | None
    status: str
    is_default: bool
    default_area_id: int | None


class ChannelCreate(ApiModel):
    name: str = Field(min_length=1, max_length=80)
    provider: str = "sandbox"
    phone: str | None = Field(default=None, max_length=32)
    config: dict[str, Any] = Field(default_factory=dict)
    is_default: bool = False
    default_area_id: int | None = None

    @field_validator("provider")
    @classmethod
    def _known_provider(cls, value: str) -> str:
        if value not in PROVIDERS:
            raise ValueError(f"unknown provider; one of: {', '.join(sorted(PROVIDERS))}")
        return value
