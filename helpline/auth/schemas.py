from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator
from pydantic.alias_generators import to_camel
from pydantic_core.core_schema import ValidationInfo

from helpline.auth.models import Role
from helpline.auth.passwords import MIN_LENGTH, SAME_AS_USERNAME, TOO_COMMON, is_common
from helpline.db import RowId


class ApiModel(BaseModel):
    """Base for API payloads: snake_case in Python, camelCase on the wire."""

    # An answer always carries its defaulted fields: the spec says so (the console's
    # generated types then need no `?? default` for them).
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        from_attributes=True,
        json_schema_serialization_defaults_required=True,
    )


class LoginIn(ApiModel):
    username: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=256)


class AreaRef(ApiModel):
    id: int
    name: str
    is_default: bool


class UserOut(ApiModel):
    id: int
    username: str
    email: str | None
    name: str
    role: Role
    active: bool
    areas: list[AreaRef] = []


class SessionOut(ApiModel):
    user: UserOut
    csrf_token: str


class LoginSessionOut(ApiModel):
    """One of the user's login sessions (a browser where they are logged in)."""

    id: str
    device: str
    user_agent: str | None
    ip: str | None
    created_at: datetime
    last_seen_at: datetime | None
    expires_at: datetime
    current: bool


class RevokedOut(ApiModel):
    revoked: int


USERNAME_PATTERN = r"^[A-Za-z0-9_.\-]+$"
PASSWORD_RULES = (
    f"At least {MIN_LENGTH} characters, not the username, not one of the most common passwords."
)


def _not_common(value: str | None) -> str | None:
    if value is not None and is_common(value):
        raise ValueError(f"Password {TOO_COMMON}")
    return value


class UserCreate(ApiModel):
    username: str = Field(min_length=2, max_length=64, pattern=USERNAME_PATTERN)
    email: EmailStr | None = None
    name: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=MIN_LENGTH, max_length=256, description=PASSWORD_RULES)
    role: Role = Role.OPERATOR
    active: bool = True
    area_ids: list[RowId] = Field(default_factory=list, max_length=100)
    default_area_id: RowId | None = None

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("password")
    @classmethod
    def _password_policy(cls, value: str, info: ValidationInfo) -> str:
        username = info.data.get("username")
        if username and value.strip().casefold() == username.casefold():
            raise ValueError(f"Password {SAME_AS_USERNAME}")
        return _not_common(value) or value


class UserUpdate(ApiModel):
    email: EmailStr | None = None
    name: str | None = Field(default=None, min_length=1, max_length=120)
    password: str | None = Field(
        default=None, min_length=MIN_LENGTH, max_length=256, description=PASSWORD_RULES
    )
    role: Role | None = None
    active: bool | None = None
    area_ids: list[RowId] | None = Field(default=None, max_length=100)
    default_area_id: RowId | None = None

    _password_not_common = field_validator("password")(_not_common)
