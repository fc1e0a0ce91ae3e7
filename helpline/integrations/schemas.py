from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from helpline.auth.schemas import ApiModel
from helpline.integrations.queue import EVENTS

URL_MAX = 2000


def check_events(value: list[str]) -> list[str]:
    unknown = [e for e in value if e not in EVENTS]
    if unknown:
        raise ValueError(
            f"unknown event(s) {', '.join(repr(e) for e in unknown)}; "
            f"the valid events are: {', '.join(EVENTS)}"
        )
    return sorted(set(value), key=EVENTS.index)


def check_url(value: str) -> str:
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("must be an http:// or https:// address")
    if not parts.hostname:
        raise ValueError("must name a host, e.g. https://example.com/hooks/helpline")
    return value


def check_name(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


class WebhookIn(ApiModel):
    name: str = Field(min_length=1, max_length=80)
    url: str = Field(min_length=1, max_length=URL_MAX)
    events: list[str] = Field(min_length=1, description="names from GET .../events")
    active: bool = True
    secret: str | None = Field(
        default=None,
        min_length=16,
        max_length=200,
        description="Leave out to have one generated (shown once, in the answer).",
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_name(value)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_url(value)

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[str]) -> list[str]:
        return check_events(value)


class WebhookPatch(ApiModel):
    name: str | None = Field(default=None, min_length=1, max_length=80)
    url: str | None = Field(default=None, min_length=1, max_length=URL_MAX)
    events: list[str] | None = Field(default=None, min_length=1)
    active: bool | None = None
    secret: str | None = Field(default=None, min_length=16, max_length=200)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else check_name(value)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else check_url(value)

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else check_events(value)


class WebhookOut(ApiModel):
    id: int
    name: str
    url: str
    events: list[str]
    active: bool
    created_at: datetime
    updated_at: datetime
    pending: int = 0  # deliveries waiting for an attempt
    failed: int = 0  # deliveries that gave up

    @field_validator("events", mode="before")
    @classmethod
    def _from_column(cls, value: object) -> object:
        return value.split() if isinstance(value, str) else value


class WebhookSecretOut(WebhookOut):
    secret: str = Field(description="Shown only now: keep it to verify the signatures.")


class DeliveryOut(ApiModel):
    id: int
    subscription_id: int | None
    event: str
    event_id: str
    status: str
    attempts: int
    response_status: int | None
    error: str | None
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None


class EventsOut(ApiModel):
    events: list[str]
