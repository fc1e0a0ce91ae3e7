from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, field_validator, model_validator

from helpline.auth.schemas import ApiModel
from helpline.channels.models import Channel
from helpline.channels.providers import PROVIDERS, masked_config, missing_config, provider_class
from helpline.channels.providers.base import has_reply_window
from helpline.config import phone_region
from helpline.db import RowId


class ChannelOut(ApiModel):
    id: int
    name: str
    provider: str
    phone: str | None
    status: str
    status_detail: str | None
    status_changed_at: datetime | None
    qr: str | None
    is_default: bool
    default_area_id: int | None
    # Secrets (tokens, app secrets) are never returned whole: only their last characters.
    config: dict[str, Any] = Field(default_factory=dict)
    reply_window: bool = False
    # Known contacts only: other senders' messages are not stored, only counted.
    known_contacts_only: bool = False
    unknown_reply: str | None = None
    phone_region: str | None = Field(
        default=None,
        description="numbers without a country code are read in it; null: DEFAULT_PHONE_REGION",
    )
    dropped_today: int = Field(default=0, description="messages not kept today (UTC)")
    created_at: datetime

    @classmethod
    def of(cls, channel: Channel) -> ChannelOut:
        known = channel.provider in PROVIDERS
        return cls(
            id=channel.id,
            name=channel.name,
            provider=channel.provider,
            phone=channel.phone,
            status=channel.status,
            status_detail=channel.status_detail,
            status_changed_at=channel.status_changed_at,
            qr=channel.qr if channel.status == "qr" else None,
            is_default=channel.is_default,
            default_area_id=channel.default_area_id,
            config=masked_config(channel.provider, channel.config or {}),
            reply_window=known and has_reply_window(provider_class(channel.provider)),
            known_contacts_only=bool(channel.known_contacts_only),
            unknown_reply=channel.unknown_reply,
            phone_region=channel.phone_region,
            created_at=channel.created_at,
        )


def _known_provider(value: str) -> str:
    if value not in PROVIDERS:
        raise ValueError(f"unknown provider; one of: {', '.join(sorted(PROVIDERS))}")
    return value


def _optional_text(value: str | None) -> str | None:
    return (value.strip() or None) if value is not None else None


def _optional_region(value: str | None) -> str | None:
    return (phone_region(value) or None) if value is not None else None


def _check_config(provider: str, config: dict[str, Any]) -> None:
    missing = missing_config(provider, config)
    if missing:
        raise ValueError(f"config is missing {', '.join(missing)} for the {provider} provider")


class ChannelCreate(ApiModel):
    name: str = Field(min_length=1, max_length=80)
    provider: str = "sandbox"
    phone: str | None = Field(default=None, max_length=32)
    config: dict[str, Any] = Field(default_factory=dict)
    is_default: bool = False
    default_area_id: RowId | None = None
    known_contacts_only: bool = False
    unknown_reply: str | None = Field(default=None, max_length=1000)
    phone_region: str | None = Field(
        default=None, max_length=2, description="e.g. AR; empty: the deployment's default"
    )

    _provider = field_validator("provider")(_known_provider)
    _reply = field_validator("unknown_reply")(_optional_text)
    _region = field_validator("phone_region")(_optional_region)

    @model_validator(mode="after")
    def _provider_config(self) -> ChannelCreate:
        _check_config(self.provider, self.config)
        return self


class ChannelUpdate(ApiModel):
    """Only the fields sent change. Config keys are merged into the stored config; a secret
    sent back masked (as the API shows it) or empty keeps the stored value."""

    name: str | None = Field(default=None, min_length=1, max_length=80)
    phone: str | None = Field(default=None, max_length=32)
    config: dict[str, Any] | None = None
    is_default: bool | None = None
    default_area_id: RowId | None = None
    known_contacts_only: bool | None = None
    unknown_reply: str | None = Field(default=None, max_length=1000, description="empty: none")
    phone_region: str | None = Field(
        default=None, max_length=2, description="e.g. AR; empty: the deployment's default"
    )

    _reply = field_validator("unknown_reply")(_optional_text)
    _region = field_validator("phone_region")(_optional_region)


class ChannelMetadata(ApiModel):
    name: str | None = Field(default=None, min_length=1, max_length=80)
    phone: str | None = Field(default=None, max_length=32)
    default_area_id: RowId | None = None


class ChannelStatusOut(ApiModel):
    channel_id: int
    status: str
    status_detail: str | None
    phone: str | None
    name: str
    qr: str | None


class ChannelQrOut(ApiModel):
    channel_id: int
    status: str
    qr: str | None
    svg: str | None


class ChannelEventOut(ApiModel):
    id: int
    status: str
    detail: str | None
    created_at: datetime


class ChannelLogOut(ApiModel):
    id: int
    level: str
    message: str
    created_at: datetime


class ConfigFieldOut(ApiModel):
    key: str
    required: bool
    secret: bool
    default: str | None
    generated: bool


class ProviderOut(ApiModel):
    name: str
    label: str
    config_fields: list[ConfigFieldOut]
    session: bool  # has a session to start, stop and log out (QR, remote server)
    reply_window: bool
