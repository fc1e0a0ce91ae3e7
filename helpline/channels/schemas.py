from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from helpline.auth.schemas import ApiModel
from helpline.channels.providers import PROVIDERS
from helpline.channels.providers.cloud import SECRET_CONFIG, mask_secret, missing_config


class ChannelOut(ApiModel):
    id: int
    name: str
    provider: str
    phone: str | None
    status: str
    is_default: bool
    default_area_id: int | None
    # Secrets (tokens, app secrets) are never returned whole: only their last characters.
    config: dict[str, Any] = Field(default_factory=dict)

    @field_validator("config", mode="before")
    @classmethod
    def _mask_secrets(cls, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            return {}
        return {k: mask_secret(v) if k in SECRET_CONFIG else v for k, v in value.items()}


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

    @model_validator(mode="after")
    def _provider_config(self) -> ChannelCreate:
        if self.provider == "cloud":
            missing = missing_config(self.config)
            if missing:
                raise ValueError(f"config is missing {', '.join(missing)} for the cloud provider")
        return self
