from __future__ import annotations

import enum
from datetime import datetime

from pydantic import Field, field_validator

from helpline.auth.schemas import ApiModel


class TokenScope(enum.StrEnum):
    READ = "read"  # every GET
    SEND = "send"  # sending messages to customers
    ADMIN = "admin"  # everything the token's admin may do


class TokenIn(ApiModel):
    name: str = Field(min_length=1, max_length=80)
    scopes: list[TokenScope] = Field(min_length=1)
    expires_at: datetime | None = None

    @field_validator("name")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
        return value

    @field_validator("expires_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must carry a time zone, e.g. 2027-01-31T23:59:00Z")
        return value


class TokenOut(ApiModel):
    id: int
    name: str
    prefix: str
    scopes: list[TokenScope]
    user_id: int
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @field_validator("scopes", mode="before")
    @classmethod
    def _from_column(cls, value: object) -> object:
        return value.split() if isinstance(value, str) else value


class TokenCreatedOut(TokenOut):
    secret: str = Field(description="Shown only now: the desk keeps only its hash.")
